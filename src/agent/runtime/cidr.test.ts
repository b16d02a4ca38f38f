import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, formatCidr, gatewayOf, parseCidr } from './cidr.js';

test('parses, formats and finds the gateway', () => {
  const c = parseCidr('10.42.250.0/24');
  assert.equal(formatCidr(c), '10.42.250.0/24');
  assert.equal(gatewayOf(c), '10.42.250.1');
  assert.equal(gatewayOf(parseCidr('192.168.0.0/16')), '192.168.0.1');
});

test('containment', () => {
  const cluster = parseCidr('10.42.0.0/16');
  assert.ok(cidrContains(cluster, parseCidr('10.42.250.0/24')));
  assert.ok(cidrContains(cluster, cluster));
  assert.ok(!cidrContains(cluster, parseCidr('10.43.0.0/24')));
  assert.ok(!cidrContains(parseCidr('10.42.1.0/24'), cluster));
  assert.ok(cidrContains(parseCidr('0.0.0.0/0'), cluster));
});

test('rejects malformed ranges and host bits', () => {
  assert.throws(() => parseCidr('10.42.0.0'), /invalid IPv4 CIDR/);
  assert.throws(() => parseCidr('10.42.0.256/24'), /invalid IPv4 address/);
  assert.throws(() => parseCidr('10.42.0.0/33'), /invalid IPv4 CIDR/);
  assert.throws(() => parseCidr('10.42.1.0/16'), /did you mean 10.42.0.0\/16/);
  assert.throws(() => gatewayOf(parseCidr('10.42.0.0/31')), /too small/);
});
