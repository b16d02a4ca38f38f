import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realServer, until as poll } from '../../test/helpers/controllers.js';
import type { KubeObject } from '../api/strategy.js';
import { Informer, shareInformers } from './informer.js';

const { client, server } = realServer();
const until = (what: string, ok: () => boolean): Promise<true> => poll(what, () => ok() || undefined, 10_000, 20);

test('informers of a sharing client share one cache per path; late handlers get the cache as ADDED; stopping one leaves the others', async (t) => {
  shareInformers(client);
  const path = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
  const cm = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name } });
  await client.post(path, cm('first'));
  const seenA: string[] = [];
  const seenB: string[] = [];
  const a = new Informer(client, path, (type, o: KubeObject) => seenA.push(`${type} ${o.metadata.name}`));
  const b = new Informer(client, path, (type, o: KubeObject) => seenB.push(`${type} ${o.metadata.name}`));
  const seenC: string[] = [];
  const thrower = new Informer(client, path, () => { throw new Error('boom (a handler that throws, on purpose)'); });
  const c = new Informer(client, path, (type, o: KubeObject) => seenC.push(`${type} ${o.metadata.name}`));
  t.after(() => { for (const i of [a, b, c, thrower]) i.stop(); });
  await a.start();
  assert.deepEqual(seenA, ['ADDED first']);
  await b.start();
  assert.deepEqual(seenB, ['ADDED first'], 'the cache replayed to a handler that joins after the list');
  assert.equal(a.items, b.items, 'one cache');
  await client.post(path, cm('second'));
  await until('both saw second', () => seenA.includes('ADDED second') && seenB.includes('ADDED second'));
  a.stop();
  await client.delete(`${path}/first`);
  await until('b saw the delete', () => seenB.includes('DELETED first'));
  assert.ok(!seenA.includes('DELETED first'), 'a stopped');
  assert.deepEqual([...b.items.keys()], ['default/second']);
  // A handler that throws does not keep the others from their events.
  await thrower.start();
  await c.start();
  await client.post(path, cm('third'));
  await until('c saw third', () => seenC.includes('ADDED third') && seenB.includes('ADDED third'));
});

test('informers of other clients each have their own cache', async () => {
  const other = server().client();
  const path = '/api/v1/namespaces/default/events';
  const a = new Informer(other, path, () => {});
  const b = new Informer(other, path, () => {});
  try {
    await Promise.all([a.start(), b.start()]);
    assert.notEqual(a.items, b.items);
  } finally {
    a.stop();
    b.stop();
  }
});

test('update handlers get the old object; indexes follow adds, changes and deletes; writeThrough keeps the newer copy', async (t) => {
  const other = server().client();
  const path = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
  const lease = (name: string, holder: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: holder } });
  const changes: string[] = [];
  const holderOf = (o: KubeObject) => (o as unknown as { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? '';
  const i = new Informer(other, path, (type, o: KubeObject, old?: KubeObject) => {
    if (type === 'MODIFIED' && o.metadata.name === 'idx') changes.push(`${holderOf(old!)}->${holderOf(o)}`);
  });
  i.addIndex({ name: 'holder', values: (o) => [holderOf(o)] });
  t.after(() => i.stop());
  await i.start();
  const created = await other.post<KubeObject>(path, lease('idx', 'h1'));
  await until('indexed', () => i.byIndex('holder', 'h1').length === 1);
  const updated = await other.put<KubeObject>(`${path}/idx`, { ...created, spec: { holderIdentity: 'h2' } });
  await until('refiled', () => i.byIndex('holder', 'h2').length === 1);
  assert.equal(i.byIndex('holder', 'h1').length, 0);
  assert.deepEqual(changes, ['h1->h2']);
  i.writeThrough(created);
  assert.equal(holderOf(i.items.get('default/idx')!), 'h2', 'an older copy does not replace the cached one');
  i.writeThrough({ ...updated, metadata: { ...updated.metadata, resourceVersion: String(Number(updated.metadata.resourceVersion) + 1000) }, spec: { holderIdentity: 'h3' } } as KubeObject);
  assert.equal(i.byIndex('holder', 'h3').length, 1, 'a written-through copy is indexed');
  await other.delete(`${path}/idx`);
  await until('unfiled', () => i.byIndex('holder', 'h3').length === 0 && !i.items.has('default/idx'));
});
