import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metaTime, microTime } from './time.js';

test('metav1.Time drops the fraction, MicroTime keeps six digits', () => {
  const at = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
  assert.equal(metaTime(at), '2026-11-23T12:00:00Z');
  assert.equal(metaTime(new Date(at)), '2026-11-23T12:00:00Z');
  assert.equal(microTime(at), '2026-11-23T12:00:00.123000Z');
  assert.equal(microTime(new Date(at)), '2026-11-23T12:00:00.123000Z');
  assert.match(microTime(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});
