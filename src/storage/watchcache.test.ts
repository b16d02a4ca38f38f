import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from './sqlite.js';
import { TooOldError, WatchCache, type CacheEvent } from './watchcache.js';

const obj = (name: string, extra: object = {}) => JSON.stringify({ metadata: { name }, ...extra });
const names = (cs: { obj: unknown }[]) => cs.map((c) => (c.obj as { metadata: { name: string } }).metadata.name);
const brief = (e: CacheEvent) => `${e.type} ${e.key}@${e.rev}`;

async function started(capacity?: number): Promise<{ s: SqliteStore; cache: WatchCache }> {
  const s = new SqliteStore(':memory:');
  const cache = new WatchCache(s, '/registry/pods/', capacity);
  await cache.start();
  return { s, cache };
}

test('live events: ADDED, MODIFIED with the previous object, DELETED; objects carry their resourceVersion', async () => {
  const { s, cache } = await started();
  const seen: CacheEvent[] = [];
  cache.watch(cache.revision, (e) => seen.push(e));
  const a = await s.create('/registry/pods/ns1/a', obj('a'));
  await s.update('/registry/pods/ns1/a', obj('a', { spec: { n: 2 } }), a.modRevision);
  await s.delete('/registry/pods/ns1/a');
  await s.create('/registry/services/ns1/x', obj('x')); // another resource: not ours
  assert.deepEqual(seen.map(brief), ['ADDED /registry/pods/ns1/a@1', 'MODIFIED /registry/pods/ns1/a@2', 'DELETED /registry/pods/ns1/a@3']);
  assert.equal(seen[1].prev?.rev, 1);
  assert.deepEqual((seen[1].object.obj as { spec: unknown }).spec, { n: 2 });
  assert.equal(seen[1].object.obj.metadata?.resourceVersion, '2');
  assert.equal(JSON.parse(seen[1].object.json).metadata.resourceVersion, '2');
  assert.equal(cache.get('/registry/pods/ns1/a'), undefined);
  assert.equal(cache.revision, 3);
  assert.equal(await cache.sync(), 4, 'sync catches up with writes to other resources');
  cache.stop();
  await s.close();
});

test('a watch resumes after a given revision from the window, then goes on live', async () => {
  const { s, cache } = await started();
  for (const n of ['a', 'b', 'c']) await s.create(`/registry/pods/ns1/${n}`, obj(n));
  const seen: string[] = [];
  cache.watch(1, (e) => seen.push(brief(e)));
  assert.deepEqual(seen, ['ADDED /registry/pods/ns1/b@2', 'ADDED /registry/pods/ns1/c@3'], 'replayed synchronously');
  await s.create('/registry/pods/ns1/d', obj('d'));
  assert.deepEqual(seen.slice(2), ['ADDED /registry/pods/ns1/d@4']);
  const none: string[] = [];
  cache.watch(4, (e) => none.push(brief(e)));
  assert.deepEqual(none, [], 'nothing after the newest revision');
  cache.stop();
  await s.close();
});

test('410 Gone: a watch or a past list from before the window throws TooOldError', async () => {
  const { s, cache } = await started(4);
  for (let i = 0; i < 10; i++) await s.create(`/registry/pods/ns1/p${i}`, obj(`p${i}`));
  // The window keeps between capacity and 1.25 × capacity events.
  assert.throws(() => cache.watch(1, () => {}), (e: unknown) => e instanceof TooOldError && e.requested === 1 && e.oldest > 1);
  assert.throws(() => cache.listAt('/registry/pods/', 2, ''), TooOldError);
  const seen: number[] = [];
  cache.watch(7, (e) => seen.push(e.rev));
  assert.deepEqual(seen, [8, 9, 10], 'recent revisions still resume');
  cache.stop();
  await s.close();
});

test('lists filter by key prefix (a namespace) and page after a key, now and as of a past revision', async () => {
  const { s, cache } = await started();
  await s.create('/registry/pods/ns1/a', obj('a'));
  await s.create('/registry/pods/ns2/b', obj('b'));
  const c = await s.create('/registry/pods/ns1/c', obj('c'));
  const snapshot = cache.revision;
  await s.create('/registry/pods/ns1/d', obj('d'));
  await s.update('/registry/pods/ns1/c', obj('c', { spec: { v: 2 } }), c.modRevision);
  await s.delete('/registry/pods/ns1/a');
  assert.deepEqual(names(cache.list('/registry/pods/ns1/')), ['c', 'd']);
  assert.deepEqual(names(cache.list('/registry/pods/')), ['c', 'd', 'b']);
  assert.deepEqual(names(cache.list('/registry/pods/ns3/')), []);
  const past = cache.listAt('/registry/pods/ns1/', snapshot, '');
  assert.deepEqual(names(past), ['a', 'c'], 'as of the snapshot: a not yet deleted, d not yet created');
  assert.equal(past[1].rev, 3, 'c as it was');
  assert.deepEqual(names(cache.listAt('/registry/pods/ns1/', snapshot, '/registry/pods/ns1/a')), ['c'], 'the next page');
  assert.deepEqual(names(cache.listAt('/registry/pods/', cache.revision, '/registry/pods/ns1/d')), ['b']);
  cache.stop();
  await s.close();
});

test('fan-out: every watcher gets every event; one unsubscribing leaves the others', async () => {
  const { s, cache } = await started();
  const a: string[] = [];
  const b: string[] = [];
  const stopA = cache.watch(0, (e) => a.push(brief(e)));
  cache.watch(0, (e) => b.push(brief(e)));
  await s.create('/registry/pods/ns1/x', obj('x'));
  stopA();
  await s.create('/registry/pods/ns1/y', obj('y'));
  assert.deepEqual(a, ['ADDED /registry/pods/ns1/x@1']);
  assert.deepEqual(b, ['ADDED /registry/pods/ns1/x@1', 'ADDED /registry/pods/ns1/y@2']);
  cache.stop();
  await s.close();
});

test('waitFor resolves once the cache has seen a revision, or times out with "Too large resource version"', async () => {
  const { s, cache } = await started();
  await s.create('/registry/pods/ns1/x', obj('x'));
  await cache.waitFor(1);
  await assert.rejects(cache.waitFor(99, 50), /Too large resource version: 99/);
  cache.stop();
  await s.close();
});

test('stop: no events after it, for any watcher', async () => {
  const { s, cache } = await started();
  const seen: string[] = [];
  cache.watch(0, (e) => seen.push(brief(e)));
  cache.stop();
  await s.create('/registry/pods/ns1/x', obj('x'));
  assert.deepEqual(seen, []);
  assert.equal(cache.get('/registry/pods/ns1/x'), undefined, 'the cache no longer follows the store');
  await s.close();
});
