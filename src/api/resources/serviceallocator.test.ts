import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllocationError, ClusterIPAllocator, firstServiceIP, NodePortAllocator, parseServiceCidr } from './serviceallocator.js';

test('service CIDRs parse to a range; the first usable address is the kubernetes service IP', () => {
  const r = parseServiceCidr('10.43.0.0/16');
  assert.equal(r.size, 65536);
  assert.equal(firstServiceIP(r), '10.43.0.1');
  assert.throws(() => parseServiceCidr('10.43.0.1/16'), /host bits/);
  assert.throws(() => parseServiceCidr('10.43.0.0/31'), /invalid service CIDR/);
  assert.throws(() => parseServiceCidr('nonsense'), /invalid service CIDR/);
});

test('cluster IPs: specific requests must be in range and free; messages as upstream', () => {
  const a = new ClusterIPAllocator('10.44.1.0/24');
  a.allocateSpecific('10.44.1.10', ['10.44.1.1']);
  assert.throws(() => a.allocateSpecific('10.44.1.1', ['10.44.1.1']), (e: Error) => e instanceof AllocationError && e.message === 'provided IP is already allocated');
  assert.throws(() => a.allocateSpecific('10.9.0.1', []), /the provided IP \(10\.9\.0\.1\) is not in the valid range\. The range of valid IPs is 10\.44\.1\.0\/24/);
  // Network and broadcast addresses are not usable.
  assert.throws(() => a.allocateSpecific('10.44.1.0', []), /not in the valid range/);
  assert.throws(() => a.allocateSpecific('10.44.1.255', []), /not in the valid range/);
  // A reservation holds until released (a failed write) or stored.
  assert.throws(() => a.allocateSpecific('10.44.1.10', []), /already allocated/);
});

test('cluster IPs: random allocation prefers the upper band, never repeats, and fills the range', () => {
  let seed = 1;
  const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const a = new ClusterIPAllocator('10.44.2.0/24', random);
  const got = new Set<string>();
  const first = a.allocateNext([]).ip;
  // /24: 256/16 = 16 addresses at the bottom are left for static requests.
  assert.ok(Number(first.split('.')[3]) > 16, first);
  got.add(first);
  for (let i = 1; i < 254; i++) {
    const { ip } = a.allocateNext([]);
    assert.ok(!got.has(ip), `${ip} twice`);
    got.add(ip);
  }
  assert.equal(got.size, 254);
  assert.throws(() => a.allocateNext([]), /range is full/);
});

test('cluster IPs in use are derived from stored services: an allocator after a restart sees them', () => {
  const stored = ['10.44.3.1', '10.44.3.2'];
  const a = new ClusterIPAllocator('10.44.3.0/30'); // usable: .1 and .2
  assert.throws(() => a.allocateNext(stored), /range is full/);
  const release = new ClusterIPAllocator('10.44.3.0/30').allocateSpecific('10.44.3.2', ['10.44.3.1']);
  release();
});

test('released reservations are free again; dry runs reserve nothing', () => {
  const a = new ClusterIPAllocator('10.44.4.0/24');
  a.allocateSpecific('10.44.4.5', [], true);
  a.allocateSpecific('10.44.4.5', [])();
  a.allocateSpecific('10.44.4.5', []);
});

test('node ports: range 30000-32767 by default, upstream messages, no repeats', () => {
  const p = new NodePortAllocator(30000, 32767);
  p.allocateSpecific(30080, []);
  assert.throws(() => p.allocateSpecific(30080, []), /provided port is already allocated/);
  assert.throws(() => p.allocateSpecific(31000, [31000]), /provided port is already allocated/);
  assert.throws(() => p.allocateSpecific(80, []), /provided port is not in the valid range\. The range of valid ports is 30000-32767/);
  const small = new NodePortAllocator(30000, 30002);
  const ports = [small.allocateNext([]).port, small.allocateNext([]).port, small.allocateNext([]).port].sort();
  assert.deepEqual(ports, [30000, 30001, 30002]);
  assert.throws(() => small.allocateNext([]), /range is full/);
});
