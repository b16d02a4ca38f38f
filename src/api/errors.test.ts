import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alreadyExists, ApiError, conflict, gone, isAlreadyExists, isConflict, isGone, isInvalid, isNotFound, notFound } from './errors.js';

const pods = { group: '', plural: 'pods' };

test('error predicates tell the status codes and reasons apart', () => {
  assert.ok(isNotFound(notFound(pods, 'a')));
  assert.ok(!isNotFound(new Error('404')));
  assert.ok(!isNotFound(undefined));
  assert.ok(isConflict(conflict(pods, 'a', 'changed')));
  assert.ok(!isConflict(alreadyExists(pods, 'a')));
  assert.ok(isAlreadyExists(alreadyExists(pods, 'a')));
  assert.ok(!isAlreadyExists(conflict(pods, 'a', 'changed')));
  assert.ok(isGone(gone('too old')));
  assert.ok(isInvalid(new ApiError(422, 'Invalid', 'bad')));
  assert.ok(!isInvalid(notFound(pods, 'a')));
});
