// Deployment controller against a real `tinykube server` with a test "kubelet" that marks pods
// ready: rolling update, rollback as kubectl does it, pause, Recreate (the hash, rollout math,
// status and annotations have their unit tests beside ./deployment/*.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../api/errors.js';
import { computeHash } from './deployment/hash.js';
import { markPodReady, realServer, until } from '../../test/helpers/controllers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const APPS = '/apis/apps/v1/namespaces/default';
const PODS = '/api/v1/namespaces/default/pods';

describe('Deployment controller on a real API server', () => {
  const { client: c } = realServer();
  const stop = new AbortController();
  /** Every pod seen, in order, with when it became ready: the test kubelet. */
  const events: { type: string; pod: Json }[] = [];
  const readyDelayMs = 150;

  before(async () => {
    const marked = new Set<string>();
    void c.watch<Json>('/api/v1/pods?watch=true', (e) => {
      events.push({ type: e.type, pod: e.object });
      const p = e.object;
      if (e.type !== 'ADDED' || marked.has(p.metadata.uid)) return;
      marked.add(p.metadata.uid);
      setTimeout(() => {
        void markPodReady(c, p).catch(() => {});
      }, readyDelayMs);
    }, stop.signal).catch(() => {});
  });
  after(async () => {
    stop.abort();
  });

  const deployment = (name: string, replicas: number, spec: Json = {}) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } }, ...spec },
  });
  const get = (name: string) => c.get<Json>(`${APPS}/deployments/${name}`);
  const replicaSets = async (app: string): Promise<Json[]> => (await c.get<Json>(`${APPS}/replicasets?labelSelector=app%3D${app}`)).items;
  const rolledOut = (name: string) => until(`${name} rolled out`, async () => {
    const d = await get(name);
    const s = d.status ?? {};
    const want = d.spec.replicas;
    const done = d.metadata.generation <= (s.observedGeneration ?? 0) && (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want;
    return done && s.conditions?.some((x: Json) => x.type === 'Progressing' && x.reason === 'NewReplicaSetAvailable') ? d : undefined;
  });
  /** Available (ready, not terminating) and total live pods of an app, replayed from the watch log. */
  const replay = (app: string, from: number) => {
    const state = new Map<string, Json>();
    let minAvailable = Infinity;
    let maxPods = 0;
    for (const [i, { type, pod }] of events.entries()) {
      if (pod.metadata.labels?.app !== app) continue;
      if (type === 'DELETED') state.delete(pod.metadata.uid);
      else state.set(pod.metadata.uid, pod);
      if (i < from) continue;
      const pods = [...state.values()].filter((p) => !p.metadata.deletionTimestamp);
      const available = pods.filter((p) => p.status?.conditions?.some((x: Json) => x.type === 'Ready' && x.status === 'True')).length;
      minAvailable = Math.min(minAvailable, available);
      maxPods = Math.max(maxPods, pods.length);
    }
    return { minAvailable, maxPods, pods: [...state.values()] };
  };

  test('rolling update keeps availability, records revisions; kubectl-style rollback reuses the old replica set', async () => {
    await c.post(`${APPS}/deployments`, deployment('roll', 4));
    const first = await rolledOut('roll');
    assert.equal(first.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    const [rs1] = await replicaSets('roll');
    assert.match(rs1.metadata.name, /^roll-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs1.metadata.labels['pod-template-hash'], rs1.metadata.name.slice('roll-'.length));
    assert.equal(rs1.spec.selector.matchLabels['pod-template-hash'], rs1.metadata.labels['pod-template-hash']);
    assert.equal(rs1.metadata.ownerReferences[0].uid, first.metadata.uid);

    const mark = events.length;
    await c.patch(`${APPS}/deployments/roll`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox:1.37' }] } } } }, 'application/strategic-merge-patch+json');
    const second = await rolledOut('roll');
    assert.equal(second.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    const { minAvailable, maxPods } = replay('roll', mark);
    assert.ok(minAvailable >= 3, `available pods dropped to ${minAvailable} (replicas 4, maxUnavailable 1)`);
    assert.ok(maxPods <= 5, `${maxPods} pods at once (replicas 4, maxSurge 1)`);
    const sets = await replicaSets('roll');
    assert.equal(sets.length, 2);
    const old = sets.find((r: Json) => r.metadata.name === rs1.metadata.name);
    assert.equal(old.spec.replicas, 0);

    // kubectl rollout undo: a JSON patch of the old template (hash label removed) and annotations.
    const tmpl = structuredClone(old.spec.template);
    delete tmpl.metadata.labels['pod-template-hash'];
    await c.patch(`${APPS}/deployments/roll`, [
      { op: 'replace', path: '/spec/template', value: tmpl },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
    ], 'application/json-patch+json');
    const third = await rolledOut('roll');
    assert.equal(third.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    const back = (await replicaSets('roll')).find((r: Json) => r.metadata.name === rs1.metadata.name);
    assert.equal(back.spec.replicas, 4, 'the first replica set is back in use');
    assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
  });

  test('scaling goes through the scale subresource; a paused deployment scales but does not roll', async () => {
    await c.post(`${APPS}/deployments`, deployment('pause', 2));
    await rolledOut('pause');
    let scale = await c.get<Json>(`${APPS}/deployments/pause/scale`);
    assert.deepEqual([scale.kind, scale.apiVersion, scale.spec.replicas, scale.status.replicas, scale.status.selector], ['Scale', 'autoscaling/v1', 2, 2, 'app=pause']);
    // The controller may still write its status after the rollout: a PUT with that resourceVersion then
    // conflicts, and a client reads again and retries, as kubectl scale does.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.put(`${APPS}/deployments/pause/scale`, { ...scale, spec: { replicas: 3 } });
        break;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409) || attempt >= 5) throw e;
        scale = await c.get<Json>(`${APPS}/deployments/pause/scale`);
      }
    }
    await rolledOut('pause');
    await c.patch(`${APPS}/deployments/pause`, { spec: { paused: true } });
    await c.patch(`${APPS}/deployments/pause`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox:1.37' }] } } } }, 'application/strategic-merge-patch+json');
    await c.patch(`${APPS}/deployments/pause/scale`, { spec: { replicas: 1 } });
    const paused = await until('paused condition', async () => {
      const d = await get('pause');
      return d.status.observedGeneration === d.metadata.generation && d.status.replicas === 1 ? d : undefined;
    });
    assert.equal(paused.status.conditions.find((x: Json) => x.type === 'Progressing').reason, 'DeploymentPaused');
    assert.equal((await replicaSets('pause')).length, 1, 'no new replica set while paused');
    await c.patch(`${APPS}/deployments/pause`, { spec: { paused: false } });
    const resumed = await rolledOut('pause');
    assert.equal(resumed.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    await assert.rejects(c.put(`${APPS}/deployments/pause/scale`, { ...scale, spec: { replicas: 5 } }), /the object has been modified/, 'a stale Scale resourceVersion conflicts');
    await assert.rejects(c.patch(`${APPS}/deployments/pause/scale`, { spec: { replicas: -1 } }), /Scale "pause" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
  });

  test('Recreate: every old pod is gone before a new one is created', async () => {
    await c.post(`${APPS}/deployments`, deployment('re', 3, { strategy: { type: 'Recreate' } }));
    await rolledOut('re');
    const mark = events.length;
    await c.patch(`${APPS}/deployments/re`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox:1.37' }] } } } }, 'application/strategic-merge-patch+json');
    await rolledOut('re');
    const seen = events.slice(mark).filter((e) => e.pod.metadata.labels?.app === 're');
    const firstNew = seen.findIndex((e) => e.type === 'ADDED' && e.pod.spec.containers[0].image === 'busybox:1.37');
    const lastOldGone = seen.map((e) => e.type === 'DELETED' && e.pod.spec.containers[0].image === 'busybox:1.36').lastIndexOf(true);
    assert.ok(firstNew > lastOldGone, 'new pods only after the old ones are deleted');
  });

  test('a name taken by another replica set is a hash collision: collisionCount grows and the next hash is used', async () => {
    await c.post(`${APPS}/deployments`, deployment('coll', 1, { paused: true }));
    const d = await until('defaulted', async () => { const x = await get('coll'); return x.status?.observedGeneration ? x : undefined; });
    const taken = `coll-${computeHash(d.spec.template)}`;
    await c.post(`${APPS}/replicasets`, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: taken },
      spec: { replicas: 0, selector: { matchLabels: { other: 'x' } }, template: { metadata: { labels: { other: 'x' } }, spec: { containers: [{ name: 'c', image: 'other:1' }] } } },
    });
    await c.patch(`${APPS}/deployments/coll`, { spec: { paused: false } });
    const done = await rolledOut('coll');
    assert.equal(done.status.collisionCount, 1);
    const [own] = await replicaSets('coll');
    assert.equal(own.metadata.name, `coll-${computeHash(d.spec.template, 1)}`);
  });

  test('revisionHistoryLimit removes the oldest unused replica sets', async () => {
    await c.post(`${APPS}/deployments`, deployment('hist', 1, { revisionHistoryLimit: 1 }));
    for (const image of ['busybox:1.37', 'busybox:1.38', 'busybox:1.39']) {
      await c.patch(`${APPS}/deployments/hist`, { spec: { template: { spec: { containers: [{ name: 'web', image }] } } } }, 'application/strategic-merge-patch+json');
      await rolledOut('hist');
    }
    const sets = await until('cleanup', async () => { const s = await replicaSets('hist'); return s.length === 2 ? s : undefined; });
    assert.deepEqual(sets.map((r: Json) => r.metadata.annotations['deployment.kubernetes.io/revision']).sort(), ['3', '4']);
  });
});
