// Anonymous requests get 401 with a Status body; health endpoints stay open, as upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findKubectl, fixtures, kubectlRunner, startServer } from './harness.js';

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

test('kubectl auth can-i / can-i --list / whoami: every authenticated user may do everything (no RBAC), as AlwaysAllow', async () => {
  const server = await startServer();
  try {
    for (const minor of [27, 33]) {
      const bin = findKubectl(minor);
      if (!bin) continue;
      const kubectl = kubectlRunner(bin, server, fixtures);
      const can = await kubectl(['auth', 'can-i', 'delete', 'pods', '-n', 'kube-system']);
      assert.deepEqual([can.code, can.stdout], [0, 'yes\n'], can.stderr);
      if (minor < 28) continue; // SelfSubjectReview v1 and `can-i --list` output as 1.28+ print them
      const list = await kubectl(['auth', 'can-i', '--list']);
      assert.match(list.stdout, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m, list.stderr);
      const who = await kubectl(['auth', 'whoami']);
      assert.match(who.stdout, /Username\s+admin\nGroups\s+\[system:masters system:authenticated\]/, who.stderr);
    }
    const bad = await kubectlRunner(findKubectl(33) ?? 'kubectl', server, fixtures)(['create', '--validate=false', '-f', '-'], JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} }));
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /exactly one of nonResourceAttributes or resourceAttributes must be specified/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
