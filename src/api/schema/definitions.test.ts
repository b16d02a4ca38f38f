import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { definitionName, definitions, documentedDefinitions } from './index.js';
import { descriptions } from './descriptions.js';
import { namedGoTypes } from './gotypes.js';
import { patchMeta } from './patchmeta.js';

test('kinds map to upstream definition names', () => {
  assert.equal(definitionName('', 'v1', 'Pod'), 'io.k8s.api.core.v1.Pod');
  assert.equal(definitionName('', 'v1', 'Event'), 'io.k8s.api.core.v1.Event');
  assert.equal(definitionName('events.k8s.io', 'v1', 'Event'), 'io.k8s.api.events.v1.Event');
  assert.equal(definitionName('apps', 'v1', 'Deployment'), 'io.k8s.api.apps.v1.Deployment');
  assert.equal(definitionName('coordination.k8s.io', 'v1', 'Lease'), 'io.k8s.api.coordination.v1.Lease');
  assert.equal(definitionName('', 'v1', 'Status'), 'io.k8s.apimachinery.pkg.apis.meta.v1.Status');
  assert.equal(definitionName('apps', 'v1', 'Pod'), undefined);
});

test('generated definitions carry types, formats and required fields but no prose', () => {
  const port = definitions['io.k8s.api.core.v1.ContainerPort'];
  assert.deepEqual(port.properties?.containerPort, { format: 'int32', type: 'integer' });
  assert.deepEqual(port.required, ['containerPort']);
  assert.deepEqual(definitions['io.k8s.api.core.v1.PodSpec'].properties?.terminationGracePeriodSeconds, { format: 'int64', type: 'integer' });
  assert.deepEqual(definitions['io.k8s.api.core.v1.HTTPGetAction'].properties?.port, { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' });
  assert.deepEqual(definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Time'], { format: 'date-time', type: 'string' });
  assert.ok(!JSON.stringify(definitions).includes('"description":"'), 'no description text');
});

test('documented definitions add our descriptions and patch metadata', () => {
  const docs = documentedDefinitions();
  const spec = docs['io.k8s.api.core.v1.PodSpec'];
  assert.ok(spec.description);
  assert.equal(spec.properties?.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(spec.properties?.containers['x-kubernetes-patch-strategy'], 'merge');
  assert.deepEqual(spec.properties?.containers['x-kubernetes-list-map-keys'], ['name']);
  assert.ok(spec.properties?.containers.description);
  assert.equal(docs['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type'], 'atomic');
  // Every top-level kind gets apiVersion/kind/metadata text; lists get a description of their own.
  assert.ok(docs['io.k8s.api.apps.v1.DaemonSet'].properties?.apiVersion.description);
  assert.equal(docs['io.k8s.api.core.v1.PodList'].description, 'A list of Pod objects.');
  // The shared generated definitions stay untouched.
  assert.equal(definitions['io.k8s.api.core.v1.PodSpec'].description, undefined);
});

test('descriptions, patch metadata and Go type names name existing definitions and fields', () => {
  const fieldsByDefinition: Array<[string, string[]]> = [
    ...Object.entries(descriptions).map(([name, docs]): [string, string[]] => [name, Object.keys(docs.fields ?? {})]),
    ...Object.entries(patchMeta).map(([name, meta]): [string, string[]] => [name, Object.keys(meta).filter((k) => k !== '')]),
    ...Object.entries(namedGoTypes).map(([name, types]): [string, string[]] => [name, Object.keys(types)]),
  ];
  for (const [name, fields] of fieldsByDefinition) {
    assert.ok(definitions[name], `no definition ${name}`);
    for (const field of fields) assert.ok(definitions[name].properties?.[field], `no field ${name}.${field}`);
  }
});

test('definitions.json is what scripts/gen-schema.mjs generates', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/gen-schema.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
