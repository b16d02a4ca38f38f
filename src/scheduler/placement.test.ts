import { test } from 'node:test';
import assert from 'node:assert/strict';
import { feasibleNodesToFind, findPlacement } from './placement.js';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo } from './podinfo.js';

const nodes = (n: number, labels: (i: number) => Record<string, string> = () => ({})) => Array.from({ length: n }, (_, i) => nodeInfoOf({
  metadata: { name: `node-${i}`, labels: labels(i) },
  status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
}));
const pod = (spec: object = {}) => podInfo({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c' }], ...spec } });

test('small clusters are searched whole, large ones in part, as upstream', () => {
  assert.equal(feasibleNodesToFind(50), 50);
  assert.equal(feasibleNodesToFind(100), 100);
  assert.equal(feasibleNodesToFind(1000), 420);
  assert.equal(feasibleNodesToFind(5000), 500);
  assert.equal(feasibleNodesToFind(10000), 500);
  assert.equal(feasibleNodesToFind(150), 100);
});

test('a large cluster stops the search once enough nodes fit, starting where told', () => {
  const all = nodes(1000);
  const placement = findPlacement(pod(), all, 990);
  assert.ok('node' in placement);
  assert.equal(placement.evaluated, 420);
});

test('when no node fits, the message counts every node', () => {
  const placement = findPlacement(pod({ nodeSelector: { gpu: 'true' } }), nodes(3, (i): Record<string, string> => (i === 0 ? { gpu: 'false' } : {})), 0);
  assert.deepEqual(placement, {
    message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
  });
});

test('only a feasible node is chosen', () => {
  const placement = findPlacement(pod({ nodeSelector: { gpu: 'true' } }), nodes(5, (i): Record<string, string> => (i === 3 ? { gpu: 'true' } : {})), 4);
  assert.ok('node' in placement && placement.node.name === 'node-3');
});

test('no nodes', () => {
  assert.deepEqual(findPlacement(pod(), [], 0), { message: 'no nodes available to schedule pods' });
});
