import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openapiV2Json, openapiV2JsonBytes } from './index.js';
import { sampleResources } from '../../../test/helpers/openapifixtures.js';

type Json = Record<string, any>;

test('paths follow upstream\'s layout, operation IDs and actions', () => {
  const doc = openapiV2Json(sampleResources);
  const paths = doc.paths as Json;
  assert.equal(paths['/api/v1/namespaces/{namespace}/pods'].get.operationId, 'listCoreV1NamespacedPod');
  assert.equal(paths['/api/v1/namespaces/{namespace}/pods'].post.operationId, 'createCoreV1NamespacedPod');
  assert.equal(paths['/api/v1/namespaces/{namespace}/pods'].delete.operationId, 'deleteCoreV1CollectionNamespacedPod');
  assert.equal(paths['/api/v1/pods'].get.operationId, 'listCoreV1PodForAllNamespaces');
  assert.equal(paths['/api/v1/namespaces/{name}'].put.operationId, 'replaceCoreV1Namespace');
  assert.equal(paths['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch.operationId, 'patchCoreV1NamespacedPodStatus');
  const binding = paths['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post;
  assert.deepEqual(binding['x-kubernetes-group-version-kind'], { group: '', kind: 'Binding', version: 'v1' });
  assert.equal(paths['/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}'].get.operationId, 'readCoordinationV1NamespacedLease');
  assert.equal(paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments'].get['x-kubernetes-action'], 'watchlist');
  const patch = paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.deepEqual(patch.parameters[0], { in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
  assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
});

test('every $ref resolves within the document', () => {
  const doc = openapiV2Json(sampleResources);
  const text = openapiV2JsonBytes(sampleResources).body.toString();
  for (const m of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) assert.ok(doc.definitions[m[1]], m[1]);
  assert.ok(doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']);
  assert.equal(doc.definitions['io.k8s.api.batch.v1.Job'], undefined, 'only what served resources reach');
});
