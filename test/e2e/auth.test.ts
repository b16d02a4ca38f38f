// Anonymous requests get 401 with a Status body; health endpoints stay open, as upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './harness.js';

test('anonymous requests are 401; /readyz answers without credentials', async () => {
  const server = await startServer();
  const ca = readFileSync(join(server.dataDir, 'pki', 'ca.crt'), 'utf8');
  const get = (path: string, headers: Record<string, string> = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(path, server.url);
    request({ host: url.hostname, port: url.port, path, ca, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
  try {
    const anon = await get('/api/v1/pods');
    assert.equal(anon.status, 401);
    assert.deepEqual(JSON.parse(anon.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    assert.equal((await get('/api/v1/pods', { Authorization: 'Bearer not-a-token' })).status, 401);
    const ready = await get('/readyz');
    assert.deepEqual([ready.status, ready.body], [200, 'ok']);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
