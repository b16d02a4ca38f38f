import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourcesFilter } from './filterresources.js';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo, type PodInfo } from './podinfo.js';

const pod = (name: string, requests: Record<string, string> = {}): PodInfo =>
  podInfo({ metadata: { name, namespace: 'd' }, spec: { containers: [{ name: 'c', resources: { requests } }] } });
const node = (allocatable: Record<string, string>, pods: PodInfo[] = []) => nodeInfoOf({ metadata: { name: 'n' }, status: { allocatable } }, pods);
const big = { cpu: '4', memory: '8Gi', pods: '110' };

test('requests fit what is allocatable minus what the pods there request', () => {
  const n = node(big, [pod('a', { cpu: '3', memory: '4Gi' })]);
  assert.equal(resourcesFilter(pod('p', { cpu: '1', memory: '4Gi' }), n), undefined);
  assert.deepEqual(resourcesFilter(pod('p', { cpu: '1001m' }), n), { reasons: ['Insufficient cpu'], unresolvable: false });
  assert.deepEqual(resourcesFilter(pod('p', { cpu: '2', memory: '5Gi' }), n)?.reasons, ['Insufficient cpu', 'Insufficient memory']);
});

test('extended resources a node does not offer are insufficient', () => {
  assert.deepEqual(resourcesFilter(pod('p', { 'example.com/gpu': '1' }), node(big))?.reasons, ['Insufficient example.com/gpu']);
  assert.equal(resourcesFilter(pod('p', { 'example.com/gpu': '1' }), node({ ...big, 'example.com/gpu': '2' })), undefined);
});

test('the pod count is checked even for pods that request nothing', () => {
  const n = node({ ...big, pods: '1' }, [pod('a')]);
  assert.deepEqual(resourcesFilter(pod('p'), n)?.reasons, ['Too many pods']);
  assert.deepEqual(resourcesFilter(pod('p', { cpu: '5' }), n)?.reasons, ['Too many pods', 'Insufficient cpu']);
});

test('an overcommitted node still takes a pod that requests none of the short resource', () => {
  const n = node(big, [pod('a', { cpu: '6' })]);
  assert.equal(resourcesFilter(pod('p', { memory: '1Gi' }), n), undefined);
});
