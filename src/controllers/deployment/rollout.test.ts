import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dep, rs } from '../../../test/helpers/deployments.js';
import { newRSNewReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets, scaleDeployment } from './rollout.js';
import { availableOf, maxSurge, maxUnavailable, resolveFenceposts, type DeploymentObj, type RSObj } from './util.js';

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
