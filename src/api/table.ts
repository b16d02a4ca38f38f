// Helpers for server-side Table output (meta.k8s.io/v1 Table), as `kubectl get` renders it.
import type { KubeObject, TableColumnDefinition, TableConvertor } from './strategy.js';

/** Upstream's HumanDuration: how `AGE` and `LAST SEEN` read in kubectl. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (d < 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

export const age = (timestamp: string | undefined, now: number): string =>
  timestamp ? humanDuration(now - Date.parse(timestamp)) : '<unknown>';

export const orNone = (v: string | undefined | null): string => (v ? v : '<none>');

/** A table column and how to fill its cell from one object. */
export interface Column<O = KubeObject> extends TableColumnDefinition {
  cell(obj: O, now: number): unknown;
}

/** A column; `wide` ones get priority 1 (shown by `-o wide`). */
export function column<O = KubeObject>(
  name: string, type: string, description: string, cell: Column<O>['cell'], opts: { wide?: boolean; format?: string } = {},
): Column<O> {
  return { name, type, format: opts.format ?? '', description, priority: opts.wide ? 1 : 0, cell };
}

/** The table of a resource from its columns, each row filled cell by cell. */
export function tableOf<O>(cols: Column<O>[]): TableConvertor {
  return {
    columns: cols.map(({ name, type, format, description, priority }) => ({ name, type, format, description, priority })),
    cells: (obj, now) => cols.map((c) => c.cell(obj as O, now)),
  };
}

export const nameColumn = column('Name', 'string', 'Name must be unique within a namespace. It is the identifier clients use to refer to the object.', (obj) => obj.metadata.name ?? '', { format: 'name' });
export const ageColumn = column('Age', 'string', 'How long ago the object was created.', (obj, now) => age(obj.metadata.creationTimestamp, now));
