// SQLite Store: an append-only log of every write (the history watches replay) plus an index of the
// current mod revision per key. Each write is one transaction; WAL mode means a killed process loses
// no committed (acknowledged) write. The log's AUTOINCREMENT rowid is the global revision, so
// revisions never repeat, even after compaction. Keys under a TTL prefix carry a lease (their expiry
// time, renewed by every write) that expire() turns into ordinary deletes, as kine does for etcd leases.
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import {
  CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
  type KeyValue, type ListResult, type Store, type StoreEvent,
} from './store.js';

interface LogRow { rev: number; key: string; create_rev: number; prev_rev: number; deleted: number; value: string | null }

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  value TEXT
);
CREATE INDEX IF NOT EXISTS log_key ON log (key, rev);
CREATE TABLE IF NOT EXISTS current (key TEXT PRIMARY KEY, rev INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lease (key TEXT PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lease_expires ON lease (expires);
`;

/** The smallest string greater than every string starting with `prefix` (for range scans). */
export const prefixEnd = (prefix: string): string => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

type Listener = { prefix: string; onEvents: (events: StoreEvent[]) => void };

/** A write waiting for the next group commit: `run` checks and appends, inside the batch's transaction. */
interface PendingWrite {
  run: () => StoreEvent;
  resolve: (kv: KeyValue) => void;
  reject: (e: unknown) => void;
}

/** Keys under `prefix` live `seconds` after their last write (upstream: Events, `--event-ttl`). */
export interface KeyTtl {
  prefix: string;
  seconds: number;
}

export interface SqliteStoreOptions {
  ttl?: KeyTtl[];
}

/** How many expired keys one expire() call deletes at most (the rest wait for the next sweep). */
const EXPIRE_BATCH = 1000;

const isPreconditionError = (e: unknown): boolean =>
  e instanceof KeyExistsError || e instanceof KeyNotFoundError || e instanceof RevisionMismatchError;

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly listeners = new Set<Listener>();
  private readonly q: Record<string, Statement>;
  private pending: PendingWrite[] = [];
  private readonly ttl: KeyTtl[];

  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.ttl = opts.ttl ?? [];
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL: a commit survives a crash of this process (the WAL is in the OS); only power loss
    // could drop the last commits, as etcd with --unsafe-no-fsync would.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // Checkpoint the WAL every ~40 MiB (10000 pages) instead of every 4 MiB: a checkpoint runs
    // inside the commit that crosses the mark, and fewer, larger ones made bursts of writes (a
    // 3000-pod Deployment) ~30% cheaper in the store. Durability is the WAL's either way.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.exec(SCHEMA);
    this.q = {
      current: this.db.prepare('SELECT l.* FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?'),
      list: this.db.prepare('SELECT l.* FROM current c JOIN log l ON l.rev = c.rev WHERE c.key >= ? AND c.key < ? ORDER BY c.key'),
      insert: this.db.prepare('INSERT INTO log (key, create_rev, prev_rev, deleted, value) VALUES (?, ?, ?, ?, ?)'),
      setCreateRev: this.db.prepare('UPDATE log SET create_rev = rev WHERE rev = ?'),
      upsertCurrent: this.db.prepare('INSERT INTO current (key, rev) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET rev = excluded.rev'),
      deleteCurrent: this.db.prepare('DELETE FROM current WHERE key = ?'),
      maxRev: this.db.prepare("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'log'), 0) AS rev"),
      history: this.db.prepare('SELECT * FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev LIMIT ?'),
      byRev: this.db.prepare('SELECT * FROM log WHERE rev = ?'),
      getMeta: this.db.prepare('SELECT value FROM meta WHERE name = ?'),
      setMeta: this.db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      setLease: this.db.prepare('INSERT INTO lease (key, expires) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires = excluded.expires'),
      deleteLease: this.db.prepare('DELETE FROM lease WHERE key = ?'),
      getLease: this.db.prepare('SELECT expires FROM lease WHERE key = ?'),
      expired: this.db.prepare('SELECT key FROM lease WHERE expires <= ? ORDER BY expires LIMIT ?'),
      compact: this.db.prepare('DELETE FROM log WHERE rev <= ? AND rev NOT IN (SELECT rev FROM current)'),
    };
  }

  private toKv(row: LogRow, value = row.value): KeyValue {
    return { key: row.key, value: value ?? '', createRevision: row.create_rev, modRevision: row.rev };
  }

  private currentRow(key: string): LogRow | undefined {
    return this.q.current.get(key) as LogRow | undefined;
  }

  private rowByRev(rev: number): LogRow | undefined {
    return this.q.byRev.get(rev) as LogRow | undefined;
  }

  private emit(event: StoreEvent): void {
    for (const l of this.listeners) if (event.kv.key.startsWith(l.prefix)) l.onEvents([event]);
  }

  /** Appends one log row and moves the key's current pointer; runs inside the batch's transaction. */
  private write(key: string, value: string | null, prev: LogRow | undefined): LogRow {
    const info = this.q.insert.run(key, prev ? prev.create_rev : 0, prev?.rev ?? 0, value === null ? 1 : 0, value);
    const rev = Number(info.lastInsertRowid);
    if (!prev) this.q.setCreateRev.run(rev);
    if (value === null) this.q.deleteCurrent.run(key);
    else this.q.upsertCurrent.run(key, rev);
    const ttl = this.ttl.find((t) => key.startsWith(t.prefix));
    if (value === null) {
      if (ttl) this.q.deleteLease.run(key);
    } else if (ttl) {
      this.q.setLease.run(key, Date.now() + ttl.seconds * 1000);
    }
    return { rev, key, create_rev: prev ? prev.create_rev : rev, prev_rev: prev?.rev ?? 0, deleted: value === null ? 1 : 0, value };
  }

  /**
   * Group commit: writes that arrive in the same turn of the event loop share one transaction (one
   * WAL append), like etcd's batched commits. Each is acknowledged only after that commit, and a
   * write whose precondition fails is refused alone without touching the others.
   */
  private enqueue(run: () => StoreEvent): Promise<KeyValue> {
    return new Promise((resolve, reject) => {
      this.pending.push({ run, resolve, reject });
      if (this.pending.length === 1) setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    const batch = this.pending;
    this.pending = [];
    const outcomes: ({ event: StoreEvent } | { error: unknown })[] = [];
    try {
      this.db.transaction(() => {
        for (const w of batch) {
          try {
            outcomes.push({ event: w.run() });
          } catch (e) {
            if (!isPreconditionError(e)) throw e;
            outcomes.push({ error: e });
          }
        }
      })();
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if ('error' in o) return w.reject(o.error);
      this.emit(o.event);
      w.resolve(o.event.kv);
    });
  };

  async revision(): Promise<number> {
    return (this.q.maxRev.get() as { rev: number }).rev;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const row = this.currentRow(key);
    return row && this.toKv(row);
  }

  async list(prefix: string): Promise<ListResult> {
    return this.db.transaction(() => {
      const rows = this.q.list.all(prefix, prefixEnd(prefix)) as LogRow[];
      return { items: rows.map((r) => this.toKv(r)), revision: (this.q.maxRev.get() as { rev: number }).rev };
    })();
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue(() => {
      if (this.currentRow(key)) throw new KeyExistsError(key);
      return { type: 'put', kv: this.toKv(this.write(key, value, undefined)) };
    });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.enqueue(() => {
      const prev = this.checked(key, expectedModRevision);
      return { type: 'put', kv: this.toKv(this.write(key, value, prev)), prev: this.toKv(prev) };
    });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.enqueue(() => {
      const prev = this.checked(key, expectedModRevision);
      return { type: 'delete', kv: this.toKv(this.write(key, null, prev), prev.value), prev: this.toKv(prev) };
    });
  }

  /**
   * Deletes the keys whose lease ran out by `nowMs` (at most EXPIRE_BATCH), through the same path
   * as delete(): watchers see each as a delete event. Returns how many went.
   */
  async expire(nowMs: number): Promise<number> {
    if (!this.ttl.length) return 0;
    const keys = (this.q.expired.all(nowMs, EXPIRE_BATCH) as { key: string }[]).map((r) => r.key);
    const done = await Promise.allSettled(keys.map((key) => this.enqueue(() => {
      // Checked again in the write's transaction: a write since the select renewed the lease.
      const lease = this.q.getLease.get(key) as { expires: number } | undefined;
      if (!lease || lease.expires > nowMs) throw new KeyNotFoundError(key);
      const prev = this.checked(key);
      return { type: 'delete', kv: this.toKv(this.write(key, null, prev), prev.value), prev: this.toKv(prev) };
    })));
    return done.filter((d) => d.status === 'fulfilled').length;
  }

  private checked(key: string, expectedModRevision?: number): LogRow {
    const prev = this.currentRow(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && prev.rev !== expectedModRevision) throw new RevisionMismatchError(key, this.toKv(prev));
    return prev;
  }

  async history(prefix: string, fromRevision: number, limit: number): Promise<StoreEvent[]> {
    return this.historyNow(prefix, fromRevision, limit);
  }

  private historyNow(prefix: string, fromRevision: number, limit: number): StoreEvent[] {
    const compacted = this.compactedNow();
    if (fromRevision < compacted) throw new CompactedError(fromRevision, compacted);
    const rows = this.q.history.all(fromRevision, prefix, prefixEnd(prefix), limit) as LogRow[];
    return rows.map((row) => {
      const prevRow = row.prev_rev ? this.rowByRev(row.prev_rev) : undefined;
      const prev = prevRow && this.toKv(prevRow);
      return row.deleted
        ? { type: 'delete' as const, kv: this.toKv(row, prevRow?.value ?? ''), prev }
        : { type: 'put' as const, kv: this.toKv(row), prev };
    });
  }

  async watch(prefix: string, fromRevision: number, onEvents: (events: StoreEvent[]) => void): Promise<() => void> {
    // History and live events meet without a gap: nothing else runs between the synchronous
    // history read and the listener registration.
    const past = this.historyNow(prefix, fromRevision, Number.MAX_SAFE_INTEGER);
    const listener: Listener = { prefix, onEvents };
    this.listeners.add(listener);
    if (past.length) onEvents(past);
    return () => { this.listeners.delete(listener); };
  }

  async compact(revision: number): Promise<void> {
    this.db.transaction(() => {
      this.q.compact.run(revision);
      this.q.setMeta.run('compacted', revision);
    })();
  }

  async compactedRevision(): Promise<number> {
    return this.compactedNow();
  }

  private compactedNow(): number {
    return (this.q.getMeta.get('compacted') as { value: number } | undefined)?.value ?? 0;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.db.close();
  }
}
