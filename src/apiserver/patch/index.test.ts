import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, PatchError, UnsupportedPatchError } from './index.js';
import { podSchema } from '../../../test/helpers/podpatchschema.js';

const live = { metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } };

test('strategic merge patch merges lists by the schema; merge patch replaces them', () => {
  const patch = { spec: { containers: [{ name: 'a', image: 'a:2' }] } };
  assert.deepEqual(applyPatch('application/strategic-merge-patch+json', live, patch, podSchema), {
    metadata: live.metadata,
    spec: { containers: [{ name: 'a', image: 'a:2' }, { name: 'b', image: 'b:1' }] },
  });
  assert.deepEqual(applyPatch('application/merge-patch+json', live, patch, podSchema), { metadata: live.metadata, spec: patch.spec });
});

test('JSON patch is dispatched, ignoring media type parameters and case', () => {
  const ops = [{ op: 'replace', path: '/metadata/labels/app', value: 'api' }];
  const result = applyPatch('Application/JSON-Patch+json; charset=utf-8', live, ops);
  assert.deepEqual(result, { ...live, metadata: { name: 'p', labels: { app: 'api' } } });
});

test('server-side apply is unsupported; unknown types are bad patches', () => {
  assert.throws(() => applyPatch('application/apply-patch+yaml', live, {}), UnsupportedPatchError);
  assert.throws(() => applyPatch('application/json', live, {}), (e: unknown) => e instanceof PatchError && /unsupported patch type "application\/json"/.test(e.message));
});
