import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from './table.js';

test('humanDuration reads like kubectl AGE', () => {
  const s = 1000;
  assert.equal(humanDuration(5 * s), '5s');
  assert.equal(humanDuration(119 * s), '119s');
  assert.equal(humanDuration(150 * s), '2m30s');
  assert.equal(humanDuration(300 * s), '5m');
  assert.equal(humanDuration(90 * 60 * s), '90m');
  assert.equal(humanDuration(4 * 3600 * s + 60 * s), '4h1m');
  assert.equal(humanDuration(30 * 3600 * s), '30h');
  assert.equal(humanDuration(3 * 86400 * s + 5 * 3600 * s), '3d5h');
  assert.equal(humanDuration(400 * 86400 * s), '400d');
  assert.equal(humanDuration(-500), '0s');
});
