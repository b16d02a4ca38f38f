import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configMapStrategy } from '../api/resources/configdata.js';
import { podStrategy } from '../api/resources/pods.js';
import { SqliteStore } from '../storage/sqlite.js';
import { sendError } from './http.js';
import { Registry } from './registry.js';
import { parseRequestPath, type ResourceRequest } from './requestinfo.js';
import { RestHandler } from './rest.js';
import type { SubresourceHandler } from './subresources/types.js';

interface Reply { status: number; headers: IncomingHttpHeaders; body: string; json: () => any } // eslint-disable-line @typescript-eslint/no-explicit-any

/** A RestHandler over real registries (SQLite in memory) on a loopback port; pods/binding is a recording stand-in. */
async function setup() {
  const store = new SqliteStore(':memory:');
  const registries = new Map([configMapStrategy, podStrategy].map((s) => [`${s.resource.group}/${s.resource.version}/${s.resource.plural}`, new Registry(store, s, () => {})]));
  await Promise.all([...registries.values()].map((r) => r.start()));
  const calls: { subresource: string; name: string; user: string; pdbs: boolean }[] = [];
  const binding: SubresourceHandler = {
    name: 'binding',
    methods: ['POST'],
    async handle(ctx) {
      calls.push({ subresource: ctx.info.subresource, name: ctx.info.name, user: ctx.user.name, pdbs: !!ctx.registryOf('', 'v1', 'configmaps') });
      ctx.res.writeHead(201).end();
    },
  };
  const rest = new RestHandler(
    (info) => registries.get(`${info.group}/${info.version}/${info.resource}`),
    () => ({ name: 'tester', groups: [] }),
    new Map([['/v1/pods', { binding }]]),
  );
  const server = createServer((req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const info = parseRequestPath(q < 0 ? raw : raw.slice(0, q)) as ResourceRequest;
    rest.handle(req, res, info, new URLSearchParams(q < 0 ? '' : raw.slice(q + 1))).catch((e) => sendError(res, e));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8').on('data', (d: string) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data, json: () => JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end(text);
  });
  const close = () => { server.closeAllConnections(); server.close(); for (const r of registries.values()) r.cache.stop(); };
  return { call, close, calls, registries, port };
}

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

test('create, get, list, update, patch and delete through the verbs', async (t) => {
  const { call, close } = await setup();
  t.after(close);
  const created = await call('POST', CM, cm('one'));
  assert.equal(created.status, 201);
  assert.equal(created.json().metadata.namespace, 'default');
  const got = await call('GET', `${CM}/one`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.json().data, { a: '1' });
  const list = await call('GET', CM);
  assert.equal(list.json().kind, 'ConfigMapList');
  assert.deepEqual(list.json().items.map((i: { metadata: { name: string } }) => i.metadata.name), ['one']);
  const table = await call('GET', CM, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.equal(table.json().kind, 'Table');
  const updated = await call('PUT', `${CM}/one`, { ...cm('one', { a: '2' }), metadata: { name: 'one', resourceVersion: got.json().metadata.resourceVersion } });
  assert.equal(updated.status, 200);
  assert.deepEqual(updated.json().data, { a: '2' });
  const patched = await call('PATCH', `${CM}/one`, { data: { b: '3' } }, { 'content-type': 'application/merge-patch+json' });
  assert.deepEqual(patched.json().data, { a: '2', b: '3' });
  const jsonPatch = await call('PATCH', `${CM}/one`, [{ op: 'test', path: '/data/a', value: 'no' }], { 'content-type': 'application/json-patch+json' });
  assert.equal(jsonPatch.status, 422, 'a failed JSON patch test is Invalid');
  const badType = await call('PATCH', `${CM}/one`, {}, { 'content-type': 'text/plain' });
  assert.equal(badType.status, 415);
  const deleted = await call('DELETE', `${CM}/one`);
  assert.equal(deleted.status, 200);
  assert.equal((await call('GET', `${CM}/one`)).status, 404);
});

test('server-side apply creates, then merges; it needs a field manager', async (t) => {
  const { call, close } = await setup();
  t.after(close);
  const yaml = { 'content-type': 'application/apply-patch+yaml' };
  assert.equal((await call('PATCH', `${CM}/app`, 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "1"}\n', yaml)).status, 400);
  const created = await call('PATCH', `${CM}/app?fieldManager=me`, 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "1"}\n', yaml);
  assert.equal(created.status, 201);
  assert.equal(created.json().metadata.managedFields[0].manager, 'me');
  const merged = await call('PATCH', `${CM}/app?fieldManager=me`, 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "1", b: "2"}\n', yaml);
  assert.equal(merged.status, 200);
  assert.deepEqual(merged.json().data, { a: '1', b: '2' });
  const conflict = await call('PATCH', `${CM}/app?fieldManager=other`, 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "x"}\n', yaml);
  assert.equal(conflict.status, 409);
  const wrongKind = await call('PATCH', `${CM}/app?fieldManager=me`, 'apiVersion: v1\nkind: Secret\n', yaml);
  assert.equal(wrongKind.status, 400);
});

test('dry run checks the write and stores nothing; a bad dryRun value is refused', async (t) => {
  const { call, close } = await setup();
  t.after(close);
  const dry = await call('POST', `${CM}?dryRun=All`, cm('dry'));
  assert.equal(dry.status, 201);
  assert.equal(dry.json().metadata.name, 'dry');
  assert.equal((await call('GET', `${CM}/dry`)).status, 404);
  assert.equal((await call('POST', `${CM}?dryRun=Some`, cm('dry'))).status, 400);
  await call('POST', CM, cm('kept'));
  assert.equal((await call('DELETE', `${CM}/kept?dryRun=All`)).status, 200);
  assert.equal((await call('GET', `${CM}/kept`)).status, 200, 'a dry-run delete leaves the object');
});

test('subresources: undeclared is 404, a handler gets its request, other methods are 405, generic ones use the verbs', async (t) => {
  const { call, close, calls } = await setup();
  t.after(close);
  await call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  assert.equal((await call('GET', `${CM}/x/scale`)).status, 404, 'configmaps declare no scale');
  assert.equal((await call('GET', '/api/v1/namespaces/default/pods/p/nonsense')).status, 404);
  assert.equal((await call('POST', '/api/v1/namespaces/default/pods/p/binding', {})).status, 201);
  assert.deepEqual(calls, [{ subresource: 'binding', name: 'p', user: 'tester', pdbs: true }]);
  assert.equal((await call('GET', '/api/v1/namespaces/default/pods/p/binding')).status, 405);
  const status = await call('GET', '/api/v1/namespaces/default/pods/p/status');
  assert.equal(status.status, 200, 'status is a generic subresource, read through get');
  assert.equal(status.json().status.phase, 'Pending');
  const patched = await call('PATCH', '/api/v1/namespaces/default/pods/p/status', { status: { phase: 'Running' }, spec: { nodeName: 'ignored' } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(patched.json().status.phase, 'Running');
  assert.equal(patched.json().spec.nodeName, undefined, 'the status update keeps the spec');
  assert.equal((await call('DELETE', '/api/v1/namespaces/default/pods/p/status')).status, 405);
  assert.equal((await call('POST', `${CM}/x`, cm('x'))).status, 405, 'POST to a named object');
  assert.equal((await call('GET', '/api/v1/nonsense')).status, 404);
  assert.equal((await call('GET', '/api/v1/namespaces/default/namespaces')).status, 404, 'no such resource');
  assert.equal((await call('GET', `${CM}/..`)).status, 400, 'invalid path segment');
  assert.equal((await call('GET', `${CM}/x`, undefined, { accept: 'application/vnd.kubernetes.protobuf' })).status, 406);
});

test('watch: chunked JSON lines, existing objects first as ADDED, then changes', async (t) => {
  const { close, port, registries } = await setup();
  t.after(close);
  const cms = registries.get('/v1/configmaps')!;
  await cms.create('default', cm('w1') as never);
  const lines: { type: string; object: { metadata: { name: string } } }[] = [];
  let contentType: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `${CM}?watch=true&timeoutSeconds=5` }, (res) => {
      contentType = res.headers['content-type'];
      assert.equal(res.headers['transfer-encoding'], 'chunked');
      let buf = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
          if (lines.length === 1) cms.create('default', cm('w2') as never).catch(reject);
          if (lines.length === 2) { req.destroy(); resolve(); }
        }
      });
    });
    req.on('error', () => {});
    req.end();
  });
  await done;
  assert.equal(contentType, 'application/json');
  assert.deepEqual(lines.map((l) => [l.type, l.object.metadata.name]), [['ADDED', 'w1'], ['ADDED', 'w2']]);
});
