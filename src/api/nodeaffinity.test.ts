import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PodSpec } from 'kubernetes-types/core/v1.js';
import { nodeLabelsMatch, nodeSelectorMatches, requiredNodeAffinityMatches } from './nodeaffinity.js';

const node: Node = { metadata: { name: 'node-a', labels: { zone: 'a', cores: '16' } } };
const facts = { name: 'node-a', labels: { zone: 'a', cores: '16' } };

test('nodeSelector labels need their exact values', () => {
  assert.equal(nodeLabelsMatch({ zone: 'a' }, facts.labels), true);
  assert.equal(nodeLabelsMatch({ zone: 'b' }, facts.labels), false);
  assert.equal(nodeLabelsMatch({ gpu: '' }, facts.labels), false);
  assert.equal(nodeLabelsMatch({}, facts.labels), true);
});

test('terms are ORed, requirements ANDed, an empty term matches nothing', () => {
  const sel = (...nodeSelectorTerms: Parameters<typeof nodeSelectorMatches>[0]['nodeSelectorTerms']) => nodeSelectorMatches({ nodeSelectorTerms }, facts);
  assert.equal(sel({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }), true);
  assert.equal(sel({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'cores', operator: 'Lt', values: ['8'] }] }), false);
  assert.equal(sel({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }] }), true);
  assert.equal(sel({ matchFields: [{ key: 'metadata.labels', operator: 'Exists' }] }), false);
  assert.equal(sel({}), false);
  assert.equal(sel({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['99999999999999999999'] }] }), false);
});

test('a pod spec needs both its nodeSelector and its required affinity', () => {
  const spec = (s: Partial<PodSpec>): PodSpec => ({ containers: [], ...s });
  const affinity = (values: string[]): PodSpec['affinity'] => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values }] }] } } });
  assert.equal(requiredNodeAffinityMatches(spec({}), node), true);
  assert.equal(requiredNodeAffinityMatches(spec({ nodeSelector: { zone: 'a' }, affinity: affinity(['node-a']) }), node), true);
  assert.equal(requiredNodeAffinityMatches(spec({ nodeSelector: { zone: 'a' }, affinity: affinity(['node-b']) }), node), false);
  assert.equal(requiredNodeAffinityMatches(spec({ nodeSelector: { zone: 'b' } }), node), false);
});
