import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectPath, queryString, R, resourcePath } from './typed.js';

test('paths of core and grouped resources, namespaced and cluster-scoped', () => {
  assert.equal(resourcePath(R.pods, 'default'), '/api/v1/namespaces/default/pods');
  assert.equal(resourcePath(R.pods), '/api/v1/pods');
  assert.equal(resourcePath(R.pods, 'ns', 'web-1', 'status'), '/api/v1/namespaces/ns/pods/web-1/status');
  assert.equal(resourcePath(R.nodes, 'ignored', 'n1'), '/api/v1/nodes/n1');
  assert.equal(resourcePath(R.deployments, 'a', 'b', 'scale'), '/apis/apps/v1/namespaces/a/deployments/b/scale');
  assert.equal(objectPath(R.leases, { metadata: { namespace: 'kube-node-lease', name: 'n' } }), '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n');
});

test('names are escaped and unset query parameters left out', () => {
  assert.equal(resourcePath(R.configmaps, 'ns', 'a b'), '/api/v1/namespaces/ns/configmaps/a%20b');
  assert.equal(queryString({ labelSelector: 'app=web', fieldSelector: undefined, limit: 5 }), '?labelSelector=app%3Dweb&limit=5');
  assert.equal(queryString({}), '');
});
