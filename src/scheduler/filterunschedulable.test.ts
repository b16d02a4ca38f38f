import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unschedulableFilter } from './filterunschedulable.js';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo } from './podinfo.js';

const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
const cordoned = nodeInfoOf({ metadata: { name: 'n' }, spec: { unschedulable: true }, status: ready });

test('a cordoned node is out, as upstream says it', () => {
  const pod = podInfo({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [] } });
  assert.deepEqual(unschedulableFilter(pod, cordoned), { reasons: ['node(s) were unschedulable'], unresolvable: true });
  assert.equal(unschedulableFilter(pod, nodeInfoOf({ metadata: { name: 'n' }, status: ready })), undefined);
});

test('unless the pod tolerates the unschedulable taint', () => {
  const pod = podInfo({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [], tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
  assert.equal(unschedulableFilter(pod, cordoned), undefined);
});
