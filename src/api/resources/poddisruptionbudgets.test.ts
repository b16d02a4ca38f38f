import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../strategy.js';
import { podDisruptionBudgetStrategy as s } from './poddisruptionbudgets.js';

const pdb = (spec: object): KubeObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b' }, spec }) as unknown as KubeObject;
const fields = (spec: object) => s.validate(pdb(spec)).map((e) => `${e.type} ${e.field}`);

test('one of minAvailable / maxUnavailable, ints or percentages up to 100%, a valid selector', () => {
  assert.deepEqual(fields({ minAvailable: 2, selector: { matchLabels: { app: 'web' } } }), []);
  assert.deepEqual(fields({ maxUnavailable: '25%' }), []);
  assert.deepEqual(fields({ minAvailable: 1, maxUnavailable: 1 }), ['Invalid spec']);
  assert.deepEqual(fields({ minAvailable: '150%' }), ['Invalid spec.minAvailable']);
  assert.deepEqual(fields({ maxUnavailable: -1 }), ['Invalid spec.maxUnavailable']);
  assert.deepEqual(fields({ minAvailable: 1, selector: { matchLabels: { 'bad key!': 'x' } } }), ['Invalid spec.selector.matchLabels']);
  assert.deepEqual(fields({ minAvailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' }), ['NotSupported spec.unhealthyPodEvictionPolicy']);
});

test('kubectl get pdb: MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS', () => {
  const obj = { ...pdb({ minAvailable: 2 }), status: { disruptionsAllowed: 1 }, metadata: { name: 'b', creationTimestamp: '2026-11-23T12:00:00Z' } } as unknown as KubeObject;
  assert.deepEqual(s.table.cells(obj, Date.parse('2026-11-23T12:05:00Z')), ['b', '2', 'N/A', 1, '5m']);
});
