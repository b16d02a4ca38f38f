import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './workqueue.js';

test('a key added many times is reconciled once; a failing key is retried', async () => {
  const q = new WorkQueue(5);
  const seen: string[] = [];
  let failures = 0;
  const done = new Promise<void>((resolve) => {
    void q.run(async (key) => {
      seen.push(key);
      if (key === 'b' && failures++ < 2) throw new Error('transient');
      if (seen.filter((k) => k === 'b').length === 3) resolve();
    });
  });
  q.add('a');
  q.add('a');
  q.add('b');
  await done;
  q.stop();
  assert.equal(seen.filter((k) => k === 'a').length, 1);
  assert.equal(seen.filter((k) => k === 'b').length, 3);
});
