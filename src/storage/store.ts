// The datastore contract, shaped like etcd's: one global revision that every write increments,
// compare-and-swap on a key's mod revision, prefix lists and watches from a revision, compaction.
// The apiserver only ever talks to this interface, so an etcd backend can replace SQLite.

export interface KeyValue {
  key: string;
  /** Serialized object (JSON). For a delete event: the value the key had just before. */
  value: string;
  createRevision: number;
  modRevision: number;
}

export interface StoreEvent {
  type: 'put' | 'delete';
  /** For 'delete', modRevision is the revision of the delete and value the last value. */
  kv: KeyValue;
  /** The previous value of the key, if it existed. */
  prev?: KeyValue;
}

export interface ListResult {
  items: KeyValue[];
  revision: number;
}

export interface Store {
  /** The newest revision written. */
  revision(): Promise<number>;
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string): Promise<ListResult>;
  /** Writes only if the key does not exist; throws KeyExistsError otherwise. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Writes only if the key's mod revision equals `expectedModRevision`; throws RevisionMismatchError or KeyNotFoundError. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes (only if the mod revision matches, when given); returns the deleted value with the delete's revision. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Events after `fromRevision` (exclusive) under `prefix`, replayed from history then live. Throws CompactedError when history is gone. */
  watch(prefix: string, fromRevision: number, onEvents: (events: StoreEvent[]) => void): Promise<() => void>;
  /** Events after `fromRevision` (exclusive) under `prefix`, at most `limit`, from history only. */
  history(prefix: string, fromRevision: number, limit: number): Promise<StoreEvent[]>;
  /** Forgets history at and below `revision`; current values are kept. */
  compact(revision: number): Promise<void>;
  compactedRevision(): Promise<number>;
  /** Deletes the keys whose TTL ran out by `nowMs` (watchers see ordinary deletes); returns how many. */
  expire(nowMs: number): Promise<number>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) { super(`key exists: ${key}`); }
}
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) { super(`key not found: ${key}`); }
}
export class RevisionMismatchError extends Error {
  constructor(readonly key: string, readonly current: KeyValue) { super(`revision mismatch: ${key}`); }
}
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
  }
}
