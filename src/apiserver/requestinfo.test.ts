import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestPath } from './requestinfo.js';

test('namespaced resources, names and subresources', () => {
  assert.deepEqual(parseRequestPath('/api/v1/namespaces/default/pods/kubia/status'), {
    kind: 'resource', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: 'kubia', subresource: 'status', watchPath: false,
  });
  assert.deepEqual(parseRequestPath('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases'), {
    kind: 'resource', group: 'coordination.k8s.io', version: 'v1', namespace: 'kube-node-lease', resource: 'leases', name: undefined, subresource: undefined, watchPath: false,
  });
});

test('namespaces themselves, with their own subresources', () => {
  const ns = parseRequestPath('/api/v1/namespaces/foo');
  assert.equal(ns.kind === 'resource' && `${ns.resource}/${ns.name}/${ns.namespace}`, 'namespaces/foo/undefined');
  const fin = parseRequestPath('/api/v1/namespaces/foo/finalize');
  assert.equal(fin.kind === 'resource' && `${fin.resource}/${fin.name}/${fin.subresource}`, 'namespaces/foo/finalize');
});

test('cluster-wide lists, legacy watch paths, and non-resource paths', () => {
  const all = parseRequestPath('/api/v1/pods');
  assert.equal(all.kind === 'resource' && all.namespace, undefined);
  const w = parseRequestPath('/api/v1/watch/namespaces/default/pods');
  assert.equal(w.kind === 'resource' && w.watchPath && w.namespace, 'default');
  assert.equal(parseRequestPath('/api/v1').kind, 'other');
  assert.equal(parseRequestPath('/healthz').kind, 'other');
  assert.equal(parseRequestPath('/api/v1/namespaces/a/pods/b/c/d').kind, 'other');
});
