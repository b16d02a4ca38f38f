import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/strategy.js';
import { nodeStrategy } from '../api/resources/nodes.js';
import { podStrategy } from '../api/resources/pods.js';
import { SqliteStore } from '../storage/sqlite.js';
import type { StatsReport } from '../api/nodecontract.js';
import { MetricsApi } from './metrics.js';
import { Registry } from './registry.js';
import { parseRequestPath } from './requestinfo.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function setup() {
  const pods = new Registry(new SqliteStore(':memory:'), podStrategy, () => {});
  const nodes = new Registry(new SqliteStore(':memory:'), nodeStrategy, () => {});
  await Promise.all([pods.start(), nodes.start()]);
  for (const name of ['n1', 'n2']) await nodes.create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { zone: name } } } as KubeObject);
  for (const [name, node, phase] of [['a', 'n1', 'Running'], ['b', 'n2', 'Running'], ['c', 'n1', 'Pending']]) {
    const c = await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeName: node, containers: [{ name: 'main', image: 'i' }] } } as KubeObject);
    await pods.guaranteedUpdate('default', name, (p) => ({ ...p, status: { phase } }) as KubeObject, { subresource: 'status' });
    assert.ok(c);
  }
  const report = (pods: StatsReport['pods']): StatsReport => ({ timestamp: '2026-11-23T12:00:00Z', windowSeconds: 10.002, node: { cpuNanoCores: 250_000_000, memoryBytes: 512 * 1024 * 1024 }, pods });
  const asked: string[] = [];
  const api = new MetricsApi(pods, nodes, async (node) => {
    asked.push(node);
    if (node === 'n2') throw new Error('node down');
    return report([{ namespace: 'default', name: 'a', containers: [{ name: 'main', cpuNanoCores: 1_500_000, memoryBytes: 3 * 1024 * 1024 + 100 }] }]);
  });
  const get = async (url: string): Promise<Json> => {
    const [path, query = ''] = url.split('?');
    let body = '';
    const res = { writeHead: () => res, setHeader: () => {}, end: (b: string) => { body = b; } } as unknown as ServerResponse;
    await api.handle({ method: 'GET', headers: {} } as IncomingMessage, res, parseRequestPath(path) as never, new URLSearchParams(query));
    return JSON.parse(body);
  };
  return { get, asked };
}

test('pod metrics: running pods with usage, as metrics-server quantities; nodes that fail are left out', async () => {
  const { get, asked } = await setup();
  const list = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
  assert.equal(list.kind, 'PodMetricsList');
  assert.deepEqual(list.items.map((i: Json) => [i.metadata.name, i.window, i.containers]), [['a', '10.002s', [{ name: 'main', usage: { cpu: '1500000n', memory: '3072Ki' } }]]]);
  assert.deepEqual(asked.sort(), ['n1', 'n2'], 'only nodes with running pods are asked');
  const one = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/a');
  assert.deepEqual([one.kind, one.apiVersion, one.metadata.labels], ['PodMetrics', 'metrics.k8s.io/v1beta1', { app: 'a' }]);
  assert.deepEqual((await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Db')).items, []);
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/b'), (e) => e instanceof ApiError && e.code === 404 && /podmetrics.metrics.k8s.io "b" not found/.test(e.message));
});

test('node metrics: usage of each node that answers', async () => {
  const { get } = await setup();
  const list = await get('/apis/metrics.k8s.io/v1beta1/nodes');
  assert.deepEqual(list.items.map((i: Json) => [i.metadata.name, i.usage]), [['n1', { cpu: '250000000n', memory: '524288Ki' }]]);
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/nodes/n2'), (e) => e instanceof ApiError && e.code === 404);
  await assert.rejects(get('/apis/metrics.k8s.io/v1beta1/namespaces/default/nodes'), (e) => e instanceof ApiError && e.code === 404);
});
