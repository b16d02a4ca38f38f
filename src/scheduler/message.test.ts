import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_NODES_MESSAGE, truncateForEvent, unschedulableMessage } from './message.js';

const affinity = { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true };
const taint = { reasons: ['node(s) had untolerated taint {dedicated: gpu}'], unresolvable: true };
const cpu = { reasons: ['Insufficient cpu'], unresolvable: false };
const cpuMemory = { reasons: ['Insufficient cpu', 'Insufficient memory'], unresolvable: false };

test('one node failing affinity reads as upstream prints it', () => {
  assert.equal(unschedulableMessage(1, [affinity]),
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
});

test('reasons are counted and sorted; resolvable ones report no preemption victims', () => {
  assert.equal(unschedulableMessage(4, [cpuMemory, cpu, taint, affinity]),
    "0/4 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. "
    + 'preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.');
});

test('counts sort as strings, as Go sorts them', () => {
  const message = unschedulableMessage(12, [...Array(10).fill(cpu), affinity, affinity]);
  assert.match(message, /^0\/12 nodes are available: 10 Insufficient cpu, 2 node\(s\) didn't match/);
});

test('a pod that may not preempt says so', () => {
  assert.equal(unschedulableMessage(1, [cpu], 'Never'), '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
});

test('no nodes at all', () => {
  assert.equal(unschedulableMessage(0, []), NO_NODES_MESSAGE);
  assert.equal(NO_NODES_MESSAGE, 'no nodes available to schedule pods');
});

test('event messages are cut to the note limit', () => {
  assert.equal(truncateForEvent('short'), 'short');
  const long = truncateForEvent('x'.repeat(2000));
  assert.equal(long.length, 1024);
  assert.ok(long.endsWith('x ...'));
});
