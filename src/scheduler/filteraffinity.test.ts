import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import { AFFINITY_REASON, nodeAffinityFilter } from './filteraffinity.js';
import { nodeInfoOf } from './nodeinfo.js';
import { podInfo } from './podinfo.js';

const node = nodeInfoOf({ metadata: { name: 'node-a', labels: { gpu: 'true', zone: 'a', cores: '16' } } });
const withSelector = (nodeSelector: Record<string, string>) => podInfo({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: [], nodeSelector } });
const withTerms = (...nodeSelectorTerms: NodeSelectorTerm[]) => podInfo({
  metadata: { name: 'p', namespace: 'd' },
  spec: { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } } },
});
const fits = (...matchExpressions: NodeSelectorRequirement[]) => nodeAffinityFilter(withTerms({ matchExpressions }), node) === undefined;

test('nodeSelector needs every label with its exact value', () => {
  assert.equal(nodeAffinityFilter(withSelector({ gpu: 'true', zone: 'a' }), node), undefined);
  assert.deepEqual(nodeAffinityFilter(withSelector({ gpu: 'false' }), node), { reasons: [AFFINITY_REASON], unresolvable: true });
  assert.equal(AFFINITY_REASON, "node(s) didn't match Pod's node affinity/selector");
});

test('match expressions: In, NotIn, Exists, DoesNotExist', () => {
  assert.equal(fits({ key: 'zone', operator: 'In', values: ['a', 'b'] }), true);
  assert.equal(fits({ key: 'zone', operator: 'In', values: ['b'] }), false);
  assert.equal(fits({ key: 'zone', operator: 'NotIn', values: ['b'] }), true);
  assert.equal(fits({ key: 'missing', operator: 'NotIn', values: ['b'] }), true);
  assert.equal(fits({ key: 'zone', operator: 'NotIn', values: ['a'] }), false);
  assert.equal(fits({ key: 'gpu', operator: 'Exists' }), true);
  assert.equal(fits({ key: 'missing', operator: 'Exists' }), false);
  assert.equal(fits({ key: 'missing', operator: 'DoesNotExist' }), true);
  assert.equal(fits({ key: 'gpu', operator: 'DoesNotExist' }), false);
});

test('Gt and Lt compare integers; a non-integer label or bound never matches', () => {
  assert.equal(fits({ key: 'cores', operator: 'Gt', values: ['8'] }), true);
  assert.equal(fits({ key: 'cores', operator: 'Gt', values: ['16'] }), false);
  assert.equal(fits({ key: 'cores', operator: 'Lt', values: ['32'] }), true);
  assert.equal(fits({ key: 'zone', operator: 'Gt', values: ['1'] }), false);
  assert.equal(fits({ key: 'cores', operator: 'Gt', values: ['x'] }), false);
  assert.equal(fits({ key: 'missing', operator: 'Lt', values: ['1'] }), false);
});

test('expressions in a term are ANDed, terms are ORed, an empty term matches nothing', () => {
  assert.equal(fits({ key: 'gpu', operator: 'Exists' }, { key: 'zone', operator: 'In', values: ['b'] }), false);
  assert.equal(nodeAffinityFilter(withTerms({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }), node), undefined);
  assert.notEqual(nodeAffinityFilter(withTerms({}), node), undefined);
});

test('matchFields selects on metadata.name', () => {
  assert.equal(nodeAffinityFilter(withTerms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] }), node), undefined);
  assert.notEqual(nodeAffinityFilter(withTerms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-b'] }] }), node), undefined);
  assert.equal(nodeAffinityFilter(withTerms({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-b'] }] }), node), undefined);
  assert.notEqual(nodeAffinityFilter(withTerms({ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['node-a'] }] }), node), undefined);
});

test('nodeSelector and affinity must both match', () => {
  const pod = podInfo({
    metadata: { name: 'p', namespace: 'd' },
    spec: { containers: [], nodeSelector: { gpu: 'true' }, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }] } } } },
  });
  assert.notEqual(nodeAffinityFilter(pod, node), undefined);
});
