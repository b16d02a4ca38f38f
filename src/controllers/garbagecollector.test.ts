// Garbage collection: the finalizers a delete leaves (API server side), the collector's decision on
// a dependent, then background / foreground / orphan cascades on a real `tinykube server` across
// several kinds (Deployments, ReplicaSets, pods, leases, nodes).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { deletionFinalizers } from '../apiserver/registry.js';
import { decide, type OwnerState } from './garbagecollector.js';
import { realServer, until } from '../../test/helpers/controllers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

test('a delete leaves the finalizers its propagation policy asks for', () => {
  const f = (current: string[], opts: object, policy?: 'DeleteDependents' | 'OrphanDependents') => deletionFinalizers(current, opts, policy);
  assert.deepEqual(f([], { propagationPolicy: 'Background' }), { changed: false, finalizers: [] });
  assert.deepEqual(f([], { propagationPolicy: 'Foreground' }), { changed: true, finalizers: ['foregroundDeletion'] });
  assert.deepEqual(f([], { propagationPolicy: 'Orphan' }), { changed: true, finalizers: ['orphan'] });
  assert.deepEqual(f(['example.com/x'], { propagationPolicy: 'Orphan' }), { changed: true, finalizers: ['example.com/x', 'orphan'] });
  assert.deepEqual(f([], { orphanDependents: true }), { changed: true, finalizers: ['orphan'] }, 'the deprecated flag');
  assert.deepEqual(f([], {}), { changed: false, finalizers: [] }, 'no policy: background for most kinds');
  assert.deepEqual(f([], {}, 'OrphanDependents'), { changed: true, finalizers: ['orphan'] }, 'no policy: orphan for batch/v1 Jobs');
  assert.deepEqual(f(['orphan'], { propagationPolicy: 'Foreground' }), { changed: true, finalizers: ['foregroundDeletion'] }, 'a later delete may switch');
  assert.deepEqual(f(['foregroundDeletion'], {}), { changed: false, finalizers: ['foregroundDeletion'] }, 'an existing choice stays');
  assert.deepEqual(f(['orphan'], { propagationPolicy: 'Background' }), { changed: true, finalizers: [] });
});

test('what the collector does with a dependent, by the state of its owners', () => {
  const ref = (uid: string): OwnerReference => ({ apiVersion: 'v1', kind: 'Pod', name: uid, uid });
  const states = (...s: [string, OwnerState][]) => new Map(s.map(([uid, st]) => [ref(uid), st]));
  assert.deepEqual(decide(states(['a', 'solid']), false), { action: 'none' });
  assert.deepEqual(decide(states(['a', 'solid'], ['b', 'dangling'], ['c', 'waiting']), true), { action: 'removeRefs', uids: ['b', 'c'] });
  assert.deepEqual(decide(states(['a', 'dangling']), true), { action: 'delete', foreground: false });
  assert.deepEqual(decide(states(['a', 'waiting']), false), { action: 'delete', foreground: false });
  assert.deepEqual(decide(states(['a', 'waiting']), true), { action: 'delete', foreground: true }, 'its own dependents go first');
  assert.deepEqual(decide(new Map(), false), { action: 'none' });
});

// ---------- against a real API server ----------

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
const PODS = '/api/v1/namespaces/default/pods';
const APPS = '/apis/apps/v1/namespaces/default';

describe('garbage collector on a real API server', () => {
  const { client: c } = realServer();

  const exists = (path: string) => c.get<Json>(path).then(() => true, (e) => { if (e.code === 404) return false; throw e; });
  const gone = (path: string) => until(`${path} gone`, async () => ((await exists(path)) ? undefined : true));
  const lease = async (name: string, extra: Json = {}) => c.post<Json>(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, ...extra } });
  const ownedBy = (o: Json, block = true): OwnerReference => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, ...(block ? { blockOwnerDeletion: true } : {}) });
  const pod = (name: string, owners: OwnerReference[]) => c.post<Json>(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, ownerReferences: owners }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
  });

  test('background: dependents of any kind go after their owner is gone', async () => {
    const owner = await lease('bg-owner');
    await pod('bg-a', [ownedBy(owner)]);
    await lease('bg-b', { ownerReferences: [ownedBy(owner)] });
    await c.delete(`${LEASES}/bg-owner`, { propagationPolicy: 'Background' });
    assert.equal(await exists(`${LEASES}/bg-owner`), false, 'the owner goes at once');
    await gone(`${PODS}/bg-a`);
    await gone(`${LEASES}/bg-b`);
  });

  test('foreground: the owner stays with foregroundDeletion until blocking dependents are gone, down a chain', async () => {
    const owner = await lease('fg-owner');
    const middle = await lease('fg-middle', { ownerReferences: [ownedBy(owner)] });
    // A finalizer of our own keeps the leaf around until we let it go.
    await pod('fg-leaf', [ownedBy(middle)]).then(() => c.patch(`${PODS}/fg-leaf`, { metadata: { finalizers: ['example.com/hold'] } }));
    const deleting = await c.delete<Json>(`${LEASES}/fg-owner`, { propagationPolicy: 'Foreground' });
    assert.deepEqual(deleting.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(deleting.metadata.deletionTimestamp);
    const mid = await until('middle deleted in the foreground', async () => {
      const m = await c.get<Json>(`${LEASES}/fg-middle`);
      return m.metadata.deletionTimestamp ? m : undefined;
    });
    assert.deepEqual(mid.metadata.finalizers, ['foregroundDeletion'], 'a dependent with dependents of its own is deleted in the foreground too');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await exists(`${LEASES}/fg-owner`), 'still waiting for the leaf');
    await c.patch(`${PODS}/fg-leaf`, { metadata: { finalizers: null } });
    await gone(`${PODS}/fg-leaf`);
    await gone(`${LEASES}/fg-middle`);
    await gone(`${LEASES}/fg-owner`);
  });

  test('orphan: dependents lose the reference and stay; then the owner goes', async () => {
    const owner = await lease('or-owner');
    const other = await lease('or-other');
    await pod('or-a', [ownedBy(owner), ownedBy(other, false)]);
    await c.delete(`${LEASES}/or-owner`, { propagationPolicy: 'Orphan' });
    await gone(`${LEASES}/or-owner`);
    const a = await c.get<Json>(`${PODS}/or-a`);
    assert.deepEqual(a.metadata.ownerReferences.map((r: Json) => r.name), ['or-other']);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await exists(`${PODS}/or-a`), 'an orphan is not collected');
  });

  test('a reference to an owner that does not exist is dangling; a dependent with another live owner only loses that reference', async () => {
    const alive = await lease('dg-alive');
    await pod('dg-lost', [{ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'never', uid: '00000000-0000-0000-0000-000000000000' }]);
    await gone(`${PODS}/dg-lost`);
    await pod('dg-kept', [ownedBy(alive), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'never2', uid: '00000000-0000-0000-0000-000000000001' }]);
    const kept = await until('dangling reference removed', async () => {
      const p = await c.get<Json>(`${PODS}/dg-kept`);
      return p.metadata.ownerReferences.length === 1 ? p : undefined;
    });
    assert.equal(kept.metadata.ownerReferences[0].name, 'dg-alive');
    // An owner recreated under the same name is a different object.
    await c.delete(`${LEASES}/dg-alive`, { propagationPolicy: 'Orphan' });
    await gone(`${LEASES}/dg-alive`);
    const again = await lease('dg-same-name');
    await pod('dg-stale', [{ ...ownedBy(again), uid: '00000000-0000-0000-0000-000000000002' }]);
    await gone(`${PODS}/dg-stale`);
    assert.ok(await exists(`${LEASES}/dg-same-name`));
  });

  test('a pod in its grace period is not removed when the collector takes its foregroundDeletion finalizer off', async () => {
    // Bound to a node: a delete is graceful (30 s), the node's agent (absent here) would end it.
    await c.post<Json>(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'grace' }, spec: { nodeName: 'somewhere', containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    const deleting = await c.delete<Json>(`${PODS}/grace`, { propagationPolicy: 'Foreground' });
    assert.deepEqual(deleting.metadata.finalizers, ['foregroundDeletion']);
    assert.equal(deleting.metadata.deletionGracePeriodSeconds, 30);
    const pod = await until('finalizer removed', async () => {
      const p = await c.get<Json>(`${PODS}/grace`);
      return p.metadata.finalizers ? undefined : p;
    });
    assert.ok(pod.metadata.deletionTimestamp, 'still terminating');
    await c.delete(`${PODS}/grace`, { gracePeriodSeconds: 0 });
    await gone(`${PODS}/grace`);
  });

  test('a cluster-scoped owner (a node) takes its namespaced dependents (a lease) with it', async () => {
    const node = await c.post<Json>('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'gc-node' } });
    await lease('gc-node', { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'gc-node', uid: node.metadata.uid }] });
    await c.delete('/api/v1/nodes/gc-node');
    await gone(`${LEASES}/gc-node`);
  });

  test('kubectl-style deletes of a Deployment: background, orphan and foreground', async () => {
    const deployment = (name: string) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    });
    const podsOf = async (app: string) => (await c.get<Json>(`${PODS}?labelSelector=app%3D${app}`)).items;
    const setsOf = async (app: string) => (await c.get<Json>(`${APPS}/replicasets?labelSelector=app%3D${app}`)).items;
    for (const name of ['gc-bg', 'gc-or', 'gc-fg']) {
      await c.post(`${APPS}/deployments`, deployment(name));
      await until(`${name} pods`, async () => ((await podsOf(name)).length === 2 ? true : undefined));
    }
    await c.delete(`${APPS}/deployments/gc-bg`, { propagationPolicy: 'Background' });
    await until('replica sets and pods collected', async () => ((await setsOf('gc-bg')).length + (await podsOf('gc-bg')).length === 0 ? true : undefined));

    await c.delete(`${APPS}/deployments/gc-or`, { propagationPolicy: 'Orphan' });
    await gone(`${APPS}/deployments/gc-or`);
    const [orphanSet] = await setsOf('gc-or');
    assert.equal(orphanSet.metadata.ownerReferences, undefined, 'the replica set is orphaned');
    assert.equal((await podsOf('gc-or')).length, 2, 'and keeps its pods');

    const fg = await c.delete<Json>(`${APPS}/deployments/gc-fg`, { propagationPolicy: 'Foreground' });
    assert.deepEqual(fg.metadata.finalizers, ['foregroundDeletion']);
    await gone(`${APPS}/deployments/gc-fg`);
    assert.equal((await setsOf('gc-fg')).length + (await podsOf('gc-fg')).length, 0, 'the deployment went last');
  });
});
