import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import type { RestClient, WatchEvent } from '../client/rest.js';
import { startControlPlane } from '../daemons/controlplane.js';
import { HOLLOW_LABEL, HollowNodes, hollowPodStatus } from './hollow.js';

const NOW = '2026-01-01T00:00:00Z';
const pod = (name: string, nodeName?: string, extra: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '5' },
  spec: { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }], ...(nodeName ? { nodeName } : {}), ...extra },
  status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True' }] },
});

test('hollowPodStatus: Running and Ready, simulated container IDs, init containers completed', () => {
  const s = hollowPodStatus(pod('p', 'n', { initContainers: [{ name: 'init', image: 'busybox' }] }), { podIP: '198.18.0.9', hostIP: '198.18.0.1', now: NOW });
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '198.18.0.9');
  assert.equal(s.hostIP, '198.18.0.1');
  assert.deepEqual(s.conditions!.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  assert.deepEqual(s.containerStatuses!.map((c) => [c.name, c.ready, c.started, c.containerID]), [['a', true, true, 'hollow://uid-p-a'], ['b', true, true, 'hollow://uid-p-b']]);
  assert.deepEqual(s.containerStatuses![0].state, { running: { startedAt: NOW } });
  assert.equal(s.initContainerStatuses![0].state?.terminated?.reason, 'Completed');
  assert.equal(s.initContainerStatuses![0].state?.terminated?.containerID, 'hollow://uid-p-init');
  assert.equal(s.qosClass, 'BestEffort');
});

test('hollowPodStatus: a sidecar runs, a hostNetwork pod has the node IP', () => {
  const s = hollowPodStatus(pod('p', 'n', { hostNetwork: true, initContainers: [{ name: 'proxy', image: 'busybox', restartPolicy: 'Always' }] }), { podIP: '198.18.0.9', hostIP: '198.18.0.1', now: NOW });
  assert.equal(s.podIP, '198.18.0.1');
  assert.deepEqual(s.initContainerStatuses![0].state, { running: { startedAt: NOW } });
  assert.equal(s.phase, 'Running');
});

/** A RestClient stand-in: records every request, answers from `reply`, and lets the test push watch events. */
function fakeClient(opts: { delayMs?: number; reply?: (method: string, path: string, body: unknown) => unknown } = {}) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let push: ((e: WatchEvent<Pod>) => void) | undefined;
  let listed: Pod[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    calls.push({ method, path, body });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 1));
      return opts.reply?.(method, path, body) ?? {};
    } finally {
      inFlight--;
    }
  };
  const client = {
    get: async (path: string) => {
      calls.push({ method: 'GET', path, body: undefined });
      return { metadata: { resourceVersion: '10' }, items: listed };
    },
    post: (path: string, body: unknown) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    delete: (path: string, body?: unknown) => call('DELETE', path, body),
    watch: (path: string, onEvent: (e: WatchEvent<Pod>) => void, signal?: AbortSignal) => {
      calls.push({ method: 'WATCH', path, body: undefined });
      push = onEvent;
      return new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
  return {
    client: client as unknown as RestClient, calls,
    get maxInFlight() { return maxInFlight; },
    setList(pods: Pod[]) { listed = pods; },
    push(e: WatchEvent<Pod>) { push!(e); },
  };
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `timed out waiting for ${what}`);
};

test('registers every node with its labels, capacity and Lease, never more than maxInFlight writes at once', async () => {
  const f = fakeClient({ delayMs: 3 });
  const nodes = new HollowNodes({ client: f.client, count: 40, maxInFlight: 4, labels: { zone: 'z1' } });
  await nodes.start();
  try {
    const created = f.calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/nodes').map((c) => c.body as { metadata: { name: string; labels: Record<string, string> }; status: { capacity: Record<string, string> } });
    assert.equal(created.length, 40);
    assert.equal(new Set(created.map((n) => n.metadata.name)).size, 40);
    assert.equal(created[7].metadata.name, 'hollow-node-07');
    assert.deepEqual(created[7].metadata.labels, { zone: 'z1', 'kubernetes.io/hostname': 'hollow-node-07', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', [HOLLOW_LABEL]: 'true' });
    assert.deepEqual(created[0].status.capacity, { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' });
    assert.equal(f.calls.filter((c) => c.method === 'PATCH' && c.path.includes('/leases/')).length, 40);
    assert.ok(f.maxInFlight <= 4, `max in flight ${f.maxInFlight}`);
    assert.equal(nodes.stats.nodes, 40);
    const watch = f.calls.find((c) => c.method === 'WATCH')!;
    assert.match(watch.path, /^\/api\/v1\/pods\?fieldSelector=spec.nodeName!%3D&watch=true/);
  } finally {
    await nodes.stop();
  }
});

test('a Lease missing on the server is created; an existing Node is taken over', async () => {
  const f = fakeClient({
    reply: (method, path) => {
      if (method === 'POST' && path === '/api/v1/nodes') throw new ApiError(409, 'AlreadyExists', 'exists');
      if (method === 'PATCH' && path.includes('/leases/')) throw new ApiError(404, 'NotFound', 'no lease');
      return {};
    },
  });
  const nodes = new HollowNodes({ client: f.client, count: 2, namePrefix: 'h-' });
  await nodes.start();
  await nodes.stop();
  const paths = f.calls.filter((c) => c.method !== 'GET' && c.method !== 'WATCH').map((c) => `${c.method} ${c.path}`);
  for (const name of ['h-0', 'h-1']) {
    assert.ok(paths.includes(`PATCH /api/v1/nodes/${name}`));
    assert.ok(paths.includes(`PATCH /api/v1/nodes/${name}/status`));
    assert.ok(paths.includes('POST /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases'));
  }
});

test('reports its own bound pods Running (listed and watched), ignores other nodes, confirms graceful deletion', async () => {
  const f = fakeClient();
  f.setList([pod('listed', 'hollow-node-1')]);
  const nodes = new HollowNodes({ client: f.client, count: 2 });
  await nodes.start();
  try {
    f.push({ type: 'ADDED', object: pod('watched', 'hollow-node-0') });
    f.push({ type: 'ADDED', object: pod('elsewhere', 'real-node') });
    await until(() => nodes.stats.reportedRunning === 2, 'two status reports');
    await nodes.idle();
    const patches = f.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/status') && c.path.includes('/pods/'));
    assert.deepEqual(patches.map((c) => c.path).sort(), ['/api/v1/namespaces/default/pods/listed/status', '/api/v1/namespaces/default/pods/watched/status']);
    const body = patches.find((c) => c.path.includes('watched'))!.body as { metadata: { uid: string }; status: Pod['status'] };
    assert.equal(body.metadata.uid, 'uid-watched');
    assert.equal(body.status!.phase, 'Running');
    assert.equal(body.status!.hostIP, '198.18.0.1');
    assert.match(body.status!.podIP!, /^198\.1[89]\./);
    assert.equal(nodes.stats.pods, 2);

    // Our own report comes back: nothing more to do.
    f.push({ type: 'MODIFIED', object: { ...pod('watched', 'hollow-node-0'), status: body.status } });
    await nodes.idle();
    assert.equal(f.calls.filter((c) => c.method === 'PATCH' && c.path.includes('/pods/watched')).length, 1);

    // Graceful delete: confirmed with grace 0 and a uid precondition; the DELETED event forgets it.
    f.push({ type: 'MODIFIED', object: { ...pod('watched', 'hollow-node-0'), metadata: { ...pod('watched').metadata, deletionTimestamp: NOW, deletionGracePeriodSeconds: 30 } } });
    await until(() => nodes.stats.confirmedDeletions === 1, 'the deletion confirmed');
    const del = f.calls.find((c) => c.method === 'DELETE')!;
    assert.equal(del.path, '/api/v1/namespaces/default/pods/watched');
    assert.deepEqual(del.body, { gracePeriodSeconds: 0, preconditions: { uid: 'uid-watched' } });
    f.push({ type: 'DELETED', object: pod('watched', 'hollow-node-0') });
    assert.equal(nodes.stats.pods, 1);
  } finally {
    await nodes.stop();
  }
});

test('a failed status write is retried', async () => {
  let failures = 1;
  const f = fakeClient({
    reply: (method, path) => {
      if (method === 'PATCH' && path.includes('/pods/') && failures-- > 0) throw new ApiError(500, 'InternalError', 'busy');
      return {};
    },
  });
  const nodes = new HollowNodes({ client: f.client, count: 1 });
  await nodes.start();
  try {
    f.push({ type: 'ADDED', object: pod('p', 'hollow-node-0') });
    await until(() => nodes.stats.reportedRunning === 1, 'the retried report');
    assert.equal(nodes.stats.retries, 1);
  } finally {
    await nodes.stop();
  }
});

test('against a real API server: bound pods run, deletions complete, deregister removes the nodes', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinykube-hollow-'));
  const cp = await startControlPlane({ dataDir, host: '127.0.0.1', port: 0 });
  const nodes = new HollowNodes({ client: cp.client, count: 3 });
  try {
    await nodes.start();
    const listed = await cp.client.get<{ items: { metadata: { name: string } }[] }>(`/api/v1/nodes?labelSelector=${encodeURIComponent(`${HOLLOW_LABEL}=true`)}`);
    assert.deepEqual(listed.items.map((n) => n.metadata.name), ['hollow-node-0', 'hollow-node-1', 'hollow-node-2']);
    await cp.client.get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/hollow-node-2');
    await cp.client.post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'hollow-node-2', containers: [{ name: 'c', image: 'busybox' }] } });
    let p: Pod = {};
    await until(() => nodes.stats.reportedRunning === 1, 'the pod reported');
    p = await cp.client.get<Pod>('/api/v1/namespaces/default/pods/web');
    assert.equal(p.status?.phase, 'Running');
    assert.equal(p.status?.containerStatuses?.[0].ready, true);
    await cp.client.delete('/api/v1/namespaces/default/pods/web');
    await until(() => nodes.stats.confirmedDeletions === 1 && nodes.stats.pods === 0, 'the deletion confirmed');
    await assert.rejects(cp.client.get('/api/v1/namespaces/default/pods/web'), (e: unknown) => e instanceof ApiError && e.code === 404);
    await nodes.stop({ deregister: true });
    const after = await cp.client.get<{ items: unknown[] }>('/api/v1/nodes');
    assert.equal(after.items.length, 0);
  } finally {
    await nodes.stop();
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
