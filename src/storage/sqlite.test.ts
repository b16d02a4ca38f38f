import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, prefixEnd } from './sqlite.js';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError, type StoreEvent } from './store.js';

const fresh = () => new SqliteStore(':memory:');

test('every write increments one global revision', async () => {
  const s = fresh();
  const a = await s.create('/a', '1');
  const b = await s.create('/b', '2');
  const a2 = await s.update('/a', '3', a.modRevision);
  assert.deepEqual([a.modRevision, b.modRevision, a2.modRevision], [1, 2, 3]);
  assert.equal(a2.createRevision, 1);
  assert.equal(await s.revision(), 3);
  const d = await s.delete('/b');
  assert.equal(d.modRevision, 4);
  assert.equal(d.value, '2');
});

test('create is create-if-absent; update and delete compare the mod revision', async () => {
  const s = fresh();
  const a = await s.create('/a', '1');
  await assert.rejects(s.create('/a', 'x'), KeyExistsError);
  await assert.rejects(s.update('/a', 'x', a.modRevision + 5), RevisionMismatchError);
  await assert.rejects(s.delete('/a', a.modRevision + 5), RevisionMismatchError);
  await assert.rejects(s.update('/missing', 'x', 1), KeyNotFoundError);
  assert.equal((await s.get('/a'))?.value, '1');
});

test('list by prefix is sorted by key and excludes deleted keys', async () => {
  const s = fresh();
  await s.create('/p/b', 'b');
  await s.create('/p/a', 'a');
  await s.create('/q/a', 'q');
  await s.create('/p/c', 'c');
  await s.delete('/p/c');
  const l = await s.list('/p/');
  assert.deepEqual(l.items.map((i) => i.key), ['/p/a', '/p/b']);
  assert.equal(l.revision, 5);
  assert.equal(prefixEnd('/p/'), '/p0');
});

test('watch replays history from a revision, then streams live events', async () => {
  const s = fresh();
  const a = await s.create('/p/a', '1');
  await s.update('/p/a', '2', a.modRevision);
  await s.create('/other', 'x');
  const seen: StoreEvent[] = [];
  const stop = await s.watch('/p/', 1, (ev) => seen.push(...ev));
  await s.delete('/p/a');
  stop();
  await s.create('/p/b', 'late');
  assert.deepEqual(seen.map((e) => [e.type, e.kv.modRevision, e.kv.value, e.prev?.value]), [
    ['put', 2, '2', '1'],
    ['delete', 4, '2', '2'],
  ]);
});

test('compaction forgets history but keeps current values; revisions keep increasing', async () => {
  const s = fresh();
  const a = await s.create('/p/a', '1');
  await s.update('/p/a', '2', a.modRevision);
  await s.create('/p/b', 'b');
  await s.delete('/p/b');
  await s.compact(4);
  await assert.rejects(s.watch('/p/', 1, () => {}), CompactedError);
  assert.equal((await s.get('/p/a'))?.value, '2');
  const c = await s.create('/p/c', 'c');
  assert.equal(c.modRevision, 5);
});

test('state survives reopening the database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tk-sqlite-'));
  try {
    const path = join(dir, 'state.db');
    const s1 = new SqliteStore(path);
    await s1.create('/a', '1');
    await s1.close();
    const s2 = new SqliteStore(path);
    assert.equal((await s2.get('/a'))?.value, '1');
    assert.equal((await s2.create('/b', '2')).modRevision, 2);
    await s2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writes in one turn share a commit; a failed precondition refuses only that write', async () => {
  const s = fresh();
  const results = await Promise.allSettled([s.create('/a', '1'), s.create('/a', '2'), s.create('/b', '3'), s.update('/zz', 'x', 1)]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
  assert.ok((results[1] as PromiseRejectedResult).reason instanceof KeyExistsError);
  assert.ok((results[3] as PromiseRejectedResult).reason instanceof KeyNotFoundError);
  assert.equal((await s.get('/a'))?.value, '1');
  assert.equal(await s.revision(), 2);
});
