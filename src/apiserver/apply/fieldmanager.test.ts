import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { configMapStrategy } from '../../api/resources/configdata.js';
import type { KubeObject } from '../../api/strategy.js';
import { applyOptions, FieldManager } from './fieldmanager.js';
import type { ManagedFieldsEntry } from './managedfields.js';

const fields = new FieldManager(configMapStrategy.resource);
const cm = (data: Record<string, string>, name?: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: name ? { name } : {}, data } as KubeObject);
const managers = (o: KubeObject) => (o.metadata.managedFields as ManagedFieldsEntry[]).map((e) => `${e.manager}:${e.operation}`);
const isBadRequest = (e: unknown) => e instanceof ApiError && e.code === 400;

test('apply options: the manager is required and at most 128 long; force only when true', () => {
  assert.deepEqual(applyOptions(new URLSearchParams('fieldManager=me&force=true')), { manager: 'me', force: true });
  assert.deepEqual(applyOptions(new URLSearchParams('fieldManager=me')), { manager: 'me', force: false });
  assert.throws(() => applyOptions(new URLSearchParams('')), isBadRequest);
  assert.throws(() => applyOptions(new URLSearchParams(`fieldManager=${'m'.repeat(129)}`)), isBadRequest);
});

test('apply names a new object from the URL, and refuses a different name or kind', () => {
  const created = fields.apply(undefined, 'x', { configuration: cm({ a: '1' }), manager: 'me', force: false });
  assert.equal(created.metadata.name, 'x');
  assert.deepEqual(managers(created), ['me:Apply']);
  assert.throws(() => fields.apply(undefined, 'x', { configuration: cm({ a: '1' }, 'y'), manager: 'me', force: false }), isBadRequest);
  assert.throws(() => fields.checkConfiguration({ ...cm({}), kind: 'Secret' }), isBadRequest);
  fields.checkConfiguration(cm({}));
});

test('an ordinary update takes the fields it changes; untracked objects stay untracked', () => {
  const live = fields.apply(undefined, 'x', { configuration: cm({ a: '1' }), manager: 'me', force: false });
  const next = structuredClone(live);
  (next as unknown as { data: Record<string, string> }).data.a = '2';
  fields.update(live, next, 'editor', undefined);
  assert.deepEqual(managers(next), ['editor:Update']);
  const plain = cm({ a: '1' }, 'p');
  const changed = cm({ a: '2' }, 'p');
  fields.update(plain, changed, 'editor', undefined);
  assert.equal(changed.metadata.managedFields, undefined);
});
