import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationSeconds } from './duration.js';

test('Go-style durations and plain seconds', () => {
  assert.equal(parseDurationSeconds('1h', '--x'), 3600);
  assert.equal(parseDurationSeconds('1h30m', '--x'), 5400);
  assert.equal(parseDurationSeconds('90s', '--x'), 90);
  assert.equal(parseDurationSeconds('1.5m', '--x'), 90);
  assert.equal(parseDurationSeconds('42', '--x'), 42);
  assert.throws(() => parseDurationSeconds('1d', '--event-ttl'), /--event-ttl wants a duration/);
  assert.throws(() => parseDurationSeconds('0s', '--event-ttl'), /at least 1s/);
});
