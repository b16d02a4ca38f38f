import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import { parseFieldSelector } from './fieldselector.js';

test('=, == and != with escapes', () => {
  const s = parseFieldSelector('metadata.name=a\\,b,status.phase!=Running');
  assert.deepEqual(s.requirements, [{ field: 'metadata.name', operator: '=', value: 'a,b' }, { field: 'status.phase', operator: '!=', value: 'Running' }]);
  assert.equal(s.matches({ 'metadata.name': 'a,b', 'status.phase': 'Pending' }), true);
  assert.equal(s.matches({ 'metadata.name': 'a,b', 'status.phase': 'Running' }), false);
  assert.equal(parseFieldSelector('spec.nodeName==').matches({ 'spec.nodeName': '' }), true);
  assert.equal(parseFieldSelector('').empty(), true);
});

test('malformed field selectors are 400 BadRequest', () => {
  for (const bad of ['nofield', '=x', 'a=b,c', 'a=\\q']) {
    assert.throws(() => parseFieldSelector(bad), (e: unknown) => e instanceof ApiError && e.code === 400, bad);
  }
});
