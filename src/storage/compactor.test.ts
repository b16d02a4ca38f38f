import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Compactor } from './compactor.js';
import { SqliteStore } from './sqlite.js';
import { CompactedError } from './store.js';
import { WatchCache } from './watchcache.js';

test('each tick compacts to what the previous tick saw', async () => {
  const s = new SqliteStore(':memory:');
  const c = new Compactor(s);
  await s.create('/p/a', '1');
  assert.equal(await c.tick(), 0);
  await s.create('/p/b', '2');
  assert.equal(await c.tick(), 1);
  await assert.rejects(s.history('/p/', 0, 10), CompactedError);
  assert.equal((await s.history('/p/', 1, 10)).length, 1);
});

test('a restarted watch cache replays history since the last compaction', async () => {
  const s = new SqliteStore(':memory:');
  const a = await s.create('/p/a', '{"metadata":{"name":"a"}}');
  await s.update('/p/a', '{"metadata":{"name":"a","labels":{"x":"y"}}}', a.modRevision);
  await s.delete('/p/a');
  const cache = new WatchCache(s, '/p/');
  await cache.start();
  const seen: string[] = [];
  cache.watch(0, (e) => seen.push(`${e.type}@${e.rev}`));
  assert.deepEqual(seen, ['ADDED@1', 'MODIFIED@2', 'DELETED@3']);
});
