import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo } from './podinfo.js';
import { taintScores, untoleratedPreferNoSchedule } from './scoretaints.js';

test('counts only untolerated PreferNoSchedule taints', () => {
  const node = nodeInfoOf({ metadata: { name: 'n' }, spec: { taints: [
    { key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }, { key: 'c', effect: 'NoSchedule' },
  ] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  const pod = (tolerations = [{ key: 'a', operator: 'Exists' }]) => podInfo({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [], tolerations } });
  assert.equal(untoleratedPreferNoSchedule(pod([]), node), 2);
  assert.equal(untoleratedPreferNoSchedule(pod(), node), 1);
});

test('scores are reversed and normalised against the worst node', () => {
  assert.deepEqual(taintScores([0, 0]), [100, 100]);
  assert.deepEqual(taintScores([0, 1, 2]), [100, 50, 0]);
  assert.deepEqual(taintScores([1, 3]), [67, 0]);
});
