import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnschedulablePods } from './unschedulablepods.js';

/** Waits until `done` holds; timers never fire early, only late, so only positive checks need patience. */
async function eventually(done: () => boolean): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i > 200) assert.fail('timed out');
    await sleep(10);
  }
}

test('each failed attempt doubles the wait before the retry, up to the maximum', async () => {
  const retried: number[] = [];
  const pods = new UnschedulablePods(() => retried.push(Date.now()), 30, 100);
  const first = Date.now();
  pods.add('a', {});
  await eventually(() => retried.length === 1);
  assert.ok(retried[0] - first >= 29);
  const third = Date.now();
  pods.add('a', {});
  pods.add('a', {});
  await eventually(() => retried.length === 2);
  // 30 × 2² = 120, capped at 100.
  assert.ok(retried[1] - third >= 99, `third attempt waited ${retried[1] - third} ms`);
  pods.stop();
});

test('retryAllSoon retries every pod once for a burst of events', async () => {
  const retried: string[] = [];
  const pods = new UnschedulablePods((key) => retried.push(key), 10_000);
  pods.add('a', {});
  pods.add('b', {});
  pods.retryAllSoon();
  pods.retryAllSoon();
  await sleep(5);
  assert.deepEqual(retried.sort(), ['a', 'b']);
  pods.stop();
});

test('a removed pod is not retried; a changed spec is noticed', async () => {
  const retried: string[] = [];
  const pods = new UnschedulablePods((key) => retried.push(key), 5);
  pods.add('a', { tolerations: [] });
  assert.equal(pods.specChanged('a', { tolerations: [] }), false);
  assert.equal(pods.specChanged('a', { tolerations: [{ key: 'k', operator: 'Exists' }] }), true);
  assert.equal(pods.specChanged('unknown', {}), false);
  pods.remove('a');
  assert.equal(pods.has('a'), false);
  await sleep(15);
  assert.deepEqual(retried, []);
  pods.stop();
});
