import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { taintsFilter } from './filtertaints.js';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo } from './podinfo.js';

const node = (taints: Taint[], ready = 'True') => nodeInfoOf({ metadata: { name: 'n' }, spec: { taints }, status: { conditions: [{ type: 'Ready', status: ready }] } });
const pod = (tolerations: Toleration[] = []) => podInfo({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [], tolerations } });

test('an untolerated NoSchedule or NoExecute taint keeps the pod out, named as upstream names it', () => {
  assert.deepEqual(taintsFilter(pod(), node([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])), {
    reasons: ['node(s) had untolerated taint {dedicated: gpu}'], unresolvable: true,
  });
  assert.deepEqual(taintsFilter(pod(), node([{ key: 'evict', effect: 'NoExecute' }]))?.reasons, ['node(s) had untolerated taint {evict: }']);
});

test('PreferNoSchedule does not filter; tolerated taints do not either', () => {
  assert.equal(taintsFilter(pod(), node([{ key: 'soft', effect: 'PreferNoSchedule' }])), undefined);
  assert.equal(taintsFilter(pod([{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }]), node([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])), undefined);
});

test('a node that is not Ready carries the not-ready taint', () => {
  assert.deepEqual(taintsFilter(pod(), node([], 'False'))?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  assert.equal(taintsFilter(pod([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }]), node([], 'False')), undefined);
  // The default tolerations (NoExecute, 300 s) do not cover the NoSchedule taint.
  assert.notEqual(taintsFilter(pod([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), node([], 'False')), undefined);
});
