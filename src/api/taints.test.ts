import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { effectiveTaints, tolerates } from './taints.js';

const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

test('a toleration matches on key, value (Equal) or any value (Exists), and effect when given', () => {
  assert.equal(tolerates({ key: 'dedicated', value: 'gpu' }, taint), true);
  assert.equal(tolerates({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint), true);
  assert.equal(tolerates({ key: 'dedicated', value: 'cpu' }, taint), false);
  assert.equal(tolerates({ key: 'dedicated', operator: 'Exists' }, taint), true);
  assert.equal(tolerates({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint), false);
  assert.equal(tolerates({ operator: 'Exists' }, taint), true);
  assert.equal(tolerates({ key: 'other', operator: 'Exists' }, taint), false);
  assert.equal(tolerates({ key: 'dedicated', operator: 'Bogus', value: 'gpu' }, taint), false);
  assert.equal(tolerates({ key: 'k' }, { key: 'k', effect: 'NoSchedule' }), true);
});

test('conditions imply NoSchedule taints; a node that never reported Ready is not-ready', () => {
  const keys = (status: Record<string, unknown>) => effectiveTaints({ status } as never).map((t) => `${t.key}:${t.effect}`);
  assert.deepEqual(keys({ conditions: [{ type: 'Ready', status: 'True' }] }), []);
  assert.deepEqual(keys({ conditions: [{ type: 'Ready', status: 'False' }] }), ['node.kubernetes.io/not-ready:NoSchedule']);
  assert.deepEqual(keys({ conditions: [{ type: 'Ready', status: 'Unknown' }] }), ['node.kubernetes.io/unreachable:NoSchedule']);
  assert.deepEqual(keys({}), ['node.kubernetes.io/not-ready:NoSchedule']);
  assert.deepEqual(keys({ conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'True' }] }), ['node.kubernetes.io/disk-pressure:NoSchedule']);
});

test('a condition taint the lifecycle controller already set is not doubled', () => {
  const node = { spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'Ready', status: 'False' }] } };
  assert.equal(effectiveTaints(node as never).length, 1);
});
