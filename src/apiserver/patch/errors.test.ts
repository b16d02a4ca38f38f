import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, UnsupportedPatchError } from './errors.js';

test('an unsupported patch type is not mistaken for a bad patch', () => {
  const e = new UnsupportedPatchError('no server-side apply');
  assert.ok(e instanceof Error);
  assert.ok(!(e instanceof PatchError));
  assert.equal(e.name, 'UnsupportedPatchError');
  assert.equal(new PatchError('x').name, 'PatchError');
});
