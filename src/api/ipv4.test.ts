import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, cidrSize, cidrsOverlap, formatCidr, formatIPv4, gatewayOf, nthAddress, parseCidr, parseIPv4, parsePrefix, prefixMask, subnets } from './ipv4.js';

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

test('addresses: strict dotted quads', () => {
  assert.equal(parseIPv4('10.42.0.1'), 10 * 2 ** 24 + 42 * 2 ** 16 + 1);
  assert.equal(parseIPv4('255.255.255.255'), 2 ** 32 - 1);
  assert.equal(formatIPv4(2 ** 32 - 1), '255.255.255.255');
  assert.equal(formatIPv4(parseIPv4('198.18.0.7')!), '198.18.0.7');
  for (const bad of ['10.42.0', '10.42.0.256', '010.0.0.1', '1.2.3.4.5', '', 'a.b.c.d', '::1']) assert.equal(parseIPv4(bad), undefined, bad);
  assert.equal(prefixMask(0), 0);
  assert.equal(prefixMask(24), 0xffffff00);
  assert.equal(prefixMask(32), 0xffffffff);
});

test('prefixes keep host bits; overlap on the shorter prefix', () => {
  assert.deepEqual(parsePrefix('10.42.1.5/24'), { ip: parseIPv4('10.42.1.5'), prefix: 24 });
  assert.equal(parsePrefix('10.42.1.0/33'), undefined);
  assert.equal(parsePrefix('fd00::/64'), undefined);
  const p = (s: string) => parsePrefix(s)!;
  assert.ok(cidrsOverlap(p('10.42.0.0/16'), p('10.42.3.0/24')));
  assert.ok(cidrsOverlap(p('10.42.3.0/24'), p('10.42.0.0/16')));
  assert.ok(!cidrsOverlap(p('10.42.3.0/24'), p('10.42.4.0/24')));
  assert.ok(cidrsOverlap(p('0.0.0.0/0'), p('1.2.3.4/32')));
});

test('n-th address, size and subnets', () => {
  const c = parseCidr('10.42.0.0/22');
  assert.equal(cidrSize(c), 1024);
  assert.equal(nthAddress(c, 0), '10.42.0.0');
  assert.equal(nthAddress(c, 257), '10.42.1.1');
  assert.throws(() => nthAddress(c, 1024), /outside/);
  assert.deepEqual([...subnets(c, 24)].map(formatCidr), ['10.42.0.0/24', '10.42.1.0/24', '10.42.2.0/24', '10.42.3.0/24']);
  assert.deepEqual([...subnets(c, 22)].map(formatCidr), ['10.42.0.0/22']);
  assert.throws(() => [...subnets(c, 21)], /cannot split/);
});
