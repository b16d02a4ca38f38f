import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachLimited, SharedLock, SingleFlight } from './concurrency.js';

const tick = () => new Promise((r) => setImmediate(r));

test('SingleFlight runs concurrent calls for a key once and fans out events', async () => {
  const flights = new SingleFlight<string, number>();
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const work = async (emit: (n: number) => void) => {
    runs++;
    await gate;
    emit(42);
    return 'done';
  };
  const seen: string[] = [];
  const a = flights.run('k', work, (n) => seen.push(`a${n}`));
  const b = flights.run('k', work, (n) => seen.push(`b${n}`));
  const other = flights.run('other', async () => 'other');
  release();
  assert.deepEqual(await Promise.all([a, b, other]), ['done', 'done', 'other']);
  assert.equal(runs, 1);
  assert.deepEqual(seen, ['a42', 'b42']);
  await flights.run('k', work);
  assert.equal(runs, 2, 'a finished run is not reused');
  await assert.rejects(flights.run('bad', async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await flights.run('bad', async () => 'retried'), 'retried');
});

test('SharedLock: shared holders overlap, an exclusive holder waits for them and blocks later ones', async () => {
  const lock = new SharedLock();
  const log: string[] = [];
  let releaseShared!: () => void;
  const sharedGate = new Promise<void>((r) => (releaseShared = r));
  const s1 = lock.shared(async () => { log.push('s1 start'); await sharedGate; log.push('s1 end'); });
  const s2 = lock.shared(async () => { log.push('s2'); });
  const x = lock.exclusive(async () => { log.push('x'); });
  const s3 = lock.shared(async () => { log.push('s3'); });
  await tick();
  assert.deepEqual(log, ['s1 start', 's2']);
  releaseShared();
  await Promise.all([s1, s2, x, s3]);
  assert.deepEqual(log, ['s1 start', 's2', 's1 end', 'x', 's3']);
  await assert.rejects(lock.exclusive(async () => { throw new Error('gc failed'); }), /gc failed/);
  assert.equal(await lock.shared(async () => 'still usable'), 'still usable');
});

test('forEachLimited bounds concurrency, starts nothing after a failure and waits for running work', async () => {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  let slowFinished = false;
  await assert.rejects(forEachLimited([0, 1, 2, 3, 4, 5], 2, async (n) => {
    started.push(n);
    running++;
    peak = Math.max(peak, running);
    await tick();
    if (n === 0) {
      await new Promise((r) => setTimeout(r, 20));
      slowFinished = true;
    }
    running--;
    if (n === 1) throw new Error('item 1 failed');
  }), /item 1 failed/);
  assert.equal(peak, 2);
  assert.deepEqual(started, [0, 1]);
  assert.ok(slowFinished, 'the call returned only after item 0 settled');
});
