import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, PodSpec } from 'kubernetes-types/core/v1.js';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, nodeAllocatable, podRequests } from './resources.js';

const c = (name: string, requests?: Record<string, string>, restartPolicy?: string): Container =>
  ({ name, image: 'x', ...(requests ? { resources: { requests } } : {}), ...(restartPolicy ? { restartPolicy } : {}) });

test('containers add up; zero requests are left out', () => {
  const r = podRequests({ containers: [c('a', { cpu: '100m', memory: '64Mi' }), c('b', { cpu: '1.5', 'example.com/gpu': '1', memory: '0' })] });
  assert.deepEqual(r.amounts, { cpu: 1600, memory: 64 * 2 ** 20, 'example.com/gpu': 1 });
});

test('an init container needs room only while it runs: the pod needs the larger phase, plus overhead', () => {
  const spec: PodSpec = {
    initContainers: [c('init', { cpu: '2', memory: '3G' })],
    containers: [c('a', { cpu: '1', memory: '1G' }), c('b', { cpu: '1', memory: '1G' })],
    overhead: { cpu: '250m' },
  };
  assert.deepEqual(podRequests(spec).amounts, { cpu: 2250, memory: 3e9 });
});

test('sidecars run beside the containers and beside the init containers after them', () => {
  const spec: PodSpec = {
    initContainers: [c('sidecar', { cpu: '500m' }, 'Always'), c('init', { cpu: '2' })],
    containers: [c('a', { cpu: '1' })],
  };
  // init phase: 2 + 0.5 sidecar; run phase: 1 + 0.5.
  assert.equal(podRequests(spec).amounts.cpu, 2500);
});

test('non-zero requests default per container, for scoring', () => {
  const r = podRequests({ containers: [c('a'), c('b', { cpu: '300m' })] });
  assert.deepEqual(r.amounts, { cpu: 300 });
  assert.equal(r.nonZeroMilliCpu, DEFAULT_MILLI_CPU_REQUEST + 300);
  assert.equal(r.nonZeroMemory, 2 * DEFAULT_MEMORY_REQUEST);
});

test('node allocatable in the same units', () => {
  assert.deepEqual(nodeAllocatable({ status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } }), { cpu: 4000, memory: 8 * 2 ** 30, pods: 110 });
  assert.deepEqual(nodeAllocatable({}), {});
});
