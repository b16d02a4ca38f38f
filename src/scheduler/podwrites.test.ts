import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podScheduledFalse } from './podwrites.js';

const pod = (conditions: object[] = []): Pod => ({ metadata: { name: 'p', namespace: 'd' }, status: { conditions } } as Pod);

test('a new PodScheduled=False condition starts now', () => {
  assert.deepEqual(podScheduledFalse(pod(), 'Unschedulable', 'm', 'T1'), { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'm', lastTransitionTime: 'T1' });
});

test('the same condition again is not written; a new message keeps the transition time', () => {
  const current = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'm', lastTransitionTime: 'T0' };
  assert.equal(podScheduledFalse(pod([current]), 'Unschedulable', 'm', 'T1'), undefined);
  assert.equal(podScheduledFalse(pod([current]), 'Unschedulable', 'other', 'T1')?.lastTransitionTime, 'T0');
  assert.equal(podScheduledFalse(pod([{ ...current, status: 'True' }]), 'Unschedulable', 'm', 'T1')?.lastTransitionTime, 'T1');
});
