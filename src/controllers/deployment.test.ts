// Deployment controller: the template hash, rollout step math (simulated to the end, checking the
// availability floor and surge ceiling at every step), proportional scaling, conditions and
// revision annotations as units; then the controller against a real `tinykube server` with a test
// "kubelet" that marks pods ready: rolling update, rollback as kubectl does it, pause, Recreate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../test/e2e/harness.js';
import { ApiError } from '../api/errors.js';
import type { RestClient } from '../client/rest.js';
import {
  availableOf, calculateStatus, computeHash, deploymentComplete, equalIgnoreHash, maxSurge, maxUnavailable, newRSNewReplicas,
  reconcileNewReplicaSet, reconcileOldReplicaSets, resolveFenceposts, rolloutStatus, scaleDeployment, setNewReplicaSetAnnotations,
  type DeploymentObj, type RSObj,
} from './deployment.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const template = (image = 'busybox:1.36') => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });

function dep(replicas: number, surge: number | string = '25%', unavailable: number | string = '25%', extra: Json = {}): DeploymentObj {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd1', generation: 1, ...(extra.metadata ?? {}) },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } }, progressDeadlineSeconds: 600, ...(extra.spec ?? {}) },
    status: extra.status ?? {},
  } as unknown as DeploymentObj;
}

let seq = 0;
function rs(name: string, replicas: number, available = replicas, annotations: Record<string, string> = {}): RSObj {
  return {
    metadata: { name, namespace: 'default', uid: name, creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, seq++)).toISOString(), annotations },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template() },
    status: { replicas, readyReplicas: available, availableReplicas: available },
  } as unknown as RSObj;
}

test('template hash: stable under key order, changes with the template and the collision count', () => {
  const a = computeHash({ metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  const b = computeHash({ spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { tier: 'x', app: 'web' } } });
  assert.equal(a, b);
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.notEqual(computeHash({ spec: { containers: [{ name: 'c', image: 'j' }] } }), computeHash({ spec: { containers: [{ name: 'c', image: 'i' }] } }));
  const t = template();
  assert.notEqual(computeHash(t, 1), computeHash(t));
  assert.notEqual(computeHash(t, 1), computeHash(t, 2));
  assert.ok(equalIgnoreHash({ metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, creationTimestamp: null } as Json, spec: t.spec }, t));
  assert.ok(!equalIgnoreHash(template('other'), t));
});

test('fenceposts: maxSurge rounds up, maxUnavailable down, never both zero', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 3), [1, 0]);
  assert.deepEqual(resolveFenceposts('25%', '25%', 4), [1, 1]);
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
  assert.deepEqual(resolveFenceposts(0, '10%', 5), [0, 1], 'rounding to zero for both gives one unavailable');
  assert.deepEqual(resolveFenceposts(2, 0, 5), [2, 0]);
  assert.equal(maxUnavailable(dep(1, 0, 5)), 1, 'never more than replicas');
  assert.equal(maxUnavailable(dep(0)), 0);
  assert.equal(maxSurge({ ...dep(4), spec: { ...dep(4).spec, strategy: { type: 'Recreate' } } } as DeploymentObj), 0);
});

test('the new replica set grows within the surge ceiling', () => {
  const d = dep(10, 3, 2);
  assert.equal(newRSNewReplicas(d, [rs('old', 10), rs('new', 0)], rs('new', 0)), 3);
  assert.equal(newRSNewReplicas(d, [rs('old', 8), rs('new', 5)], rs('new', 5)), 5, 'at the ceiling: no change');
  assert.equal(newRSNewReplicas(d, [rs('old', 0), rs('new', 9)], rs('new', 9)), 10, 'never above replicas');
});

/**
 * Plays a whole rolling update: each round the controller's two steps run, then the "cluster"
 * catches up (replica sets reach their size; new pods take `readyAfter` rounds to become available).
 * Checks after every write that available pods never drop below replicas - maxUnavailable and
 * that pods never exceed replicas + maxSurge.
 */
async function simulate(replicas: number, surge: number | string, unavailable: number | string, readyAfter = 1) {
  const d = dep(replicas, surge, unavailable);
  const old = rs('old', replicas);
  const next = rs('new', 0);
  const all = [old, next];
  const floor = replicas - maxUnavailable(d);
  const ceiling = replicas + maxSurge(d);
  const pendingReady: { rs: RSObj; at: number }[] = [];
  let round = 0;
  const check = () => {
    const available = all.reduce((n, r) => n + availableOf(r), 0);
    const pods = all.reduce((n, r) => n + Math.max(r.spec!.replicas!, r.status!.replicas ?? 0), 0);
    assert.ok(available >= floor, `round ${round}: ${available} available < ${floor}`);
    assert.ok(pods <= ceiling, `round ${round}: ${pods} pods > ${ceiling}`);
  };
  const scale = async (r: RSObj, n: number) => {
    const was = r.spec!.replicas!;
    r.spec!.replicas = n;
    // Scaling down takes effect at once (pods are deleted); scaling up makes pods that are not ready yet.
    if (n < was) r.status = { replicas: n, readyReplicas: Math.min(r.status!.readyReplicas!, n), availableReplicas: Math.min(r.status!.availableReplicas!, n) };
    else for (let i = was; i < n; i++) pendingReady.push({ rs: r, at: round + readyAfter });
    if (n > was) r.status = { ...r.status!, replicas: n };
    check();
    return n !== was;
  };
  for (; round < 100; round++) {
    if (await reconcileNewReplicaSet(d, all, next, scale)) { /* wait for the next round */ } else await reconcileOldReplicaSets(d, all, [old].filter((r) => r.spec!.replicas! > 0), next, scale);
    for (const p of pendingReady.splice(0).filter((p) => { if (p.at > round) { pendingReady.push(p); return false; } return true; })) {
      if (p.rs.spec!.replicas! > p.rs.status!.availableReplicas!) p.rs.status = { ...p.rs.status!, readyReplicas: p.rs.status!.readyReplicas! + 1, availableReplicas: p.rs.status!.availableReplicas! + 1 };
    }
    check();
    if (next.spec!.replicas === replicas && next.status!.availableReplicas === replicas && old.spec!.replicas === 0) return round;
  }
  assert.fail('the rollout did not finish');
}

test('rolling update math: finishes and holds the availability floor and surge ceiling at every step', async () => {
  for (const [replicas, surge, unavailable] of [[3, '25%', '25%'], [4, '25%', '25%'], [10, '25%', '25%'], [5, 0, 1], [5, 2, 0], [6, '50%', '50%'], [1, 1, 0]] as const) {
    const rounds = await simulate(replicas, surge, unavailable, 2);
    assert.ok(rounds > 0, `${replicas} ${surge} ${unavailable}`);
  }
});

test('old pods that are not available go before available ones', async () => {
  const d = dep(4, 1, 1);
  const old = rs('old', 4, 2);
  const next = rs('new', 1, 0);
  const calls: [string, number][] = [];
  await reconcileOldReplicaSets(d, [old, next], [old], next, async (r, n) => { calls.push([r.metadata.name!, n]); r.spec!.replicas = n; return true; });
  // 5 pods, 3 must stay available and the new one is not available yet: one pod may go, and it
  // is one of the old set's unavailable pods (its available count, 2, is not touched).
  assert.deepEqual(calls, [['old', 3]]);
});

test('proportional scaling during a rollout (the upstream documentation example: 10 -> 15)', async () => {
  const d = dep(15, 3, 2, { status: { replicas: 13 } });
  const old = rs('old', 8, 8, { 'deployment.kubernetes.io/max-replicas': '13', 'deployment.kubernetes.io/desired-replicas': '10' });
  const next = rs('new', 5, 0, { 'deployment.kubernetes.io/max-replicas': '13', 'deployment.kubernetes.io/desired-replicas': '10' });
  const sizes = new Map<string, number>();
  await scaleDeployment(d, next, [old], async (r, n) => { sizes.set(r.metadata.name!, n); r.spec!.replicas = n; return true; });
  assert.deepEqual(Object.fromEntries(sizes), { old: 11, new: 7 });
  // Only one active replica set: it takes the whole count.
  const single = rs('only', 3);
  await scaleDeployment(dep(5), single, [rs('idle', 0)], async (r, n) => { r.spec!.replicas = n; return true; });
  assert.equal(single.spec!.replicas, 5);
});

test('status and conditions: Available, Progressing reasons, complete, timed out', () => {
  const d = dep(3, 1, 0, { metadata: { generation: 2 }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 1, availableReplicas: 3 } });
  const next = rs('new', 2, 1);
  const old = rs('old', 2, 2);
  const s = rolloutStatus([old, next], next, d);
  assert.equal(s.observedGeneration, 2);
  assert.equal(s.replicas, 4);
  assert.equal(s.updatedReplicas, 2);
  assert.equal(s.availableReplicas, 3);
  assert.equal(s.unavailableReplicas, 1);
  assert.deepEqual(s.conditions!.map((c) => [c.type, c.status, c.reason]), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'ReplicaSetUpdated']]);
  assert.equal(s.conditions![1].message, 'ReplicaSet "new" is progressing.');
  const doneD = dep(3, 1, 0, { status: { conditions: s.conditions } });
  const done = rolloutStatus([rs('old', 0, 0), rs('new', 3)], rs('new', 3), doneD);
  assert.ok(deploymentComplete(doneD, done));
  assert.equal(done.conditions!.find((c) => c.type === 'Progressing')!.reason, 'NewReplicaSetAvailable');
  assert.equal(done.conditions!.find((c) => c.type === 'Progressing')!.message, 'ReplicaSet "new" has successfully progressed.');
  const longAgo = new Date(Date.now() - 700_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const stuck = dep(3, 1, 0, { status: { replicas: 4, updatedReplicas: 1, availableReplicas: 3, readyReplicas: 3, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: longAgo, lastTransitionTime: longAgo }] } });
  const timedOut = rolloutStatus([rs('old', 3), rs('new', 1, 0)], rs('new', 1, 0), stuck);
  assert.deepEqual(timedOut.conditions!.filter((c) => c.type === 'Progressing').map((c) => [c.status, c.reason]), [['False', 'ProgressDeadlineExceeded']]);
  const unavailable = calculateStatus([rs('new', 3, 1)], undefined, dep(3, 1, 0));
  assert.equal(unavailable.conditions![0].reason, 'MinimumReplicasUnavailable');
});

test('revision annotations: copied deployment annotations, revision raised, history kept on rollback', () => {
  const d = dep(3, 1, 0, { metadata: { annotations: { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '2' } } });
  const fresh = rs('new', 0, 0);
  assert.ok(setNewReplicaSetAnnotations(d, fresh, 3, false));
  assert.deepEqual(fresh.metadata.annotations, {
    'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '3',
    'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
  });
  const back = rs('old', 0, 0, { 'deployment.kubernetes.io/revision': '1' });
  setNewReplicaSetAnnotations(d, back, 4, true);
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision'], '4');
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  setNewReplicaSetAnnotations(d, back, 6, true);
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,4');
  assert.ok(!setNewReplicaSetAnnotations(d, back, 5, true), 'a lower revision changes nothing');
});

// ---------- against a real API server ----------

const APPS = '/apis/apps/v1/namespaces/default';
const PODS = '/api/v1/namespaces/default/pods';

const wait = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('Deployment controller on a real API server', () => {
  let server: RunningServer;
  let c: RestClient;
  const stop = new AbortController();
  /** Every pod seen, in order, with when it became ready: the test kubelet. */
  const events: { type: string; pod: Json }[] = [];
  const readyDelayMs = 150;

  before(async () => {
    server = await startServer();
    c = server.client();
    const marked = new Set<string>();
    void c.watch<Json>('/api/v1/pods?watch=true', (e) => {
      events.push({ type: e.type, pod: e.object });
      const p = e.object;
      if (e.type !== 'ADDED' || marked.has(p.metadata.uid)) return;
      marked.add(p.metadata.uid);
      setTimeout(() => {
        void c.patch(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`, {
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
        }).catch(() => {});
      }, readyDelayMs);
    }, stop.signal).catch(() => {});
  });
  after(async () => {
    stop.abort();
    await server.stop();
    server.cleanup();
  });

  const deployment = (name: string, replicas: number, spec: Json = {}) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } }, ...spec },
  });
  const get = (name: string) => c.get<Json>(`${APPS}/deployments/${name}`);
  const replicaSets = async (app: string): Promise<Json[]> => (await c.get<Json>(`${APPS}/replicasets?labelSelector=app%3D${app}`)).items;
  const rolledOut = (name: string) => wait(`${name} rolled out`, async () => {
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
    const paused = await wait('paused condition', async () => {
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
    const d = await wait('defaulted', async () => { const x = await get('coll'); return x.status?.observedGeneration ? x : undefined; });
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
    const sets = await wait('cleanup', async () => { const s = await replicaSets('hist'); return s.length === 2 ? s : undefined; });
    assert.deepEqual(sets.map((r: Json) => r.metadata.annotations['deployment.kubernetes.io/revision']).sort(), ['3', '4']);
  });
});
