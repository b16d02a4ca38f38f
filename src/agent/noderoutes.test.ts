import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { wantedRoutes } from './noderoutes.js';

const node = (name: string, cidr?: string, ip?: string, labels: Record<string, string> = {}): Node => ({
  metadata: { name, labels }, spec: cidr ? { podCIDR: cidr } : {}, status: { addresses: ip ? [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] : [] },
});

test('every other real node with a pod CIDR and an InternalIP, sorted; not itself, not hollow ones', () => {
  const nodes = [
    node('c', '10.42.2.0/24', '192.0.2.3'), node('self', '10.42.0.0/24', '192.0.2.1'), node('b', '10.42.1.0/24', '192.0.2.2'),
    node('no-cidr', undefined, '192.0.2.9'), node('no-ip', '10.42.9.0/24'), node('h', '10.42.7.0/24', '10.0.0.7', { 'tinykube.io/hollow': 'true' }),
  ];
  assert.deepEqual(wantedRoutes(nodes, 'self'), [{ cidr: '10.42.1.0/24', via: '192.0.2.2' }, { cidr: '10.42.2.0/24', via: '192.0.2.3' }]);
});
