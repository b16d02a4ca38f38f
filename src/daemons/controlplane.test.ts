import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../api/errors.js';
import { startControlPlane } from './controlplane.js';

const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('an Event outlives its TTL by no more than a sweep; the watch sees it DELETED', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinykube-cp-'));
  const cp = await startControlPlane({ dataDir, host: '127.0.0.1', port: 0, eventTtlSeconds: 1 });
  try {
    const path = '/api/v1/namespaces/default/events';
    const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'ttl' };
    const created = await cp.client.post<{ metadata: { resourceVersion: string } }>(path, ev);
    const types: string[] = [];
    const abort = new AbortController();
    const watching = cp.client.watch(`${path}?watch=1&resourceVersion=${created.metadata.resourceVersion}`, (e) => { types.push(e.type); }, abort.signal);
    const gone = async () => cp.client.get(`${path}/e1`).then(() => false, (e) => e instanceof ApiError && e.code === 404);
    assert.equal(await gone(), false);
    const t0 = Date.now();
    await until('the event expired', gone, 5000);
    assert.ok(Date.now() - t0 < 3000, 'gone within the TTL and a sweep');
    await until('the DELETED watch event', async () => types.includes('DELETED'));
    abort.abort();
    await watching;
  } finally {
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
