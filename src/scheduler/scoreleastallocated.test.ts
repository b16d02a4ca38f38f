import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo } from './podinfo.js';
import { leastAllocatedScore } from './scoreleastallocated.js';

const pod = (requests: Record<string, string>) => podInfo({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c', resources: { requests } }] } });
const node = (allocatable: Record<string, string>, ...pods: ReturnType<typeof pod>[]) => nodeInfoOf({ metadata: { name: 'n' }, status: { allocatable } }, pods);

test('the share of cpu and memory left after placing the pod, averaged', () => {
  // cpu: (4000 - 1000) * 100 / 4000 = 75; memory: (8Gi - 2Gi) * 100 / 8Gi = 75.
  assert.equal(leastAllocatedScore(pod({ cpu: '1', memory: '2Gi' }), node({ cpu: '4', memory: '8Gi' })), 75);
  // cpu 50, memory 99 (one byte of 8Gi taken): integer division as upstream, 149 / 2 = 74.
  assert.equal(leastAllocatedScore(pod({ cpu: '1', memory: '1' }), node({ cpu: '2', memory: '8Gi' })), 74);
});

test('pods already on the node count, requests of none count as upstream defaults', () => {
  const busy = node({ cpu: '4', memory: '8Gi' }, pod({ cpu: '2', memory: '4Gi' }));
  assert.ok(leastAllocatedScore(pod({ cpu: '1', memory: '1Gi' }), busy) < leastAllocatedScore(pod({ cpu: '1', memory: '1Gi' }), node({ cpu: '4', memory: '8Gi' })));
  // 100m and 200Mi: cpu (1000-100)*100/1000 = 90, memory (1000Mi-200Mi)*100/1000Mi = 80.
  assert.equal(leastAllocatedScore(pod({}), node({ cpu: '1', memory: '1000Mi' })), 85);
});

test('over capacity scores 0; a resource the node does not report is left out', () => {
  assert.equal(leastAllocatedScore(pod({ cpu: '8', memory: '8Gi' }), node({ cpu: '4', memory: '8Gi' })), 0);
  assert.equal(leastAllocatedScore(pod({ cpu: '1' }), node({ cpu: '4' })), 75);
  assert.equal(leastAllocatedScore(pod({ cpu: '1' }), node({})), 0);
});
