import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from './cache.js';
import { podInfo } from './podinfo.js';

const node = (name: string, labels: Record<string, string> = {}, heartbeat = 't0'): Node => ({
  metadata: { name, labels },
  status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat }] },
});
const pod = (name: string, cpu: string) => podInfo({ metadata: { name, namespace: 'd' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu } } }] } });

test('a node change matters only when what the filters read changes', () => {
  const cache = new SchedulerCache();
  assert.equal(cache.setNode(node('a')), true);
  assert.equal(cache.setNode(node('a', {}, 't1')), false, 'a heartbeat is no change');
  assert.equal(cache.setNode(node('a', { gpu: 'true' })), true);
  assert.deepEqual(cache.nodes.map((n) => n.name), ['a']);
});

test('an assumed pod holds its resources until its binding is confirmed or forgotten', () => {
  const cache = new SchedulerCache();
  cache.setNode(node('a'));
  const p = pod('p', '1');
  cache.assume(p, 'a');
  assert.equal(cache.isAssumed('d/p'), true);
  assert.equal(cache.nodes[0].requested.cpu, 1000);
  cache.setBoundPod('d/p', 'a', () => assert.fail('a confirmed assumption is not worked out again'));
  assert.equal(cache.isAssumed('d/p'), false);
  cache.forget('d/p');
  assert.equal(cache.nodes[0].requested.cpu, 1000, 'forget leaves a bound pod alone');
  assert.equal(cache.removePod('d/p'), true);
  assert.equal(cache.nodes[0].requested.cpu, 0);
  assert.equal(cache.nodes[0].podCount, 0);

  cache.assume(pod('q', '2'), 'a');
  cache.forget('d/q');
  assert.equal(cache.nodes[0].requested.cpu, 0);
  assert.equal(cache.removePod('d/q'), false);
});

test('a pod bound elsewhere than assumed moves', () => {
  const cache = new SchedulerCache();
  cache.setNode(node('a'));
  cache.setNode(node('b'));
  cache.assume(pod('p', '1'), 'a');
  cache.setBoundPod('d/p', 'b', () => pod('p', '1'));
  assert.deepEqual(cache.nodes.map((n) => n.requested.cpu), [0, 1000]);
});

test('pods bound to a node not yet seen are counted once it appears; a deleted node leaves the search', () => {
  const cache = new SchedulerCache();
  cache.setBoundPod('d/p', 'late', () => pod('p', '3'));
  assert.equal(cache.nodes.length, 0);
  cache.setNode(node('late'));
  assert.equal(cache.nodes[0].requested.cpu, 3000);
  cache.removeNode('late');
  assert.equal(cache.nodes.length, 0);
  cache.setNode(node('late'));
  assert.equal(cache.nodes[0].requested.cpu, 3000, 'accounting survives while the pod is bound there');
});
