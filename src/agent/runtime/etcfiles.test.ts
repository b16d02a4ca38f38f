import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostnameFile, hostsFile, resolvConf } from './etcfiles.js';

test('hosts file maps the pod IP to its hostname and appends host aliases', () => {
  const text = hostsFile('10.42.0.7', 'web', [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }]);
  assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(text, /^10\.42\.0\.7\tweb$/m);
  assert.match(text, /# Entries added by HostAliases.\n10\.1\.2\.3\tfoo\.local\tbar\.local\n$/);
  assert.doesNotMatch(hostsFile('10.42.0.7', 'web'), /HostAliases/);
});

test('resolv.conf lists nameservers and searches; empty without DNS settings', () => {
  assert.equal(resolvConf(['10.43.0.10'], ['default.svc.cluster.local', 'svc.cluster.local']),
    'nameserver 10.43.0.10\nsearch default.svc.cluster.local svc.cluster.local\noptions ndots:5\n');
  assert.equal(resolvConf(['1.1.1.1']), 'nameserver 1.1.1.1\n');
  assert.equal(resolvConf(), '');
  assert.equal(hostnameFile('web'), 'web\n');
});
