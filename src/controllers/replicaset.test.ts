// ReplicaSet controller: its status as a unit (the ranking and batching are tested beside
// controllerutil.ts, expectations beside client/expectations.ts); then the controller against a
// real `tinykube server` (no node: a test "kubelet" marks pods ready).
import { isPodAvailable } from '../api/pods.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaSetStatus, type ReplicaSetObj } from './replicaset.js';
import { markPodReady, rankedPod as pod, realServer, until } from '../../test/helpers/controllers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;


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
