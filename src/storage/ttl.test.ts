import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite.js';
import type { StoreEvent } from './store.js';
import { TtlSweeper } from './ttl.js';

const TTL = [{ prefix: '/registry/events/', seconds: 60 }];

test('keys under a TTL prefix expire as deletes that watchers see; others stay', async () => {
  const s = new SqliteStore(':memory:', { ttl: TTL });
  const t0 = Date.now();
  await s.create('/registry/events/default/e1', '{"n":1}');
  await s.create('/registry/pods/default/p', '{}');
  const seen: StoreEvent[] = [];
  await s.watch('/registry/', await s.revision(), (evs) => seen.push(...evs));
  const sweeper = new TtlSweeper(s);
  assert.equal(await sweeper.tick(t0 + 59_000), 0, 'not yet');
  assert.equal(await sweeper.tick(t0 + 61_000 + 1000), 1);
  assert.equal(await s.get('/registry/events/default/e1'), undefined);
  assert.ok(await s.get('/registry/pods/default/p'), 'no TTL outside the prefix');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].type, 'delete');
  assert.equal(seen[0].kv.key, '/registry/events/default/e1');
  assert.equal(seen[0].kv.value, '{"n":1}', 'the delete carries the last value');
  assert.equal(await sweeper.tick(t0 + 3_600_000), 0, 'the lease went with the key');
  await s.close();
});

test('a write renews the lease; a delete drops it', async () => {
  const s = new SqliteStore(':memory:', { ttl: TTL });
  const t0 = Date.now();
  const kv = await s.create('/registry/events/default/e1', '{"count":1}');
  await s.create('/registry/events/default/e2', '{}');
  await s.delete('/registry/events/default/e2');
  await new Promise((r) => setTimeout(r, 20));
  await s.update('/registry/events/default/e1', '{"count":2}', kv.modRevision);
  const renewed = Date.now();
  // Expired as of the first write, not as of the second.
  assert.equal(await s.expire(t0 + 60_000 + 10), 0);
  assert.equal(await s.expire(renewed + 60_000), 1);
  assert.equal((await s.list('/registry/events/')).items.length, 0);
  await s.close();
});

test('leases survive a restart of the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-ttl-'));
  try {
    const path = join(dir, 'state.db');
    const a = new SqliteStore(path, { ttl: TTL });
    await a.create('/registry/events/default/e1', '{}');
    await a.close();
    const b = new SqliteStore(path, { ttl: TTL });
    assert.equal(await b.expire(Date.now() + 61_000), 1);
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store without TTL prefixes expires nothing; the sweeper runs on its interval until stopped', async () => {
  const plain = new SqliteStore(':memory:');
  await plain.create('/registry/events/default/e1', '{}');
  assert.equal(await plain.expire(Number.MAX_SAFE_INTEGER), 0);
  await plain.close();
  let calls = 0;
  const sweeper = new TtlSweeper({ expire: async () => { calls++; return 0; } }, 10);
  sweeper.start();
  await new Promise((r) => setTimeout(r, 55));
  sweeper.stop();
  const after = calls;
  assert.ok(after >= 2, `swept ${after} times`);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(calls, after, 'no sweep after stop');
});
