// Sends well over 1000 malformed or mutated manifests and paths. The server must answer every one
// with a 4xx Status, never crash, and keep nothing from a rejected request (the global revision
// does not move).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './harness.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case { method: string; path: string; body?: string | Buffer; type?: string; why: string }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Pod = Record<string, any>;
const validPod = (): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fuzz', labels: { app: 'fuzz' } }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }] } });

const BAD_NAMES = ['UPPER', '-lead', 'trail-', 'a_b', '', '..', '../etc/passwd', 'a/b', 'x'.repeat(254), 'spaces here', 'ünicode', 'a..b', '.', 'tab\tname'];
const BAD_LABEL_KEYS = ['-x', 'a/b/c', 'UPPER.com/x', 'x'.repeat(64), '/x', 'a/', 'sp ace', ''];
const BAD_LABEL_VALUES = ['-x', 'x'.repeat(64), 'sp ace', 'a/b', '_x'];
const WRONG_TYPES: unknown[] = [42, 'str', true, [], { a: 1 }, null, [1, 2], -1.5];

/** Mutators that each make a valid pod invalid in one specific way. */
const mutators: ((p: Pod, r: () => number, pick: <T>(a: T[]) => T) => string)[] = [
  (p, _r, pick) => { p.metadata.name = pick(BAD_NAMES); return 'invalid name'; },
  (p, _r, pick) => { p.metadata.labels = { [pick(BAD_LABEL_KEYS)]: 'v' }; return 'invalid label key'; },
  (p, _r, pick) => { p.metadata.labels = { ok: pick(BAD_LABEL_VALUES) }; return 'invalid label value'; },
  (p, _r, pick) => { p.spec = pick([42, 'str', true, [1]]) as never; return 'spec of wrong type'; },
  (p, _r, pick) => { p.spec.containers = pick([{}, 'c', 7, true]) as never; return 'containers of wrong type'; },
  (p) => { p.spec.containers = []; return 'no containers'; },
  (p) => { delete (p.spec.containers[0] as Record<string, unknown>).image; return 'no image'; },
  (p, _r, pick) => { (p.spec.containers[0] as Record<string, unknown>).name = pick(BAD_NAMES.filter(Boolean)); return 'invalid container name'; },
  (p, r) => { p.spec.containers[0].ports[0].containerPort = pick2(r, [0, -1, 70000, 1.5]); return 'invalid port'; },
  (p, r) => { (p.spec.containers[0].ports[0] as Record<string, unknown>).containerPort = pick2(r, ['80', null, {}]); return 'port of wrong type'; },
  (p, r) => { (p.spec as Record<string, unknown>)[`unknown${Math.floor(r() * 100)}`] = 1; return 'unknown field'; },
  // (a null label value is not wrong: Go decodes it to "", so upstream stores the label with an empty value)
  (p, r) => { (p.metadata as Record<string, unknown>).labels = { a: pick2(r, WRONG_TYPES.filter((x) => typeof x !== 'string' && x !== null)) }; return 'label value of wrong type'; },
  (p) => { p.kind = 'NoSuchKind'; return 'unknown kind'; },
  (p, r) => { p.apiVersion = pick2(r, ['v2', 'apps/v1', 'nonsense/v9', '']); return 'wrong apiVersion'; },
  (p, r) => { (p.spec as Record<string, unknown>).restartPolicy = pick2(r, ['Sometimes', 'always', 3]); return 'bad restartPolicy'; },
  (p) => { p.metadata.annotations = { big: 'x'.repeat(262_145) }; return 'annotations over 256 KiB'; },
  (p) => { p.metadata.namespace = 'other-namespace'; return 'namespace mismatch'; },
  (p, r) => { (p.spec as Record<string, unknown>).volumes = [{ name: pick2(r, BAD_NAMES) }]; return 'invalid volume name'; },
  (p) => { (p.spec.containers[0] as Record<string, unknown>).volumeMounts = [{ name: 'missing', mountPath: '/x' }]; return 'mount of a missing volume'; },
  (p, r) => { (p as Record<string, unknown>).metadata = pick2(r, [5, 'meta', [], true]); return 'metadata of wrong type'; },
];
function pick2<T>(r: () => number, a: T[]): T { return a[Math.floor(r() * a.length)]; }

function makeCases(count: number): Case[] {
  const r = rng(20261122);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  const base = '/api/v1/namespaces/default/pods';
  const cases: Case[] = [];
  const rawBodies: [string | Buffer, string, string][] = [
    ['{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"', 'application/json', 'truncated JSON'],
    ['not json at all', 'application/json', 'garbage JSON'],
    ['apiVersion: v1\nkind: Pod\nmetadata: {name: x\n  - broken', 'application/yaml', 'broken YAML'],
    ['a: &a [*a]', 'application/yaml', 'recursive YAML alias'],
    ['[]', 'application/json', 'array body'],
    ['null', 'application/json', 'null body'],
    ['"string"', 'application/json', 'string body'],
    ['', 'application/json', 'empty body'],
    [JSON.stringify(validPod()), 'text/plain', 'unsupported content type'],
    [Buffer.alloc(3 * 1024 * 1024 + 10, 0x20), 'application/json', 'body over 3 MiB'],
  ];
  while (cases.length < count) {
    const kind = r();
    if (kind < 0.55) {
      const p = validPod() as Pod;
      const why = pick(mutators)(p, r, pick);
      // As kubectl sends it: unknown fields are errors only with Strict (the server default is Warn).
      cases.push({ method: 'POST', path: `${base}?fieldValidation=Strict`, body: JSON.stringify(p), type: 'application/json', why });
    } else if (kind < 0.7) {
      const [body, type, why] = pick(rawBodies);
      cases.push({ method: 'POST', path: base, body, type, why });
    } else if (kind < 0.85) {
      const name = encodeURIComponent(pick(['..', '../../etc', '%2e%2e', 'a/../b', 'x'.repeat(300), '\u0000', 'missing', '..%2f..%2fsecret']));
      cases.push({ method: pick(['GET', 'PUT', 'DELETE', 'PATCH']), path: `${base}/${name}`, body: '{}', type: pick(['application/json', 'application/merge-patch+json']), why: 'path traversal / missing object' });
    } else if (kind < 0.93) {
      const path = pick(['/api/v1/namespaces/default/nosuch', '/apis/no.such/v1/things', '/api/v9/pods', '/api/v1/namespaces/default/pods/x/nosub', '/api/v1/namespaces/../pods', `${base}?labelSelector=${encodeURIComponent(pick(['a in (', '!!a', 'a=b=c', '=x', 'a notin b']))}`, `${base}?fieldSelector=${encodeURIComponent(pick(['spec.bogus=x', 'a==', 'status.phase=Running,bad']))}`, `${base}?limit=abc`, `${base}?continue=garbage`, `${base}?dryRun=Some`]);
      cases.push({ method: 'GET', path, why: 'bad path or query' });
    } else {
      const patchType = pick(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/x-nonsense']);
      const body = pick(['[{"op":"nope","path":"/x"}]', '[{"op":"remove","path":"/spec/nothing"}]', '{"spec":{"containers":"x"}}', '{"metadata":{"name":"renamed"}}', 'not json', '{"spec":{"containers":[{"$patch":"weird"}]}}']);
      cases.push({ method: 'PATCH', path: `${base}/target`, body, type: patchType, why: 'bad patch' });
    }
  }
  return cases;
}

test('1200 malformed requests: 4xx Status each, no crash, nothing stored', async () => {
  // The API server's own behaviour: no scheduler marking pods Unschedulable (no nodes here).
  const server = await startServer(undefined, { args: ['--disable-scheduler'] });
  const pki = (n: string) => readFileSync(join(server.dataDir, 'pki', n), 'utf8');
  const agent = new Agent({ keepAlive: true, ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key'), maxSockets: 8 });
  const url = new URL(server.url);
  const send = (c: Case): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (c.body !== undefined) Object.assign(headers, { 'Content-Type': c.type ?? 'application/json', 'Content-Length': Buffer.byteLength(c.body) });
    const req = request({ host: url.hostname, port: url.port, path: c.path, method: c.method, agent, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(c.body);
  });
  try {
    const client = server.client();
    // The object the patch cases aim at, and the revision before the storm.
    await client.post('/api/v1/namespaces/default/pods', { ...validPod(), metadata: { name: 'target' } });
    const marker = async (name: string) =>
      Number((await client.post<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces', { metadata: { name } })).metadata.resourceVersion);
    const before = await marker('fuzz-before');
    const cases = makeCases(1200);
    for (let i = 0; i < cases.length; i += 8) {
      const batch = cases.slice(i, i + 8);
      const results = await Promise.all(batch.map(send));
      results.forEach((res, j) => {
        const c = batch[j];
        const ctx = `${c.why}: ${c.method} ${c.path.slice(0, 120)} -> ${res.status} ${res.body.slice(0, 200)}`;
        assert.ok(res.status >= 400 && res.status < 500, ctx);
        const status = JSON.parse(res.body);
        assert.equal(status.kind, 'Status', ctx);
        assert.equal(status.status, 'Failure', ctx);
        assert.equal(status.code, res.status, ctx);
        assert.ok(status.reason && status.message, ctx);
      });
    }
    const after = await marker('fuzz-after');
    assert.equal(after, before + 1, 'a rejected request wrote to the store');
    const pods = await client.get<{ items: { metadata: { name: string } }[] }>('/api/v1/pods');
    assert.deepEqual(pods.items.map((p) => p.metadata.name), ['target']);
    assert.equal(server.proc.exitCode, null, 'server crashed');
  } finally {
    agent.destroy();
    await server.stop();
    server.cleanup();
  }
});
