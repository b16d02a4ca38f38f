// Renders objects as a meta.k8s.io/v1 Table with the resource's columns, for `kubectl get`.
import type { KubeObject, Strategy } from '../api/strategy.js';
import type { Cached } from '../storage/watchcache.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(strategy: Strategy, items: Cached[], resourceVersion: string, include: IncludeObject) {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion } as Record<string, unknown>,
    columnDefinitions: strategy.table.columns,
    rows: items.map((c) => {
      const obj = c.obj as KubeObject;
      const row: Record<string, unknown> = { cells: strategy.table.cells(obj, now) };
      if (include === 'Object') row.object = obj;
      else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
      return row;
    }),
  };
}
