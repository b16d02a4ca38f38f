import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestClient } from './rest.js';
import { ReconcileLoop } from './controller.js';
import { InformerFactory } from './informers.js';

class Loop extends ReconcileLoop {
  readonly seen: string[] = [];
  fail = 1;
  constructor() {
    super({} as RestClient, { workers: 2, resyncMs: 20 });
    // A fast resync tick for the test; controllers use the client's shared factory.
    (this as unknown as { factory: InformerFactory }).factory = new InformerFactory({} as RestClient, 10);
  }
  add(key: string): void { this.queue.add(key); }
  protected override resyncKeys(): Iterable<string> { return ['resynced']; }
  protected async reconcile(key: string): Promise<void> {
    this.seen.push(key);
    if (key === 'flaky' && this.fail-- > 0) throw new Error('transient');
  }
}

test('the loop reconciles queued keys, retries a failed one, resyncs, and stops', async () => {
  const loop = new Loop();
  await loop.start();
  loop.add('a');
  loop.add('flaky');
  await new Promise((r) => setTimeout(r, 200));
  loop.stop();
  assert.ok(loop.seen.includes('a'));
  assert.equal(loop.seen.filter((k) => k === 'flaky').length, 2, 'retried once after the failure');
  assert.ok(loop.seen.includes('resynced'), 'resync enqueued its keys');
  const n = loop.seen.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(loop.seen.length, n, 'nothing after stop');
});
