import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchSchemaFor } from './index.js';

test('pod containers merge by name; their ports, env and mounts by their own keys', () => {
  const pod = patchSchemaFor('', 'v1', 'Pod');
  assert.ok(pod);
  assert.equal(pod.type, 'object');
  const containers = pod.field('spec')?.field('containers');
  assert.equal(containers?.type, 'list');
  assert.equal(containers?.patchStrategy, 'merge');
  assert.equal(containers?.patchMergeKey, 'name');
  const container = containers?.items;
  assert.equal(container?.type, 'object');
  assert.equal(container?.field('ports')?.patchMergeKey, 'containerPort');
  assert.equal(container?.field('env')?.patchMergeKey, 'name');
  assert.equal(container?.field('volumeMounts')?.patchMergeKey, 'mountPath');
  assert.equal(container?.field('args')?.patchStrategy, undefined);
  assert.equal(container?.field('image')?.type, 'primitive');
  assert.equal(container?.field('nosuchfield'), undefined);
});

test('volumes merge and retain keys; metadata lists and maps', () => {
  const pod = patchSchemaFor('', 'v1', 'Pod')!;
  const volumes = pod.field('spec')?.field('volumes');
  assert.equal(volumes?.patchStrategy, 'merge,retainKeys');
  assert.equal(volumes?.patchMergeKey, 'name');
  const meta = pod.field('metadata')!;
  assert.equal(meta.field('finalizers')?.patchStrategy, 'merge');
  assert.equal(meta.field('ownerReferences')?.patchMergeKey, 'uid');
  const labels = meta.field('labels');
  assert.equal(labels?.type, 'map');
  assert.equal(labels?.field('any-key')?.type, 'primitive');
  assert.equal(pod.field('status')?.field('conditions')?.patchMergeKey, 'type');
  // Quantities are values, not objects.
  assert.equal(pod.field('spec')?.field('containers')?.items?.field('resources')?.field('limits')?.field('cpu')?.type, 'primitive');
});

test('apps and batch kinds; unknown kinds have no schema', () => {
  const strategy = patchSchemaFor('apps', 'v1', 'Deployment')?.field('spec')?.field('strategy');
  assert.equal(strategy?.type, 'object');
  assert.equal(strategy?.patchStrategy, 'retainKeys');
  const template = patchSchemaFor('batch', 'v1', 'Job')?.field('spec')?.field('template')?.field('spec')?.field('containers');
  assert.equal(template?.patchMergeKey, 'name');
  assert.equal(patchSchemaFor('', 'v1', 'NoSuchKind'), undefined);
});

test('nodes are built once and shared', () => {
  const a = patchSchemaFor('', 'v1', 'Pod')!.field('spec');
  const b = patchSchemaFor('', 'v1', 'Pod')!.field('spec');
  assert.equal(a, b);
});
