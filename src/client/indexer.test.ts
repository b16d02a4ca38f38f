import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/strategy.js';
import { byControllerUid, byNamespace, byNodeName, Indexer } from './indexer.js';

const pod = (ns: string, name: string, owner?: string, node?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { namespace: ns, name, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}`, controller: true }] } : {}) },
  ...(node ? { spec: { nodeName: node } } : {}),
} as unknown as KubeObject);

test('indexes file objects by namespace, controller UID and node, and refile them on update and delete', () => {
  const ix = new Indexer<KubeObject>();
  ix.add(byNamespace, [['a/p1', pod('a', 'p1', 'rs1')]]);
  ix.add(byControllerUid, [['a/p1', pod('a', 'p1', 'rs1')]]);
  ix.add(byNodeName, []);
  assert.deepEqual(ix.keys('controller-uid', 'uid-rs1'), ['a/p1'], 'objects present when the index is added are filed');
  ix.update('b/p2', pod('b', 'p2', 'rs2', 'n1'));
  assert.deepEqual(ix.keys('namespace', 'b'), ['b/p2']);
  assert.deepEqual(ix.keys('node-name', 'n1'), ['b/p2']);
  assert.deepEqual(ix.values('namespace').sort(), ['a', 'b']);
  ix.update('b/p2', pod('b', 'p2', undefined, 'n2'));
  assert.deepEqual(ix.keys('controller-uid', 'uid-rs2'), [], 'released: no longer under its old owner');
  assert.deepEqual(ix.keys('node-name', 'n1'), []);
  assert.equal(ix.get('node-name', 'n2')[0].metadata.name, 'p2');
  ix.delete('a/p1');
  assert.deepEqual(ix.keys('namespace', 'a'), []);
  assert.deepEqual(ix.get('controller-uid', 'uid-rs1'), []);
  assert.throws(() => ix.get('nope', 'x'), /no index nope/);
});

test('adding an index of a name that exists keeps the first', () => {
  const ix = new Indexer<KubeObject>();
  ix.add({ name: 'x', values: () => ['one'] }, [['k', pod('a', 'k')]]);
  ix.add({ name: 'x', values: () => ['two'] }, [['k', pod('a', 'k')]]);
  assert.deepEqual(ix.keys('x', 'one'), ['k']);
  assert.deepEqual(ix.keys('x', 'two'), []);
});
