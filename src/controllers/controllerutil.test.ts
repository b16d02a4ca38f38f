// Shared controller helpers: the scale-down ranking, podsToDelete, slow-start batches, pods from a template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/strategy.js';
import { compareForDeletion, podFromTemplate, podsToDelete, slowStartBatch, type PodObj } from './controllerutil.js';
import { rankedPod as pod } from '../../test/helpers/controllers.js';


const names = (pods: PodObj[]) => pods.map((p) => p.metadata.name);

test('scale-down ranking: unscheduled < pending < not ready < ready for less time < more restarts < newer', () => {
  const pods = [
    pod('old-ready', { node: 'n', readySince: 50_000, created: 60_000 }),
    pod('unscheduled', { phase: 'Pending' }),
    pod('pending', { node: 'n', phase: 'Pending' }),
    pod('not-ready', { node: 'n' }),
    pod('fresh-ready', { node: 'n', readySince: 1_000, created: 60_000 }),
    pod('restarty', { node: 'n', readySince: 50_000, created: 60_000, restarts: 3 }),
  ];
  const order = [...pods].sort((a, b) => compareForDeletion(a, b));
  assert.deepEqual(names(order), ['unscheduled', 'pending', 'not-ready', 'fresh-ready', 'restarty', 'old-ready']);
  // Same readiness time and restarts: the newer pod goes first.
  const twins = [pod('older', { node: 'n', readySince: 5000, created: 50_000 }), pod('newer', { node: 'n', readySince: 5000, created: 10_000 })];
  assert.deepEqual(names([...twins].sort((a, b) => compareForDeletion(a, b))), ['newer', 'older']);
  // A lower pod-deletion-cost goes first, before readiness age is looked at.
  const costly = [pod('cheap', { node: 'n', readySince: 50_000, cost: -5 }), pod('dear', { node: 'n', readySince: 1000, cost: 10 })];
  assert.deepEqual(names([...costly].sort((a, b) => compareForDeletion(a, b))), ['cheap', 'dear']);
});

test('podsToDelete prefers pods on nodes that hold more pods of the owner', () => {
  const pods = [pod('a1', { node: 'a', readySince: 9000 }), pod('a2', { node: 'a', readySince: 9000 }), pod('b1', { node: 'b', readySince: 1000 })];
  assert.deepEqual(names(podsToDelete(pods, pods, 1)).map((n) => n?.[0]), ['a']);
  assert.equal(podsToDelete(pods, pods, 5).length, 3);
});

test('slow start: batches 1, 2, 4... and stops after a failing batch', async () => {
  let calls = 0;
  assert.deepEqual(await slowStartBatch(10, 1, async () => { calls++; }), { successes: 10 });
  assert.equal(calls, 10);
  calls = 0;
  const r = await slowStartBatch(10, 1, async () => { if (++calls === 2) throw new Error('no'); });
  assert.equal(r.successes, 2, 'batch 1 (1 call) and batch 2 (2 calls, one failed): 2 successes');
  assert.equal(calls, 3, 'no batch after the failing one');
});

test('pods from a template: generateName, labels, annotations, controller reference', () => {
  const rs = { metadata: { name: 'web-abc', namespace: 'ns', uid: 'u1' } } as unknown as KubeObject;
  const p = podFromTemplate({ metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }, rs,
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u1', controller: true, blockOwnerDeletion: true });
  assert.equal(p.metadata.generateName, 'web-abc-');
  assert.equal(p.metadata.namespace, 'ns');
  assert.deepEqual(p.metadata.labels, { app: 'web' });
  assert.deepEqual(p.metadata.annotations, { a: 'b' });
  assert.equal(p.metadata.ownerReferences?.[0].uid, 'u1');
});
