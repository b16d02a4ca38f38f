import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findCondition, isPodActive, isPodAvailable, isPodReady, isPodTerminal, isSidecar, isTerminalPhase } from './pods.js';

const pod = (phase: string, ready?: { status: string; at?: string }, deleting = false): Pod => ({
  metadata: { name: 'p', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  status: { phase, conditions: ready ? [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: ready.status, lastTransitionTime: ready.at }] : undefined },
});

test('phases: Succeeded and Failed are terminal; active is neither terminal nor deleting', () => {
  assert.equal(isTerminalPhase('Succeeded'), true);
  assert.equal(isTerminalPhase('Failed'), true);
  assert.equal(isTerminalPhase('Running'), false);
  assert.equal(isTerminalPhase(undefined), false);
  assert.equal(isPodTerminal(pod('Failed')), true);
  assert.equal(isPodActive(pod('Running')), true);
  assert.equal(isPodActive(pod('Pending', undefined, true)), false);
  assert.equal(isPodActive(pod('Succeeded')), false);
});

test('Ready and available for minReadySeconds', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  assert.equal(isPodReady(pod('Running', { status: 'True' })), true);
  assert.equal(isPodReady(pod('Running', { status: 'False' })), false);
  assert.equal(isPodReady(pod('Running')), false);
  const since = pod('Running', { status: 'True', at: '2026-01-01T00:00:30Z' });
  assert.equal(isPodAvailable(since, 0, now), true);
  assert.equal(isPodAvailable(since, 30, now), true);
  assert.equal(isPodAvailable(since, 31, now), false);
  assert.equal(isPodAvailable(pod('Running', { status: 'True' }), 5, now), false);
  assert.equal(findCondition(since.status?.conditions, 'PodScheduled')?.status, 'True');
  assert.equal(findCondition(undefined, 'Ready'), undefined);
});

test('a sidecar is an init container that restarts Always', () => {
  assert.equal(isSidecar({ name: 's', restartPolicy: 'Always' }), true);
  assert.equal(isSidecar({ name: 'i' }), false);
  assert.equal(isSidecar(undefined), false);
});
