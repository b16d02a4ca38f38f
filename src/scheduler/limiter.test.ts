import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Limiter } from './limiter.js';

test('at most max holders; a release lets the first waiter in', async () => {
  const limiter = new Limiter(2);
  const order: string[] = [];
  await limiter.acquire();
  await limiter.acquire();
  const third = limiter.acquire().then(() => order.push('third'));
  const fourth = limiter.acquire().then(() => order.push('fourth'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, []);
  limiter.release();
  await third;
  assert.deepEqual(order, ['third']);
  limiter.release();
  await fourth;
  assert.deepEqual(order, ['third', 'fourth']);
  limiter.release();
  limiter.release();
  await limiter.acquire();
  await limiter.acquire();
});
