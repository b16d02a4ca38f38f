import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerPort } from 'kubernetes-types/core/v1.js';
import { hostPortsFilter } from './filterports.js';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo } from './podinfo.js';

const pod = (name: string, ...ports: ContainerPort[]) => podInfo({ metadata: { name, namespace: 'd' }, spec: { containers: [{ name: 'c', ports }] } });

test('a host port taken on the node keeps the pod out (resolvable: evicting the holder frees it)', () => {
  const node = nodeInfoOf({ metadata: { name: 'n' } }, [pod('holder', { containerPort: 80, hostPort: 8080 })]);
  assert.deepEqual(hostPortsFilter(pod('p', { containerPort: 80, hostPort: 8080 }), node), {
    reasons: ["node(s) didn't have free ports for the requested pod ports"], unresolvable: false,
  });
  assert.equal(hostPortsFilter(pod('p', { containerPort: 80, hostPort: 8081 }), node), undefined);
  assert.equal(hostPortsFilter(pod('p', { containerPort: 80, hostPort: 8080, protocol: 'UDP' }), node), undefined);
  assert.equal(hostPortsFilter(pod('p', { containerPort: 80 }), node), undefined);
});

test('a released port is free again', () => {
  const holder = pod('holder', { containerPort: 80, hostPort: 8080 });
  const node = nodeInfoOf({ metadata: { name: 'n' } }, [holder]);
  node.removePod(holder);
  assert.equal(hostPortsFilter(pod('p', { containerPort: 80, hostPort: 8080 }), node), undefined);
});
