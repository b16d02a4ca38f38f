// ReplicaSet controller: the deletion ranking, expectations, status and batching as units; then the
// controller against a real `tinykube server` (no node: a test "kubelet" marks pods ready).
import { isPodAvailable } from '../api/pods.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Expectations } from '../client/expectations.js';
import { compareForDeletion, podFromTemplate, podsToDelete, slowStartBatch, type PodObj } from './controllerutil.js';
import { replicaSetStatus, type ReplicaSetObj } from './replicaset.js';
import { markPodReady, realServer, until } from '../../test/helpers/controllers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: string; readySince?: number; created?: number; restarts?: number; cost?: number } = {}): PodObj {
  return {
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: iso(o.created ?? 60_000), labels: { app: 'web' },
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'x' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: iso(o.readySince) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0, ready: o.readySince !== undefined, image: 'x', imageID: '' }],
    },
  } as unknown as PodObj;
}

const names = (pods: PodObj[]) => pods.map((p) => p.metadata.name);

test('scale-down ranking: unscheduled < pending < not ready < ready for less time < more restarts < newer', () => {
  const pods = [
    pod('old-ready', { node: 'n', readySince: 50_000, created: 60_000 }),
    pod('unscheduled', { phase: 'Pending' }),
    pod('pending', { node: 'n', phase: 'Pending' }),
    pod('not-ready', { node: 'n' }),
    pod('fresh-ready', { node: 'n', readySince: 1_000, created: 60_000 }),
    pod('restarty', { node: 'n', readySince: 50_000, created: 60_000, restarts: 3 }),
  ];
  const order = [...pods].sort((a, b) => compareForDeletion(a, b));
  assert.deepEqual(names(order), ['unscheduled', 'pending', 'not-ready', 'fresh-ready', 'restarty', 'old-ready']);
  // Same readiness time and restarts: the newer pod goes first.
  const twins = [pod('older', { node: 'n', readySince: 5000, created: 50_000 }), pod('newer', { node: 'n', readySince: 5000, created: 10_000 })];
  assert.deepEqual(names([...twins].sort((a, b) => compareForDeletion(a, b))), ['newer', 'older']);
  // A lower pod-deletion-cost goes first, before readiness age is looked at.
  const costly = [pod('cheap', { node: 'n', readySince: 50_000, cost: -5 }), pod('dear', { node: 'n', readySince: 1000, cost: 10 })];
  assert.deepEqual(names([...costly].sort((a, b) => compareForDeletion(a, b))), ['cheap', 'dear']);
});

test('podsToDelete prefers pods on nodes that hold more pods of the owner', () => {
  const pods = [pod('a1', { node: 'a', readySince: 9000 }), pod('a2', { node: 'a', readySince: 9000 }), pod('b1', { node: 'b', readySince: 1000 })];
  assert.deepEqual(names(podsToDelete(pods, pods, 1)).map((n) => n?.[0]), ['a']);
  assert.equal(podsToDelete(pods, pods, 5).length, 3);
});

test('expectations: satisfied only when every create and delete was observed', () => {
  const e = new Expectations();
  assert.ok(e.satisfied('ns/rs'), 'nothing expected');
  e.expectCreations('ns/rs', 2);
  assert.ok(!e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  assert.ok(!e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  assert.ok(e.satisfied('ns/rs'));
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  assert.ok(!e.satisfied('ns/rs'), 'the same pod seen twice counts once');
  e.deletionObserved('ns/rs', 'ns/b');
  assert.ok(e.satisfied('ns/rs'));
  const short = new Expectations(10);
  short.expectCreations('k', 1);
  assert.ok(short.satisfied('k', Date.now() + 1000), 'expectations expire');
});

test('status: replicas, fullyLabeled, ready, available after minReadySeconds; a failure condition', () => {
  const rs = { metadata: { name: 'rs', generation: 2 }, spec: { replicas: 3, minReadySeconds: 10, template: { metadata: { labels: { app: 'web', tier: 'a' } } } }, status: { replicas: 0 } } as unknown as ReplicaSetObj;
  const a = pod('a', { node: 'n', readySince: 60_000 });
  a.metadata.labels = { app: 'web', tier: 'a' };
  const b = pod('b', { node: 'n', readySince: 1000 });
  const c = pod('c', { node: 'n' });
  assert.ok(isPodAvailable(a, 10) && !isPodAvailable(b, 10) && isPodAvailable(b, 0));
  assert.deepEqual(replicaSetStatus(rs, [a, b, c], undefined), { replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1 });
  const failed = replicaSetStatus(rs, [a], new Error('quota'));
  assert.equal(failed.conditions?.[0].type, 'ReplicaFailure');
  assert.equal(failed.conditions?.[0].reason, 'FailedCreate');
  assert.deepEqual(replicaSetStatus({ ...rs, status: failed } as ReplicaSetObj, [a, b, c], undefined).conditions, undefined, 'cleared once it works');
});

test('slow start: batches 1, 2, 4... and stops after a failing batch', async () => {
  let calls = 0;
  assert.deepEqual(await slowStartBatch(10, 1, async () => { calls++; }), { successes: 10 });
  assert.equal(calls, 10);
  calls = 0;
  const r = await slowStartBatch(10, 1, async () => { if (++calls === 2) throw new Error('no'); });
  assert.equal(r.successes, 2, 'batch 1 (1 call) and batch 2 (2 calls, one failed): 2 successes');
  assert.equal(calls, 3, 'no batch after the failing one');
});

test('pods from a template: generateName, labels, annotations, controller reference', () => {
  const rs = { metadata: { name: 'web-abc', namespace: 'ns', uid: 'u1' } } as unknown as ReplicaSetObj;
  const p = podFromTemplate({ metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }, rs,
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u1', controller: true, blockOwnerDeletion: true });
  assert.equal(p.metadata.generateName, 'web-abc-');
  assert.equal(p.metadata.namespace, 'ns');
  assert.deepEqual(p.metadata.labels, { app: 'web' });
  assert.deepEqual(p.metadata.annotations, { a: 'b' });
  assert.equal(p.metadata.ownerReferences?.[0].uid, 'u1');
});

// ---------- against a real API server ----------

const RS = '/apis/apps/v1/namespaces/default/replicasets';
const PODS = '/api/v1/namespaces/default/pods';

describe('ReplicaSet controller on a real API server', () => {
  const { client: c } = realServer();

  const list = async (selector = 'app=web'): Promise<Json[]> => (await c.get<Json>(`${PODS}?labelSelector=${encodeURIComponent(selector)}`)).items;
  const live = async (selector?: string) => (await list(selector)).filter((p) => !p.metadata.deletionTimestamp);
  const markReady = (p: Json) => markPodReady(c, p);
  const count = (n: number, selector?: string) => until(`${n} pods`, async () => { const ps = await live(selector); return ps.length === n ? ps : undefined; });

  test('creates, replaces, adopts, releases, scales down by rank and reports status', async () => {
    const rs = await c.post<Json>(RS, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    const pods = await count(3);
    for (const p of pods) {
      assert.match(p.metadata.name, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    // A deleted pod is replaced.
    await c.delete(`${PODS}/${pods[0].metadata.name}`);
    const replaced = await until('a replacement', async () => {
      const ps = await live();
      return ps.length === 3 && !ps.some((p) => p.metadata.name === pods[0].metadata.name) ? ps : undefined;
    });
    // Ready pods show in the status.
    await Promise.all(replaced.slice(0, 2).map(markReady));
    const status = await until('status', async () => {
      const s = (await c.get<Json>(`${RS}/web`)).status;
      return s.readyReplicas === 2 ? s : undefined;
    });
    assert.deepEqual(status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
    // Scaling down to 2 takes the pod that is not ready.
    const notReady = replaced[2].metadata.name;
    await c.patch(`${RS}/web/scale`, { spec: { replicas: 2 } });
    const two = await count(2);
    assert.ok(!two.some((p) => p.metadata.name === notReady), 'the not-ready pod went first');
    // An orphan with the right labels is adopted (and then one pod too many is deleted).
    await c.post(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    const afterAdoption = await count(2);
    const stray = await c.get<Json>(`${PODS}/stray`).catch(() => undefined);
    assert.ok(!stray || stray.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid, 'adopted, or deleted as the least valuable pod');
    // A pod whose labels stop matching is released and replaced.
    const leaving = afterAdoption[0].metadata.name;
    await c.patch(`${PODS}/${leaving}`, { metadata: { labels: { app: 'elsewhere' } } });
    await until('released', async () => ((await c.get<Json>(`${PODS}/${leaving}`)).metadata.ownerReferences ?? []).length === 0 ? true : undefined);
    await count(2);
    const rsAfter = await c.get<Json>(`${RS}/web`);
    assert.equal(rsAfter.status.observedGeneration, rsAfter.metadata.generation);
  });
});
