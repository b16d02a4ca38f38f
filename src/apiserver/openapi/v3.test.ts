import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openapiV3Doc, openapiV3DocBytes, openapiV3Root, openapiV3RootBytes } from './index.js';
import { sampleResources } from '../../../test/helpers/openapifixtures.js';

type Json = Record<string, any>;

test('the root names every served group version with the hash of its document', () => {
  const root = openapiV3Root(sampleResources);
  assert.deepEqual(Object.keys(root.paths), ['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1']);
  for (const [gv, { serverRelativeURL }] of Object.entries(root.paths)) {
    const body = JSON.stringify(openapiV3Doc(sampleResources, gv));
    const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
    assert.equal(serverRelativeURL, `/openapi/v3/${gv}?hash=${hash}`);
    const bytes = openapiV3DocBytes(sampleResources, gv)!;
    assert.equal(bytes.body.toString(), body);
    assert.equal(bytes.etag, `"${hash}"`);
  }
  assert.equal(openapiV3RootBytes(sampleResources).body.toString(), JSON.stringify(root));
  assert.equal(openapiV3Doc(sampleResources, 'apis/batch/v1'), undefined);
  // Built once per resource set.
  assert.equal(openapiV3Doc(sampleResources, 'api/v1'), openapiV3Doc(sampleResources, 'api/v1'));
});

test('a group version document has its operations and only the schemas they reach', () => {
  const doc = openapiV3Doc(sampleResources, 'apis/apps/v1') as Json;
  assert.equal(doc.openapi, '3.0.0');
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'));
  const schemas = doc.components.schemas as Json;
  assert.ok(schemas['io.k8s.api.apps.v1.Deployment']);
  assert.ok(schemas['io.k8s.api.core.v1.PodSpec'], 'reached through the pod template');
  assert.equal(schemas['io.k8s.api.core.v1.Pod'], undefined, 'not reachable from apps/v1');
  assert.equal(schemas['io.k8s.api.coordination.v1.Lease'], undefined);
  for (const path of Object.keys(doc.paths)) assert.ok(path.startsWith('/apis/apps/v1/'), path);
});

test('schemas are in v3 form', () => {
  const schemas = (openapiV3Doc(sampleResources, 'api/v1') as Json).components.schemas as Json;
  const spec = schemas['io.k8s.api.core.v1.Pod'].properties.spec;
  assert.deepEqual(spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
  assert.ok(spec.description);
  assert.deepEqual(schemas['io.k8s.api.core.v1.PodSpec'].properties.containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  assert.deepEqual(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
  assert.ok(!JSON.stringify(schemas).includes('#/definitions/'));
});
