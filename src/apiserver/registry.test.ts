import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../api/errors.js';
import { namespaceStrategy } from '../api/resources/namespaces.js';
import { podStrategy } from '../api/resources/pods.js';
import type { KubeObject } from '../api/strategy.js';
import { SqliteStore } from '../storage/sqlite.js';
import { Registry } from './registry.js';

async function setup() {
  const store = new SqliteStore(':memory:');
  const pods = new Registry(store, podStrategy, () => {});
  await pods.start();
  return { store, pods };
}

const pod = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, ...extra,
});

const rejectsWith = (p: Promise<unknown>, code: number, reason: string) =>
  assert.rejects(p, (e: unknown) => e instanceof ApiError && e.code === code && e.reason === reason);

test('create fills identity, defaults and status; a second create is AlreadyExists', async () => {
  const { pods } = await setup();
  const c = await pods.create('default', pod('a'));
  const obj = c.obj as KubeObject & { spec: { restartPolicy: string }; status: { phase: string } };
  assert.equal(obj.metadata.namespace, 'default');
  assert.match(obj.metadata.uid!, /^[0-9a-f-]{36}$/);
  assert.equal(obj.metadata.resourceVersion, String(c.rev));
  assert.equal(obj.spec.restartPolicy, 'Always');
  assert.equal(obj.status.phase, 'Pending');
  await rejectsWith(pods.create('default', pod('a')), 409, 'AlreadyExists');
});

test('generateName gets a random suffix', async () => {
  const { pods } = await setup();
  const c = await pods.create('default', pod('', { metadata: { generateName: 'web-' } }));
  assert.match((c.obj as KubeObject).metadata.name!, /^web-[a-z0-9]{5}$/);
});

test('invalid objects are refused with field causes and nothing is stored', async () => {
  const { pods, store } = await setup();
  const before = await store.revision();
  await assert.rejects(pods.create('default', pod('a', { spec: { containers: [{ name: 'c' }] } })), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 422);
    assert.equal(e.message, 'Pod "a" is invalid: spec.containers[0].image: Required value');
    assert.deepEqual(e.details?.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }]);
    return true;
  });
  assert.equal(await store.revision(), before);
});

test('update needs the current resourceVersion; a stale one is a 409 Conflict', async () => {
  const { pods } = await setup();
  const c = await pods.create('default', pod('a'));
  const next = JSON.parse(c.json);
  next.metadata.labels.env = 'x';
  const updated = await pods.update('default', 'a', structuredClone(next));
  assert.ok(updated.rev > c.rev);
  await rejectsWith(pods.update('default', 'a', structuredClone(next)), 409, 'Conflict');
  delete next.metadata.resourceVersion;
  await rejectsWith(pods.update('default', 'a', next), 422, 'Invalid');
});

test('a no-op update keeps the resourceVersion', async () => {
  const { pods } = await setup();
  const c = await pods.create('default', pod('a'));
  const same = await pods.update('default', 'a', JSON.parse(c.json));
  assert.equal(same.rev, c.rev);
});

test('a dry-run update answers with the change and the resourceVersion the object keeps, and writes nothing', async () => {
  const { pods } = await setup();
  const c = await pods.create('default', pod('d'));
  const next = structuredClone(c.obj as KubeObject);
  next.metadata.labels = { app: 'changed' };
  const dry = await pods.update('default', 'd', next, { dryRun: true });
  assert.equal((dry.obj as KubeObject).metadata.labels!.app, 'changed');
  assert.equal((dry.obj as KubeObject).metadata.resourceVersion, String(c.rev));
  assert.equal((pods.get('default', 'd').obj as KubeObject).metadata.labels!.app, 'd');
});

test('pod spec is immutable except images', async () => {
  const { pods } = await setup();
  const c = await pods.create('default', pod('a'));
  const next = JSON.parse(c.json);
  next.spec.containers[0].image = 'busybox:2';
  await pods.update('default', 'a', next);
  const again = JSON.parse(pods.get('default', 'a').json);
  again.spec.restartPolicy = 'Never';
  await rejectsWith(pods.update('default', 'a', again), 422, 'Invalid');
});

test('list filters by label and field selector and pages with continue at one revision', async () => {
  const { pods } = await setup();
  for (const n of ['a', 'b', 'c', 'd', 'e']) await pods.create('default', pod(n));
  await pods.create('other', pod('f'));
  assert.deepEqual((await pods.list('default', { labelSelector: 'app in (a,c)' })).items.map((i) => i.key.split('/').pop()), ['a', 'c']);
  assert.deepEqual((await pods.list(undefined, { fieldSelector: 'metadata.namespace=other' })).items.length, 1);
  await rejectsWith(pods.list(undefined, { fieldSelector: 'spec.bogus=1' }), 400, 'BadRequest');
  const page1 = await pods.list('default', { limit: 2 });
  assert.equal(page1.items.length, 2);
  assert.equal(page1.remainingItemCount, 3);
  // Changes after the first page do not leak into later pages.
  await pods.delete('default', 'c');
  await pods.create('default', pod('bb'));
  const page2 = await pods.list('default', { limit: 2, continue: page1.continue });
  assert.deepEqual(page2.items.map((i) => (i.obj as KubeObject).metadata.name), ['c', 'd']);
  const page3 = await pods.list('default', { limit: 2, continue: page2.continue });
  assert.deepEqual(page3.items.map((i) => (i.obj as KubeObject).metadata.name), ['e']);
  assert.equal(page3.continue, undefined);
});

test('watch from a resourceVersion replays, and selector changes become ADDED/DELETED', async () => {
  const { pods } = await setup();
  const a = await pods.create('default', pod('a'));
  const seen: string[] = [];
  const stop = await pods.watch('default', { resourceVersion: String(a.rev - 1), labelSelector: 'tier=front' }, (type, c) => seen.push(`${type} ${(c.obj as KubeObject).metadata.name}`));
  const next = JSON.parse(pods.get('default', 'a').json);
  next.metadata.labels.tier = 'front';
  await pods.update('default', 'a', next);
  const back = JSON.parse(pods.get('default', 'a').json);
  back.metadata.labels.tier = 'back';
  await pods.update('default', 'a', back);
  stop();
  assert.deepEqual(seen, ['ADDED a', 'DELETED a']);
});

test('a bound pod is deleted gracefully; an unbound one at once; grace 0 forces it', async () => {
  const { pods } = await setup();
  await pods.create('default', pod('unbound'));
  assert.equal((await pods.delete('default', 'unbound')).deleted, true);
  await pods.create('default', pod('bound', { spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] } }));
  const r = await pods.delete('default', 'bound');
  assert.equal(r.deleted, false);
  const meta = (r.object.obj as KubeObject).metadata;
  assert.equal(meta.deletionGracePeriodSeconds, 30);
  assert.ok(meta.deletionTimestamp);
  assert.equal((await pods.delete('default', 'bound', { gracePeriodSeconds: 0 })).deleted, true);
  await rejectsWith(Promise.resolve().then(() => pods.get('default', 'bound')), 404, 'NotFound');
});

test('delete preconditions are checked', async () => {
  const { pods } = await setup();
  await pods.create('default', pod('a'));
  await rejectsWith(pods.delete('default', 'a', { preconditions: { uid: 'nope' } }), 409, 'Conflict');
  await rejectsWith(pods.delete('default', 'a', { preconditions: { resourceVersion: '999' } }), 409, 'Conflict');
});

test('namespaces go Terminating on delete and disappear once finalized', async () => {
  const store = new SqliteStore(':memory:');
  const namespaces = new Registry(store, namespaceStrategy, () => {});
  await namespaces.start();
  await namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
  const r = await namespaces.delete(undefined, 'ns1');
  assert.equal(r.deleted, false);
  assert.equal((r.object.obj as { status?: { phase?: string } }).status?.phase, 'Terminating');
  await namespaces.update(undefined, 'ns1', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' }, spec: { finalizers: [] } }, { subresource: 'finalize' });
  assert.equal(namespaces.cache.get('/registry/namespaces/ns1'), undefined);
});

test('find and all read the cache by the registry key; key is the one spelling of a storage key', async () => {
  const { pods } = await setup();
  await pods.create('default', pod('a'));
  await pods.create('kube-system', pod('b'));
  assert.equal(pods.key('default', 'a'), '/registry/pods/default/a');
  assert.equal((pods.find('default', 'a')?.obj as KubeObject).metadata.name, 'a');
  assert.equal(pods.find('default', 'b'), undefined);
  assert.deepEqual(pods.all().map((c) => (c.obj as KubeObject).metadata.name), ['a', 'b']);
  assert.deepEqual(pods.all('kube-system').map((c) => (c.obj as KubeObject).metadata.name), ['b']);
});

test('server-side apply: creates, merges, records the manager; an update by another takes its fields', async () => {
  const { pods } = await setup();
  const configuration = { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as KubeObject;
  const first = await pods.apply('default', 'a', { configuration, manager: 'me', force: false });
  assert.equal(first.created, true);
  assert.deepEqual((first.object.obj as KubeObject).metadata.managedFields!.map((e) => [e.manager, e.operation]), [['me', 'Apply']]);
  const again = await pods.apply('default', 'a', { configuration: { ...configuration, metadata: { labels: { app: 'a', tier: 'x' } } }, manager: 'me', force: false });
  assert.equal(again.created, false);
  assert.equal((again.object.obj as KubeObject).metadata.labels!.tier, 'x');
  const edited = await pods.guaranteedUpdate('default', 'a', (o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, tier: 'y' } } }), { fieldManager: 'editor' });
  assert.deepEqual((edited.obj as KubeObject).metadata.managedFields!.map((e) => [e.manager, e.operation]), [['me', 'Apply'], ['editor', 'Update']]);
  await rejectsWith(pods.apply('default', 'a', { configuration: { ...configuration, metadata: { labels: { app: 'a', tier: 'z' } } }, manager: 'me', force: false }), 409, 'Conflict');
  await rejectsWith(pods.apply('default', 'a', { configuration: { ...configuration, kind: 'Service' }, manager: 'me', force: false }), 400, 'BadRequest');
  await rejectsWith(pods.apply('default', 'none', { configuration, manager: 'me', force: false, subresource: 'status' }), 404, 'NotFound');
});

test('a handler subresource brings its own update rules; an unknown one is NotFound', async () => {
  const { pods } = await setup();
  await pods.create('default', pod('a'));
  const bind = (o: KubeObject) => ({ ...o, spec: { ...(o.spec as object), nodeName: 'n1' } }) as KubeObject;
  await rejectsWith(pods.guaranteedUpdate('default', 'a', bind, { subresource: 'binding' }), 404, 'NotFound');
  const bound = await pods.guaranteedUpdate('default', 'a', bind, { subresource: 'binding', subresourceRules: { prepare() {} } });
  assert.equal((bound.obj as { spec: { nodeName?: string } }).spec.nodeName, 'n1');
});

test('guaranteedUpdate: concurrent writers without a resourceVersion all land (the loser redoes its change on the winner\'s object); a stale resourceVersion is still a 409', async () => {
  const { pods } = await setup();
  const c = await pods.create('default', pod('race'));
  const writers = ['a', 'b', 'c', 'd'].map((k) => pods.guaranteedUpdate('default', 'race', (o) => {
    o.metadata.annotations = { ...o.metadata.annotations, [k]: 'yes' };
    return o;
  }));
  await Promise.all(writers);
  assert.deepEqual((pods.get('default', 'race').obj as KubeObject).metadata.annotations, { a: 'yes', b: 'yes', c: 'yes', d: 'yes' });
  await rejectsWith(pods.guaranteedUpdate('default', 'race', (o) => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(c.rev) } })), 409, 'Conflict');
});
