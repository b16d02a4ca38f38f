import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/strategy.js';
import { budgetStatus } from './disruption.js';
import type { PodObj } from './controllerutil.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const pod = (name: string, ready: boolean, extra: object = {}): PodObj => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'web' } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] }, ...extra,
}) as unknown as PodObj;
const pdb = (spec: object, status: object = {}) => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'default', generation: 2 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, status,
}) as unknown as Parameters<typeof budgetStatus>[0] & KubeObject;

test('minAvailable and maxUnavailable, as numbers and percentages (rounded up), from the ready pods', () => {
  const pods = [pod('a', true), pod('b', true), pod('c', true), pod('d', false), pod('other', true, { metadata: { name: 'x', namespace: 'default', labels: { app: 'db' } } })];
  const s = budgetStatus(pdb({ minAvailable: 2 }), pods, NOW);
  assert.deepEqual([s.expectedPods, s.currentHealthy, s.desiredHealthy, s.disruptionsAllowed, s.observedGeneration], [4, 3, 2, 1, 2]);
  assert.equal(s.conditions![0].status, 'True');
  assert.equal(budgetStatus(pdb({ minAvailable: '80%' }), pods, NOW).desiredHealthy, 4);
  assert.equal(budgetStatus(pdb({ maxUnavailable: 1 }), pods, NOW).disruptionsAllowed, 0);
  assert.equal(budgetStatus(pdb({ maxUnavailable: '50%' }), pods, NOW).desiredHealthy, 2);
  const none = budgetStatus(pdb({ minAvailable: 3 }), pods, NOW);
  assert.deepEqual([none.disruptionsAllowed, none.conditions![0].reason], [0, 'InsufficientPods']);
});

test('a pod an eviction just took is not healthy until it goes or two minutes pass; finished and deleting pods do not count', () => {
  const pods = [pod('a', true), pod('b', true), pod('done', true, { status: { phase: 'Succeeded' } }), pod('bye', true, { metadata: { name: 'bye', namespace: 'default', labels: { app: 'web' }, deletionTimestamp: 't' } })];
  const recent = budgetStatus(pdb({ minAvailable: 1 }, { disruptedPods: { a: '2026-11-23T11:59:30Z', gone: '2026-11-23T11:59:30Z' } }), pods, NOW);
  assert.deepEqual([recent.expectedPods, recent.currentHealthy, recent.disruptionsAllowed, recent.disruptedPods], [2, 1, 0, { a: '2026-11-23T11:59:30Z' }]);
  const old = budgetStatus(pdb({ minAvailable: 1 }, { disruptedPods: { a: '2026-11-23T11:57:00Z' } }), pods, NOW);
  assert.deepEqual([old.currentHealthy, old.disruptedPods], [2, undefined]);
});
