import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocatePodCidr, parseCredentialsRequest } from './nodejoin.js';

test('pod CIDRs: the first /24 no node has, overlaps counted both ways', () => {
  assert.equal(allocatePodCidr('10.42.0.0/16', []), '10.42.0.0/24');
  assert.equal(allocatePodCidr('10.42.0.0/16', ['10.42.0.0/24', '10.42.1.0/24']), '10.42.2.0/24');
  assert.equal(allocatePodCidr('10.42.0.0/16', ['10.42.0.0/23']), '10.42.2.0/24');
  assert.equal(allocatePodCidr('10.42.0.0/16', ['10.42.0.128/25']), '10.42.1.0/24');
  assert.equal(allocatePodCidr('10.42.0.0/16', ['fd00::/64', '10.42.0.0/24']), '10.42.1.0/24');
  assert.throws(() => allocatePodCidr('10.42.0.0/24', ['10.42.0.0/24']), /no free \/24/);
  assert.throws(() => allocatePodCidr('10.42.0.0/28', []), /cannot allocate/);
});

test('credential requests: a node name, hosts, an optional CIDR; anything else is a BadRequest', () => {
  const ok = (v: unknown) => parseCredentialsRequest(Buffer.from(JSON.stringify(v)));
  assert.deepEqual(ok({ nodeName: 'node-b', hosts: ['192.0.2.2', 'node-b'] }), { nodeName: 'node-b', hosts: ['192.0.2.2', 'node-b'], podCidr: undefined });
  assert.equal(ok({ nodeName: 'n', hosts: [], podCidr: '10.42.3.0/24' }).podCidr, '10.42.3.0/24');
  for (const bad of [{ nodeName: 'Node_B', hosts: [] }, { nodeName: 'n', hosts: ['bad host'] }, { nodeName: 'n' }, { nodeName: 'n', hosts: [], podCidr: 'x' }, { nodeName: 'n', hosts: Array(17).fill('n') }]) {
    assert.throws(() => ok(bad), (e: { code?: number }) => e.code === 400);
  }
  assert.throws(() => parseCredentialsRequest(Buffer.from('{')), /must be JSON/);
});
