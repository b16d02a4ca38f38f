import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import { startControlPlane } from '../daemons/controlplane.js';
import type { RestClient } from '../client/rest.js';
import {
  evictionTime, lifecycleTaints, NodeLifecycleController, nodeLifecycleOptionsFromEnv, reconcileTaints, TAINT_NOT_READY, TAINT_OUT_OF_SERVICE, TAINT_UNREACHABLE, unknownConditions, zoneState,
} from './nodelifecycle.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

test('lifecycle taints follow Ready: Unknown → unreachable, False → not-ready, True → none; NoExecute only when evictions run', () => {
  assert.deepEqual(lifecycleTaints('Unknown', true), [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' }]);
  assert.deepEqual(lifecycleTaints(undefined, false), [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }]);
  assert.deepEqual(lifecycleTaints('False', true).map((t) => t.key), [TAINT_NOT_READY, TAINT_NOT_READY]);
  assert.deepEqual(lifecycleTaints('True', true), []);
});

test('reconcileTaints keeps other taints and existing lifecycle taints (with their timeAdded), adds and removes the rest', () => {
  const user = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const added = reconcileTaints([user], lifecycleTaints('Unknown', true), T0)!;
  assert.deepEqual(added, [user, { key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }]);
  assert.equal(reconcileTaints(added, lifecycleTaints('Unknown', true), T0 + 5000), undefined, 'nothing to change');
  assert.deepEqual(reconcileTaints(added, lifecycleTaints('False', true), T0 + 5000)!.map((t) => `${t.key}:${t.effect}`), ['dedicated:NoSchedule', `${TAINT_NOT_READY}:NoSchedule`, `${TAINT_NOT_READY}:NoExecute`]);
  assert.deepEqual(reconcileTaints(added, [], T0), [user]);
});

test('evictionTime: untolerated now, the shortest run-out among taints, forever without tolerationSeconds', () => {
  const taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
  const seen = () => T0;
  assert.equal(evictionTime([], [taint], seen), 0);
  assert.equal(evictionTime([{ key: 'other', operator: 'Exists' }], [taint], seen), 0);
  assert.equal(evictionTime([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], [taint], seen), T0 + 300_000);
  assert.equal(evictionTime([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }], [taint], seen), undefined);
  assert.equal(evictionTime([{ operator: 'Exists' }], [taint], seen), undefined, 'tolerate-everything tolerates forever');
  assert.equal(evictionTime([{ key: TAINT_UNREACHABLE, operator: 'Exists', tolerationSeconds: -5 }], [taint], seen), T0, 'negative is zero');
  const two = [taint, { key: 'x', effect: 'NoExecute' }];
  assert.equal(evictionTime([{ key: TAINT_UNREACHABLE, operator: 'Exists', tolerationSeconds: 60 }, { key: 'x', operator: 'Exists', tolerationSeconds: 10 }], two, seen), T0 + 10_000);
  assert.equal(evictionTime([], [{ key: 'x', effect: 'NoSchedule' }], seen), undefined, 'only NoExecute evicts');
});

test('zone states and unknown conditions', () => {
  assert.equal(zoneState(0, 1), 'FullDisruption');
  assert.equal(zoneState(1, 1), 'Normal');
  assert.equal(zoneState(2, 3), 'PartialDisruption');
  assert.equal(zoneState(0, 0), 'Normal');
  const node: Node = { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: 'hb' }] } };
  const c = unknownConditions(node, T0);
  assert.deepEqual(c.map((x) => `${x.type}=${x.status}`), ['Ready=Unknown', 'MemoryPressure=Unknown', 'DiskPressure=Unknown', 'PIDPressure=Unknown']);
  assert.equal(c[0].reason, 'NodeStatusUnknown');
  assert.equal(c[0].message, 'Kubelet stopped posting node status.');
  assert.equal(c[0].lastHeartbeatTime, 'hb');
  assert.equal(unknownConditions({ metadata: { name: 'n' } }, T0)[0].reason, 'NodeStatusNeverUpdated');
  assert.deepEqual(nodeLifecycleOptionsFromEnv({ TINYKUBE_NODE_LIFECYCLE: '{"gracePeriodMs":3000,"monitorPeriodMs":-1}' }), { gracePeriodMs: 3000, monitorPeriodMs: undefined, orphanQuarantineMs: undefined });
  assert.deepEqual(nodeLifecycleOptionsFromEnv({ TINYKUBE_NODE_LIFECYCLE: 'nope' }), {});
});

// ---------- against a real API server ----------

const microTime = (): string => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const rfc3339 = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A node object kept alive from the test: Ready=True status and a Lease renewed every 200 ms until stopped. */
async function fakeNode(client: RestClient, name: string, labels: Record<string, string> = {}) {
  const ready = () => ({ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: rfc3339(), lastTransitionTime: rfc3339() });
  await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, status: { conditions: [ready()] } });
  const lease = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
  await client.post('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() } });
  let timer: NodeJS.Timeout | undefined;
  const renew = () => { timer = setInterval(() => void client.patch(lease, { spec: { renewTime: microTime() } }).catch(() => {}), 200); };
  renew();
  return {
    stop: () => clearInterval(timer),
    async resume() {
      renew();
      await client.patch(`/api/v1/nodes/${name}/status`, { status: { conditions: [ready()] } }, 'application/strategic-merge-patch+json');
    },
  };
}

async function podOn(client: RestClient, name: string, nodeName: string, tolerations: object[]): Promise<void> {
  await client.post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, tolerations, containers: [{ name: 'c', image: 'busybox' }] } });
  await client.patch(`/api/v1/namespaces/default/pods/${name}/status`, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'application/strategic-merge-patch+json');
}

const getPod = (client: RestClient, name: string): Promise<Pod | undefined> => client.get<Pod>(`/api/v1/namespaces/default/pods/${name}`).catch((e) => {
  if (e instanceof ApiError && e.code === 404) return undefined;
  throw e;
});

test('a silent node goes Unknown and tainted, its pods NotReady and evicted per toleration; it recovers; pods of a deleted node are collected', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinykube-nodelifecycle-'));
  const cp = await startControlPlane({ dataDir, host: '127.0.0.1', port: 0 });
  const { client } = cp;
  const ctl = new NodeLifecycleController(client, { gracePeriodMs: 1000, monitorPeriodMs: 200, orphanQuarantineMs: 300 });
  const nodes: { stop(): void }[] = [];
  try {
    const healthy = await fakeNode(client, 'n-healthy');
    const silent = await fakeNode(client, 'n-silent');
    nodes.push(healthy, silent);
    const unreachable = (seconds?: number) => [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', ...(seconds === undefined ? {} : { tolerationSeconds: seconds }) }];
    await podOn(client, 'short', 'n-silent', unreachable(1));
    await podOn(client, 'forever', 'n-silent', unreachable());
    await podOn(client, 'default', 'n-silent', []); // gets the 300 s default toleration
    await podOn(client, 'elsewhere', 'n-healthy', unreachable(0));
    await ctl.start();
    await new Promise((r) => setTimeout(r, 1500));
    const n0 = await client.get<Node>('/api/v1/nodes/n-silent');
    assert.equal(n0.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', 'renewing leases keep the node Ready');
    silent.stop();
    const t0 = Date.now();
    const unknown = await until('n-silent Unknown', async () => {
      const n = await client.get<Node>('/api/v1/nodes/n-silent');
      return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' && n.spec?.taints?.length === 2 ? n : undefined;
    });
    const ready = unknown.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.deepEqual(unknown.spec!.taints!.map((t) => `${t.key}:${t.effect}`), [`${TAINT_UNREACHABLE}:NoSchedule`, `${TAINT_UNREACHABLE}:NoExecute`]);
    assert.ok(Date.now() - t0 >= 800, 'not before the grace period');
    const p = await until('pods NotReady', async () => {
      const x = await getPod(client, 'forever');
      return x?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False' ? x : undefined;
    });
    assert.ok(p);
    const evicted = await until('short evicted', async () => ((await getPod(client, 'short'))?.metadata?.deletionTimestamp ? getPod(client, 'short') : undefined));
    assert.equal(evicted!.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    assert.equal((await getPod(client, 'forever'))?.metadata?.deletionTimestamp, undefined, 'tolerated forever');
    assert.equal((await getPod(client, 'default'))?.metadata?.deletionTimestamp, undefined, '300 s have not passed');
    assert.equal((await getPod(client, 'elsewhere'))?.metadata?.deletionTimestamp, undefined, 'the healthy node is untouched');
    assert.equal((await client.get<Node>('/api/v1/nodes/n-healthy')).spec?.taints, undefined);

    // An operator declares the node out of service: its terminating pods go at once.
    const tainted = await client.get<Node>('/api/v1/nodes/n-silent');
    await client.patch('/api/v1/nodes/n-silent', { spec: { taints: [...tainted.spec!.taints!, { key: TAINT_OUT_OF_SERVICE, value: 'nodeshutdown', effect: 'NoExecute' }] } });
    // (It is a NoExecute taint the others do not tolerate: they are evicted, then go too.)
    await until('pods force-deleted', async () => (!(await getPod(client, 'short')) && !(await getPod(client, 'forever')) && !(await getPod(client, 'default')) ? true : undefined));
    await client.patch('/api/v1/nodes/n-silent', { spec: { taints: tainted.spec!.taints } });

    await silent.resume();
    await until('taints removed', async () => ((await client.get<Node>('/api/v1/nodes/n-silent')).spec?.taints === undefined ? true : undefined));
    silent.stop();

    await podOn(client, 'late', 'n-silent', []);
    await client.delete('/api/v1/nodes/n-silent');
    await until('orphans collected', async () => (!(await getPod(client, 'late')) ? true : undefined));
    assert.ok(await getPod(client, 'elsewhere'));
  } finally {
    for (const n of nodes) n.stop();
    ctl.stop();
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a single node going silent (whole zone down) gets NoSchedule but no NoExecute taint: nothing is evicted', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinykube-nodelifecycle-'));
  const cp = await startControlPlane({ dataDir, host: '127.0.0.1', port: 0 });
  const { client } = cp;
  const ctl = new NodeLifecycleController(client, { gracePeriodMs: 500, monitorPeriodMs: 100 });
  try {
    const only = await fakeNode(client, 'only');
    await podOn(client, 'p', 'only', []);
    only.stop();
    await ctl.start();
    const n = await until('Unknown', async () => {
      const x = await client.get<Node>('/api/v1/nodes/only');
      return x.spec?.taints?.length ? x : undefined;
    });
    assert.deepEqual(n.spec!.taints!.map((t) => `${t.key}:${t.effect}`), [`${TAINT_UNREACHABLE}:NoSchedule`]);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await getPod(client, 'p'))?.metadata?.deletionTimestamp, undefined);
  } finally {
    ctl.stop();
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
