// Secondary indexes over an informer's cache (client-go's cache.Indexer): an index maps each object
// to some values (its namespace, its controller's UID, its node) so a reconcile looks up the few
// objects it needs instead of scanning the whole cache. Kept up to date on every add/update/delete.
import type { KubeObject } from '../api/strategy.js';

/** A named index function. Two informers of one shared cache asking for the same name share it, so a name must mean one function. */
export interface IndexSpec<T = KubeObject> {
  name: string;
  values(obj: T): readonly string[];
}

/** Objects by namespace (upstream's NamespaceIndex). */
export const byNamespace: IndexSpec = { name: 'namespace', values: (o) => (o.metadata.namespace ? [o.metadata.namespace] : []) };

/** Objects by the UID of their controller owner reference (controller: true). */
export const byControllerUid: IndexSpec = {
  name: 'controller-uid',
  values: (o) => {
    const ref = o.metadata.ownerReferences?.find((r) => r.controller === true);
    return ref ? [ref.uid] : [];
  },
};

/** Pods by spec.nodeName (bound pods only). */
export const byNodeName: IndexSpec = {
  name: 'node-name',
  values: (o) => {
    const node = (o as { spec?: { nodeName?: string } }).spec?.nodeName;
    return node ? [node] : [];
  },
};

interface Index<T> {
  spec: IndexSpec<T>;
  /** value → object key → object. */
  byValue: Map<string, Map<string, T>>;
  /** object key → the values it is filed under (to unfile it on update/delete). */
  valuesOf: Map<string, readonly string[]>;
}

const NONE: readonly string[] = [];

/** The indexes of one cache. Cost per event: one call of each index function, and nothing when there are no indexes. */
export class Indexer<T> {
  private readonly indexes = new Map<string, Index<T>>();

  /** Adds an index (no-op when one of that name exists) and files the objects already cached. */
  add(spec: IndexSpec<T>, current: Iterable<[string, T]>): void {
    if (this.indexes.has(spec.name)) return;
    const index: Index<T> = { spec, byValue: new Map(), valuesOf: new Map() };
    this.indexes.set(spec.name, index);
    for (const [key, obj] of current) this.file(index, key, obj);
  }

  has(name: string): boolean {
    return this.indexes.has(name);
  }

  /** Files (or refiles) an object after it was added or changed. */
  update(key: string, obj: T): void {
    for (const index of this.indexes.values()) {
      this.unfile(index, key);
      this.file(index, key, obj);
    }
  }

  delete(key: string): void {
    for (const index of this.indexes.values()) this.unfile(index, key);
  }

  /** The objects filed under `value` in index `name` (empty when none). Throws on an unknown index: a missing addIndex is a bug. */
  get(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index ${name}`);
    const m = index.byValue.get(value);
    return m ? [...m.values()] : [];
  }

  /** The values an index files objects under (e.g. every node that has pods). */
  values(name: string): string[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index ${name}`);
    return [...index.byValue.keys()];
  }

  /** The keys filed under `value`. */
  keys(name: string, value: string): string[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index ${name}`);
    return [...(index.byValue.get(value)?.keys() ?? [])];
  }

  private file(index: Index<T>, key: string, obj: T): void {
    const values = index.spec.values(obj);
    if (!values.length) return;
    index.valuesOf.set(key, values);
    for (const v of values) {
      let m = index.byValue.get(v);
      if (!m) index.byValue.set(v, (m = new Map()));
      m.set(key, obj);
    }
  }

  private unfile(index: Index<T>, key: string): void {
    const values = index.valuesOf.get(key) ?? NONE;
    for (const v of values) {
      const m = index.byValue.get(v);
      m?.delete(key);
      if (m && !m.size) index.byValue.delete(v);
    }
    index.valuesOf.delete(key);
  }
}
