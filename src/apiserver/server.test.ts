import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../storage/sqlite.js';
import { loadOrCreatePki } from './pki.js';
import { ApiServer, SERVER_VERSION } from './server.js';

interface Reply { status: number; headers: IncomingHttpHeaders; body: string; json: () => any } // eslint-disable-line @typescript-eslint/no-explicit-any

/** One ApiServer for the file, reached over its local socket (plain HTTP, the loopback user). */
async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-server-'));
  const pki = await loadOrCreatePki(join(dir, 'pki'), ['localhost', '127.0.0.1']);
  const store = new SqliteStore(join(dir, 'state.db'));
  const server = new ApiServer({ store, pki, host: '127.0.0.1', port: 0 });
  await server.start();
  const socketPath = join(dir, 'api.sock');
  await server.listenLocal(socketPath);
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8').on('data', (d: string) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data, json: () => JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  const stop = async () => {
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { call, stop, socketPath };
}

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
const deployment = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

test('dispatch: health, version, discovery, resources, subresource handlers, metrics, upgrades', async (t) => {
  const { call, stop, socketPath } = await start();
  t.after(stop);

  await t.test('health and version', async () => {
    for (const path of ['/livez', '/healthz', '/readyz']) {
      const r = await call('GET', path);
      assert.equal(r.status, 200, path);
      assert.equal(r.body, 'ok');
    }
    assert.deepEqual((await call('GET', '/version')).json(), SERVER_VERSION);
  });

  await t.test('discovery lists the stored resources and the metrics API', async () => {
    const groups = (await call('GET', '/apis')).json().groups.map((g: { name: string }) => g.name);
    assert.ok(groups.includes('apps'));
    assert.ok(groups.includes('metrics.k8s.io'));
    const core = (await call('GET', '/api/v1')).json().resources.map((r: { name: string }) => r.name);
    for (const name of ['pods', 'pods/binding', 'pods/log', 'pods/exec', 'namespaces']) assert.ok(core.includes(name), name);
    const metrics = (await call('GET', '/apis/metrics.k8s.io/v1beta1')).json().resources.map((r: { name: string }) => r.name);
    assert.deepEqual(metrics, ['pods', 'nodes']);
    const aggregated = await call('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    assert.ok(aggregated.json().items.some((g: { metadata: { name: string } }) => g.metadata.name === 'metrics.k8s.io'));
    assert.equal((await call('GET', '/apis/nonsense.example.com/v1')).status, 404);
    assert.equal((await call('POST', '/apis')).status, 405);
  });

  await t.test('a resource: the system namespaces exist, a pod is created and read', async () => {
    const ns = (await call('GET', '/api/v1/namespaces')).json().items.map((n: { metadata: { name: string } }) => n.metadata.name);
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(ns.includes(name), name);
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('web'))).status, 201);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods/web')).json().metadata.name, 'web');
    const missingNs = await call('POST', '/api/v1/namespaces/nowhere/pods', pod('web'));
    assert.equal(missingNs.status, 404, 'the namespace gate');
    assert.equal((await call('GET', '/apis/nonsense.example.com/v1/things')).status, 404, 'a group nobody serves');
  });

  await t.test('subresource handlers: binding, log, exec without upgrade, scale', async () => {
    const unbound = await call('GET', '/api/v1/namespaces/default/pods/web/log');
    assert.equal(unbound.status, 200, 'a pod on no node has an empty log');
    assert.equal(unbound.body, '');
    const exec = await call('POST', '/api/v1/namespaces/default/pods/web/exec?command=ls');
    assert.equal(exec.status, 400);
    assert.match(exec.json().message, /Upgrade request required/);
    const bind = await call('POST', '/api/v1/namespaces/default/pods/web/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n1' } });
    assert.equal(bind.status, 201);
    const bound = (await call('GET', '/api/v1/namespaces/default/pods/web')).json();
    assert.equal(bound.spec.nodeName, 'n1');
    assert.ok(bound.status.conditions.some((c: { type: string; status: string }) => c.type === 'PodScheduled' && c.status === 'True'));
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods/web/binding', { target: { name: 'n2' } })).status, 409, 'already bound');
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods/web/log')).status, 404, 'the node n1 does not exist');

    assert.equal((await call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('d'))).status, 201);
    const scale = await call('GET', '/apis/apps/v1/namespaces/default/deployments/d/scale');
    assert.equal(scale.json().kind, 'Scale');
    assert.equal(scale.json().spec.replicas, 1);
    const scaled = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/d/scale', { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(scaled.status, 200);
    assert.equal(scaled.json().spec.replicas, 3);
    assert.equal((await call('GET', '/apis/apps/v1/namespaces/default/deployments/d')).json().spec.replicas, 3);
    assert.equal((await call('POST', '/apis/apps/v1/namespaces/default/deployments/d/scale', {})).status, 405);
  });

  await t.test('metrics are routed to the metrics API', async () => {
    const nodes = await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    assert.equal(nodes.status, 200);
    assert.equal(nodes.json().kind, 'NodeMetricsList');
    const pods = await call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
    assert.equal(pods.json().kind, 'PodMetricsList');
    assert.equal((await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes/none')).status, 404);
    assert.equal((await call('DELETE', '/apis/metrics.k8s.io/v1beta1/nodes/none')).status, 405);
  });

  await t.test('upgrades: refused for anything but a pod stream', async () => {
    const upgrade = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ socketPath, path, headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('upgrade', () => reject(new Error(`${path} was upgraded`)));
      req.on('error', reject);
      req.end();
    });
    for (const path of ['/api/v1/namespaces/default/configmaps/x/exec', '/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods/web/log', '/apis/metrics.k8s.io/v1beta1/nodes', '/version']) {
      const r = await upgrade(path);
      assert.equal(r.status, 400, path);
      assert.match(JSON.parse(r.body).message, /does not take an upgrade/, path);
    }
    const unscheduled = await call('POST', '/api/v1/namespaces/default/pods', pod('idle'));
    assert.equal(unscheduled.status, 201);
    const exec = await upgrade('/api/v1/namespaces/default/pods/idle/exec?command=ls');
    assert.equal(exec.status, 400, 'a pod stream is checked against the pod');
    assert.match(JSON.parse(exec.body).message, /does not have a host assigned/);
  });
});
