import { test } from 'node:test';
import assert from 'node:assert/strict';
import { required } from './errors.js';
import { STORED_VERBS, type KubeObject } from './strategy.js';
import { defineStrategy, semanticEqual } from './strategykit.js';
import { ageColumn, column, nameColumn } from './table.js';

const obj = (o: Partial<KubeObject> & { metadata?: KubeObject['metadata'] }): KubeObject => ({ ...o, metadata: { name: 'a', ...o.metadata } });

test('defineStrategy fills the resource block and the defaults', () => {
  const s = defineStrategy({ resource: { group: 'example.io', version: 'v1', kind: 'Widget', plural: 'widgets' }, columns: [nameColumn] });
  assert.deepEqual(s.resource, {
    group: 'example.io', version: 'v1', kind: 'Widget', plural: 'widgets', listKind: 'WidgetList', singular: 'widget', namespaced: true, verbs: [...STORED_VERBS],
  });
  assert.equal(s.allowUnconditionalUpdate, true);
  assert.equal(s.nameRule, 'subdomain');
  assert.equal(s.subresourceUpdates, undefined);
  const w = obj({ spec: { a: 1 }, status: { b: 2 } });
  s.prepareForCreate(w);
  s.prepareForUpdate(w, obj({}));
  assert.deepEqual([w.spec, w.status, s.validate(w), s.validateUpdate(w, w)], [{ a: 1 }, { b: 2 }, [], []]);
});

test('a status subresource: create resets status, updates keep it, /status keeps the spec and the named metadata', () => {
  const s = defineStrategy<KubeObject>({
    resource: { group: '', version: 'v1', kind: 'Widget', plural: 'widgets' },
    status: { initial: () => ({ phase: 'New' }), keepMetadata: ['labels', 'finalizers'] },
    validate: (o) => (o.spec ? [] : [required('spec')]),
    columns: [nameColumn],
  });
  assert.deepEqual(s.resource.subresources, [{ name: 'status', kind: 'Widget', verbs: ['get', 'patch', 'update'] }]);
  const created = obj({ spec: {}, status: { phase: 'Done' } });
  s.prepareForCreate(created);
  assert.deepEqual(created.status, { phase: 'New' });
  const old = obj({ spec: { x: 1 }, status: { phase: 'Old' }, metadata: { name: 'a', labels: { l: '1' } } });
  const updated = obj({ spec: { x: 2 }, status: { phase: 'Mine' } });
  s.prepareForUpdate(updated, old);
  assert.deepEqual([updated.spec, updated.status], [{ x: 2 }, { phase: 'Old' }]);
  assert.equal(s.validateUpdate(obj({}), old).length, 1, 'updates are validated as creates by default');
  const viaStatus = obj({ spec: { x: 3 }, status: { phase: 'Run' }, metadata: { name: 'a', labels: { l: '2' }, finalizers: ['f'], annotations: { k: 'v' } } });
  s.subresourceUpdates!.status.prepare(viaStatus, old);
  assert.deepEqual(viaStatus, { spec: { x: 1 }, status: { phase: 'Run' }, metadata: { name: 'a', labels: { l: '1' }, annotations: { k: 'v' } } });
});

test('generation: 1 on create, one more per spec change or when the extra rule says so', () => {
  const s = defineStrategy<KubeObject>({
    resource: { group: '', version: 'v1', kind: 'Widget', plural: 'widgets' },
    generation: (o, old) => o.metadata.annotations?.bump !== old.metadata.annotations?.bump,
    columns: [nameColumn],
  });
  const w = obj({ spec: { a: 1 } });
  s.prepareForCreate(w);
  assert.equal(w.metadata.generation, 1);
  const same = obj({ spec: { a: 1, b: null } });
  s.prepareForUpdate(same, w);
  assert.equal(same.metadata.generation, 1, 'null is no change');
  const changed = obj({ spec: { a: 2 } });
  s.prepareForUpdate(changed, w);
  assert.equal(changed.metadata.generation, 2);
  const annotated = obj({ spec: { a: 1 }, metadata: { name: 'a', annotations: { bump: 'x' } } });
  s.prepareForUpdate(annotated, w);
  assert.equal(annotated.metadata.generation, 2);
});

test('tables: column definitions without their cells, cells in column order', () => {
  const s = defineStrategy<KubeObject>({
    resource: { group: '', version: 'v1', kind: 'Widget', plural: 'widgets' },
    columns: [nameColumn, column('Size', 'integer', 'How big.', (o) => (o.spec as { size: number }).size, { wide: true }), ageColumn],
  });
  assert.deepEqual(s.table.columns.map((c) => [c.name, c.type, c.format, c.priority, 'cell' in c]),
    [['Name', 'string', 'name', 0, false], ['Size', 'integer', '', 1, false], ['Age', 'string', '', 0, false]]);
  const w = obj({ spec: { size: 3 }, metadata: { name: 'w', creationTimestamp: '2026-01-01T00:00:00Z' } });
  assert.deepEqual(s.table.cells(w, Date.parse('2026-01-01T00:01:05Z')), ['w', 3, '65s']);
});

test('semanticEqual treats null as missing', () => {
  assert.ok(semanticEqual({ a: 1, b: null, c: [{ d: undefined }] }, { a: 1, c: [{}] }));
  assert.ok(!semanticEqual({ a: 1 }, { a: 2 }));
});
