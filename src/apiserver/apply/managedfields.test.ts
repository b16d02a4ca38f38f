import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchSchemaFor } from '../../api/schema/patchschema.js';
import type { KubeObject } from '../../api/strategy.js';
import { ApiError } from '../../api/errors.js';
import { fieldSetOf, fromFieldsV1, toFieldsV1 } from './fieldset.js';
import { applyConfiguration, describePath, trackUpdate, type ManagedFieldsEntry } from './managedfields.js';

const schema = patchSchemaFor('apps', 'v1', 'Deployment');
const ctx = (manager: string, extra: object = {}) => ({ schema, manager, apiVersion: 'apps/v1', force: false, now: new Date('2026-11-23T12:00:00Z'), ...extra });

const deployment = (spec: object, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } }, ...spec },
}) as KubeObject;

const entries = (o: KubeObject) => o.metadata.managedFields as ManagedFieldsEntry[];
const spec = (o: KubeObject) => (o as unknown as { spec: { replicas?: number; template: { spec: { containers: { name: string; image: string }[] } } } }).spec;

test('a field set names leaves, keyed list items and their fields, in FieldsV1 form', () => {
  const set = fieldSetOf({ metadata: { labels: { app: 'web' } }, spec: deployment({ replicas: 2 }).spec }, schema);
  const fields = toFieldsV1(set) as Record<string, Record<string, unknown>>;
  assert.deepEqual(fields['f:metadata'], { 'f:labels': { 'f:app': {} } });
  const containers = ((fields['f:spec']['f:template'] as Record<string, Record<string, Record<string, unknown>>>)['f:spec']['f:containers']);
  assert.deepEqual(containers['k:{"name":"web"}'], { '.': {}, 'f:image': {}, 'f:name': {} });
  assert.deepEqual(fromFieldsV1(fields), set, 'FieldsV1 reads back to the same set');
  assert.equal(describePath('f:spec\nf:template\nf:spec\nf:containers\nk:{"name":"web"}\nf:image'), '.spec.template.spec.containers[name="web"].image');
});

test('apply creates, re-applies, and removes the fields it stopped applying (only those)', () => {
  const created = applyConfiguration(undefined, deployment({ replicas: 2 }, { app: 'web', tier: 'front' }), ctx('kubectl'));
  assert.deepEqual(entries(created).map((e) => [e.manager, e.operation, e.apiVersion, e.time]), [['kubectl', 'Apply', 'apps/v1', '2026-11-23T12:00:00Z']]);
  // Someone else adds a label and a second container.
  const edited = structuredClone(created);
  edited.metadata.labels!.owner = 'ops';
  spec(edited).template.spec.containers.push({ name: 'log', image: 'busybox' });
  trackUpdate(created, edited, ctx('kubectl-edit'));
  assert.deepEqual(entries(edited).map((e) => [e.manager, e.operation]), [['kubectl', 'Apply'], ['kubectl-edit', 'Update']]);

  // The applier drops its `tier` label and replicas, and changes its image.
  const next = deployment({}, { app: 'web' });
  spec(next).template.spec.containers[0].image = 'nginx:2';
  const applied = applyConfiguration(edited, next, ctx('kubectl'));
  assert.deepEqual(applied.metadata.labels, { app: 'web', owner: 'ops' }, "its own label goes, the other manager's stays");
  assert.equal(spec(applied).replicas, undefined);
  assert.deepEqual(spec(applied).template.spec.containers, [{ name: 'web', image: 'nginx:2' }, { name: 'log', image: 'busybox' }]);
});

test("changing another manager's field is a 409 with one cause per field, unless forced; the same value is shared", () => {
  const created = applyConfiguration(undefined, deployment({ replicas: 2 }), ctx('kubectl'));
  const scaled = structuredClone(created);
  spec(scaled).replicas = 5;
  trackUpdate(created, scaled, ctx('kubectl-scale', { subresource: 'scale' }));

  const err = (() => { try { applyConfiguration(scaled, deployment({ replicas: 3 }), ctx('kubectl')); } catch (e) { return e; } })() as ApiError;
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
  assert.deepEqual(err.details?.causes, [{ type: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }]);

  const same = applyConfiguration(scaled, deployment({ replicas: 5 }), ctx('kubectl'));
  assert.equal(entries(same).length, 2, 'applying the value the other manager set shares the field');

  const forced = applyConfiguration(scaled, deployment({ replicas: 3 }), ctx('kubectl', { force: true }));
  assert.equal(spec(forced).replicas, 3);
  assert.deepEqual(entries(forced).map((e) => e.manager), ['kubectl'], 'the scaler lost its only field');
});

test('objects that were never applied are not tracked; a PUT without managedFields keeps them', () => {
  const plain = deployment({ replicas: 1 });
  const next = structuredClone(plain);
  spec(next).replicas = 2;
  trackUpdate(plain, next, ctx('kubectl'));
  assert.equal(next.metadata.managedFields, undefined);

  const applied = applyConfiguration(undefined, deployment({ replicas: 1 }), ctx('kubectl'));
  const put = structuredClone(applied);
  delete put.metadata.managedFields;
  put.metadata.labels = { app: 'web', extra: 'x' };
  trackUpdate(applied, put, ctx('curl'));
  assert.deepEqual(entries(put).map((e) => e.manager), ['kubectl', 'curl']);
  assert.ok(fromFieldsV1(entries(put)[1].fieldsV1).has('f:metadata\nf:labels\nf:extra'));
});

test('container ports merge by containerPort and the defaulted protocol', () => {
  const pod = patchSchemaFor('', 'v1', 'Pod');
  const live = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } as unknown as KubeObject;
  const applied = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, name: 'http' }] }] } } as unknown as KubeObject;
  const merged = applyConfiguration(live, applied, { schema: pod, manager: 'm', apiVersion: 'v1', force: false }) as unknown as { spec: { containers: { ports: object[] }[] } };
  assert.deepEqual(merged.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
});
