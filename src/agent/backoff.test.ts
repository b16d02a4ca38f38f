import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.js';

test('delays double from 10 s to 300 s and reset after a long run', () => {
  const b = new Backoff();
  const delays = [0, 1, 2, 3, 4, 5, 6].map((i) => b.next('c', i * 1000, 100));
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  assert.equal(b.remaining('c', 6000), 300_000);
  assert.equal(b.next('c', 0, 600_000), 10_000);
  assert.equal(b.remaining('other', 0), 0);
});
