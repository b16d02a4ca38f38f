import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/strategy.js';
import { EventRecorder } from './events.js';
import type { RestClient } from './rest.js';

test('the spam filter: 25 events per involved object, then none until the bucket refills; other objects unaffected', async () => {
  const writes: string[] = [];
  const fake = {
    post: async (_path: string, body: { message: string }) => { writes.push(body.message); return body; },
    patch: async (path: string) => { writes.push(`patch ${path}`); return {}; },
  } as unknown as RestClient;
  const recorder = new EventRecorder(fake, 'replicaset-controller');
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'big', namespace: 'default', uid: 'u1' } } as KubeObject;
  const other = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'small', namespace: 'default', uid: 'u2' } } as KubeObject;
  for (let i = 0; i < 100; i++) recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: big-${i}`);
  recorder.record(other, 'Normal', 'SuccessfulCreate', 'Created pod: small-0');
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.filter((w) => w.startsWith('Created pod: big-')).length, 25);
  assert.deepEqual(writes.slice(0, 3), ['Created pod: big-0', 'Created pod: big-1', 'Created pod: big-2']);
  assert.ok(writes.includes('Created pod: small-0'));
});
