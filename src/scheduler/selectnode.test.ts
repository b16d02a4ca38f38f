import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo } from './podinfo.js';
import { selectNode } from './selectnode.js';

const ready = { type: 'Ready', status: 'True' };
const node = (name: string, cpu: string, taints: Taint[] = []) => nodeInfoOf({ metadata: { name }, spec: { taints }, status: { allocatable: { cpu, memory: '8Gi' }, conditions: [ready] } });
const pod = podInfo({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] } });

test('the least allocated node wins', () => {
  assert.equal(selectNode(pod, [node('small', '2'), node('big', '16'), node('mid', '4')]).name, 'big');
});

test('an untolerated PreferNoSchedule taint outweighs spare resources', () => {
  assert.equal(selectNode(pod, [node('big-tainted', '16', [{ key: 'soft', effect: 'PreferNoSchedule' }]), node('small', '2')]).name, 'small');
});

test('ties are broken at random, each tied node equally likely', () => {
  const nodes = [node('a', '4'), node('b', '4'), node('c', '4'), node('worse', '2')];
  const picks = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const name = selectNode(pod, nodes).name;
    picks.set(name, (picks.get(name) ?? 0) + 1);
  }
  assert.equal(picks.get('worse'), undefined);
  for (const name of ['a', 'b', 'c']) assert.ok(picks.get(name)! > 800, `${name} picked ${picks.get(name)} times`);
});
