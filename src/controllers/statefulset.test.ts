import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { loadOrCreatePki } from '../apiserver/pki.js';
import { ApiServer } from '../apiserver/server.js';
import { RestClient } from '../client/rest.js';
import { SqliteStore } from '../storage/sqlite.js';
import {
  canonicalJson, StatefulSetController, ordinalOf, planStatefulSet, POD_INDEX_LABEL, POD_NAME_LABEL, revisionData, revisionTemplate, REVISION_LABEL, statefulPod,
  statefulSetStatus, templateHash, type Step,
} from './statefulset.js';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const set = (spec: Partial<NonNullable<StatefulSet['spec']>> = {}): StatefulSet => ({
  metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 2 },
  spec: { replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template, ...spec },
});
type PodState = 'ready' | 'running' | 'pending' | 'terminating' | 'failed';
const pod = (name: string, state: PodState = 'ready', revision = 'web-r1'): Pod => ({
  metadata: {
    name, namespace: 'default', labels: { app: 'web', [REVISION_LABEL]: revision },
    ...(state === 'terminating' ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { containers: [] },
  status: {
    phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running',
    conditions: [{ type: 'Ready', status: state === 'ready' || state === 'terminating' ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  },
});
const plan = (s: StatefulSet, pods: Pod[], current = 'web-r1', update = 'web-r1'): string[] =>
  planStatefulSet(s, pods, current, update).map((x: Step) => (x.kind === 'create' ? `create ${x.ord}${x.revision === 'current' ? ' (current)' : ''}` : x.kind === 'delete' ? `delete ${x.name} (${x.why})` : `wait ${x.name}`));

test('OrderedReady: one pod at a time, each Running and Ready before the next', () => {
  assert.deepEqual(plan(set(), []), ['create 0']);
  assert.deepEqual(plan(set(), [pod('web-0', 'pending')]), ['wait web-0']);
  assert.deepEqual(plan(set(), [pod('web-0', 'running')]), ['wait web-0'], 'running but not ready');
  assert.deepEqual(plan(set(), [pod('web-0')]), ['create 1']);
  assert.deepEqual(plan(set(), [pod('web-0'), pod('web-1'), pod('web-2')]), []);
  assert.deepEqual(plan(set(), [pod('web-0'), pod('web-2')]), ['create 1'], 'a gap is filled first');
  assert.deepEqual(plan(set(), [pod('web-0', 'failed'), pod('web-1')]), ['delete web-0 (failed)']);
});

test('OrderedReady scale down: highest ordinal first, one at a time, waiting for terminations and unhealthy pods', () => {
  const s = set({ replicas: 1 });
  assert.deepEqual(plan(s, [pod('web-0'), pod('web-1'), pod('web-2')]), ['delete web-2 (condemned)']);
  assert.deepEqual(plan(s, [pod('web-0'), pod('web-1'), pod('web-2', 'terminating')]), ['wait web-2']);
  assert.deepEqual(plan(s, [pod('web-0'), pod('web-1')]), ['delete web-1 (condemned)']);
  assert.deepEqual(plan(s, [pod('web-0', 'running'), pod('web-1')]), ['wait web-0']);
});

test('Parallel: everything at once', () => {
  assert.deepEqual(plan(set({ podManagementPolicy: 'Parallel' }), [pod('web-1', 'pending')]), ['create 0', 'create 2']);
  assert.deepEqual(plan(set({ podManagementPolicy: 'Parallel', replicas: 0 }), [pod('web-0'), pod('web-1', 'pending')]), ['delete web-1 (condemned)', 'delete web-0 (condemned)']);
});

test('RollingUpdate: reverse ordinal order, one at a time, down to the partition; OnDelete does nothing', () => {
  const old = [pod('web-0'), pod('web-1'), pod('web-2')];
  assert.deepEqual(plan(set(), old, 'web-r1', 'web-r2'), ['delete web-2 (update)']);
  assert.deepEqual(plan(set(), [pod('web-0'), pod('web-1'), pod('web-2', 'pending', 'web-r2')], 'web-r1', 'web-r2'), ['wait web-2']);
  assert.deepEqual(plan(set(), [pod('web-0'), pod('web-1'), pod('web-2', 'ready', 'web-r2')], 'web-r1', 'web-r2'), ['delete web-1 (update)']);
  const partitioned = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  assert.deepEqual(plan(partitioned, [pod('web-0'), pod('web-1'), pod('web-2', 'ready', 'web-r2')], 'web-r1', 'web-r2'), [], 'below the partition stays');
  assert.deepEqual(plan(partitioned, [pod('web-0'), pod('web-2', 'ready', 'web-r2')], 'web-r1', 'web-r2'), ['create 1 (current)'], 'recreated below the partition at the current revision');
  assert.deepEqual(plan(set({ updateStrategy: { type: 'OnDelete' } }), old, 'web-r1', 'web-r2'), []);
});

test('ordinals and stable pod identity', () => {
  assert.equal(ordinalOf('web', 'web-12'), 12);
  assert.equal(ordinalOf('web', 'web-012'), undefined);
  assert.equal(ordinalOf('web', 'webby-1'), undefined);
  assert.equal(ordinalOf('web', 'web-x'), undefined);
  const p = statefulPod(set(), template, 'web-r1', 2);
  assert.equal(p.metadata!.name, 'web-2');
  assert.deepEqual(p.metadata!.labels, { app: 'web', [REVISION_LABEL]: 'web-r1', [POD_NAME_LABEL]: 'web-2', [POD_INDEX_LABEL]: '2' });
  assert.equal(p.spec!.hostname, 'web-2');
  assert.equal(p.spec!.subdomain, 'web');
  assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true, blockOwnerDeletion: true }]);
});

test('revisions: stable hashes that differ per template and collision count; data round-trips the template', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  const h = templateHash(template);
  assert.equal(h, templateHash(structuredClone(template)));
  assert.notEqual(h, templateHash(template, 1));
  assert.notEqual(h, templateHash({ ...template, spec: { containers: [{ name: 'c', image: 'busybox:2' }] } }));
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.deepEqual(revisionTemplate({ metadata: {}, revision: 1, data: revisionData(template) as object }), template);
});

test('status: counts per revision, ready and available; a finished rollout makes the update revision current', () => {
  const s = set();
  const mid = statefulSetStatus(s, [pod('web-0'), pod('web-1', 'running'), pod('web-2', 'ready', 'web-r2')], 'web-r1', 'web-r2', 0, Date.parse('2026-01-01T00:01:00Z'));
  assert.deepEqual(mid, { observedGeneration: 2, replicas: 3, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 1, availableReplicas: 2, currentRevision: 'web-r1', updateRevision: 'web-r2', collisionCount: 0 });
  const done = statefulSetStatus(s, [pod('web-0', 'ready', 'web-r2'), pod('web-1', 'ready', 'web-r2'), pod('web-2', 'ready', 'web-r2')], 'web-r1', 'web-r2', 0, Date.now());
  assert.equal(done.currentRevision, 'web-r2');
  assert.equal(done.currentReplicas, 3);
  const minReady = statefulSetStatus(set({ minReadySeconds: 120 }), [pod('web-0')], 'web-r1', 'web-r1', 0, Date.parse('2026-01-01T00:01:00Z'));
  assert.equal(minReady.availableReplicas, 0);
});

// ---------- against a real API server (the test plays scheduler and node) ----------

async function apiServer() {
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-sts-'));
  const pki = await loadOrCreatePki(join(dir, 'pki'), ['localhost', '127.0.0.1']);
  const store = new SqliteStore(join(dir, 'state.db'));
  const server = new ApiServer({ store, pki, host: '127.0.0.1', port: 0 });
  await server.start();
  const client = new RestClient({ server: `https://127.0.0.1:${server.port}`, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key });
  return {
    client,
    async stop() {
      client.close();
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

test('a StatefulSet of 3 comes up in order, scales down in reverse, rolls out in reverse with revisions', async () => {
  const api = await apiServer();
  const { client } = api;
  const ctl = new StatefulSetController(client);
  const abort = new AbortController();
  const created: string[] = [];
  const deleted: string[] = [];
  try {
    await ctl.start();
    const podsPath = '/api/v1/namespaces/default/pods';
    // The "kubelet": every new pod becomes Running and Ready after a moment; the watcher notes the order.
    void client.watch<Pod>(`${podsPath}?watch=true`, (e) => {
      const name = e.object.metadata!.name!;
      if (e.type === 'ADDED') {
        created.push(name);
        setTimeout(() => void client.patch(`${podsPath}/${name}/status`, { metadata: { uid: e.object.metadata!.uid }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'application/strategic-merge-patch+json').catch(() => {}), 50);
      }
      if (e.type === 'DELETED') deleted.push(name);
    }, abort.signal).catch(() => {});
    await client.post('/apis/apps/v1/namespaces/default/statefulsets', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
      spec: { replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template },
    });
    const sts = () => client.get<StatefulSet>('/apis/apps/v1/namespaces/default/statefulsets/web');
    const ready = await until('3 ready', async () => { const s = await sts(); return s.status?.readyReplicas === 3 ? s : undefined; });
    assert.deepEqual(created, ['web-0', 'web-1', 'web-2']);
    assert.equal(ready.status!.currentRevision, ready.status!.updateRevision);
    assert.match(ready.status!.updateRevision!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(ready.status!.observedGeneration, 1);
    const p0 = await client.get<Pod>(`${podsPath}/web-0`);
    assert.equal(p0.metadata!.labels![REVISION_LABEL], ready.status!.updateRevision);
    assert.equal(p0.spec!.hostname, 'web-0');

    await client.patch('/apis/apps/v1/namespaces/default/statefulsets/web', { spec: { replicas: 1 } });
    await until('scaled to 1', async () => ((await sts()).status?.replicas === 1 ? true : undefined));
    assert.deepEqual(deleted, ['web-2', 'web-1']);

    created.length = 0;
    await client.patch('/apis/apps/v1/namespaces/default/statefulsets/web', { spec: { replicas: 3, template: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } } });
    const rolled = await until('rolled out', async () => {
      const s = await sts();
      return s.status?.updatedReplicas === 3 && s.status.readyReplicas === 3 && s.status.currentRevision === s.status.updateRevision ? s : undefined;
    });
    assert.notEqual(rolled.status!.updateRevision, ready.status!.updateRevision);
    assert.deepEqual(created, ['web-1', 'web-2', 'web-0'], 'scale up at the new revision, then web-0 replaced');
    const revisions = (await client.get<{ items: { metadata: { name: string }; revision: number }[] }>('/apis/apps/v1/namespaces/default/controllerrevisions')).items;
    assert.deepEqual(revisions.map((r) => r.revision).sort(), [1, 2]);
  } finally {
    abort.abort();
    ctl.stop();
    await api.stop();
  }
});
