// In-memory cache of one resource's keys, fed by a single store watch (like upstream's cacher), so
// GET, LIST and WATCH never touch the datastore. It keeps a window of recent events so watches can
// resume from a resourceVersion and paginated lists can be served as a snapshot of one revision.
import type { KeyValue, Store, StoreEvent } from './store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface KubeObjectLike {
  metadata?: { resourceVersion?: string };
}

/** One object as served: parsed (treat as read-only) and serialized once. */
export interface Cached {
  key: string;
  rev: number;
  obj: KubeObjectLike;
  json: string;
}

export interface CacheEvent {
  type: WatchEventType;
  rev: number;
  key: string;
  object: Cached;
  /** The object before this event (absent for ADDED). */
  prev?: Cached;
}

export class TooOldError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

type Watcher = (event: CacheEvent) => void;

export function decode(kv: KeyValue, rev = kv.modRevision): Cached {
  const obj = JSON.parse(kv.value) as KubeObjectLike;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rev) };
  return { key: kv.key, rev, obj, json: JSON.stringify(obj) };
}

/** Index of the first element of sorted `keys` that is >= `k`. */
function lowerBound(keys: string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class WatchCache {
  private readonly items = new Map<string, Cached>();
  private sorted: string[] | null = null;
  private readonly events: CacheEvent[] = [];
  /** Events after this revision are all in `events`. */
  private windowStart = 0;
  private current = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly waiters: { rev: number; resolve: () => void }[] = [];
  private stopStoreWatch?: () => void;

  constructor(private readonly store: Store, readonly prefix: string, private readonly capacity = 10_000) {}

  async start(): Promise<void> {
    const list = await this.store.list(this.prefix);
    for (const kv of list.items) this.items.set(kv.key, decode(kv));
    this.current = this.windowStart = list.revision;
    await this.loadWindow(list.revision);
    this.stopStoreWatch = await this.store.watch(this.prefix, list.revision, (evs) => this.apply(evs));
  }

  /**
   * Fills the event window from the store's history when all of it since the last compaction
   * fits, so that after a restart a watch from an old resourceVersion replays instead of 410.
   */
  private async loadWindow(upTo: number): Promise<void> {
    const compacted = await this.store.compactedRevision();
    const past = (await this.store.history(this.prefix, compacted, this.capacity + 1)).filter((e) => e.kv.modRevision <= upTo);
    if (past.length > this.capacity) return;
    for (const se of past) {
      const object = decode(se.kv);
      const prev = se.prev && decode(se.prev);
      const type: WatchEventType = se.type === 'delete' ? 'DELETED' : se.prev ? 'MODIFIED' : 'ADDED';
      this.events.push({ type, rev: se.kv.modRevision, key: se.kv.key, object, prev });
    }
    this.windowStart = compacted;
  }

  stop(): void {
    this.stopStoreWatch?.();
    this.watchers.clear();
  }

  get revision(): number {
    return this.current;
  }

  get(key: string): Cached | undefined {
    return this.items.get(key);
  }

  get size(): number {
    return this.items.size;
  }

  private sortedKeys(): string[] {
    this.sorted ??= [...this.items.keys()].sort();
    return this.sorted;
  }

  /** Current objects under `prefix`, in key order. */
  list(prefix: string): Cached[] {
    const keys = this.sortedKeys();
    const out: Cached[] = [];
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i].startsWith(prefix); i++) out.push(this.items.get(keys[i])!);
    return out;
  }

  /**
   * Objects under `prefix` with key > `afterKey`, as they were at revision `rev`: the current state
   * with the newer events of the window undone. Throws TooOldError when the window does not reach back.
   */
  listAt(prefix: string, rev: number, afterKey: string): Cached[] {
    if (rev >= this.current) return this.list(prefix).filter((c) => c.key > afterKey);
    if (rev < this.windowStart) throw new TooOldError(rev, this.windowStart);
    const state = new Map<string, Cached | undefined>();
    for (const c of this.list(prefix)) if (c.key > afterKey) state.set(c.key, c);
    for (let i = this.events.length - 1; i >= 0 && this.events[i].rev > rev; i--) {
      const e = this.events[i];
      if (e.key > afterKey && e.key.startsWith(prefix)) state.set(e.key, e.type === 'ADDED' ? undefined : e.prev);
    }
    return [...state.entries()].filter((e): e is [string, Cached] => e[1] !== undefined).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);
  }

  /**
   * Delivers every event after `fromRev` (from the window), then live ones, synchronously.
   * Throws TooOldError when events after `fromRev` have left the window.
   */
  watch(fromRev: number, onEvent: Watcher): () => void {
    if (fromRev < this.windowStart) throw new TooOldError(fromRev, this.windowStart);
    let i = this.events.length;
    while (i > 0 && this.events[i - 1].rev > fromRev) i--;
    for (; i < this.events.length; i++) onEvent(this.events[i]);
    this.watchers.add(onEvent);
    return () => { this.watchers.delete(onEvent); };
  }

  /**
   * Brings `revision` up to the store's. Revisions are global: writes to other resources move the
   * store past our last event. The SQLite store delivers events as each commit ends, so everything
   * up to its revision has reached us (an etcd store would answer with a progress notification).
   */
  async sync(): Promise<number> {
    this.current = Math.max(this.current, await this.store.revision());
    return this.current;
  }

  /** Resolves once the cache has seen `rev` (for reads that must observe a given write), or rejects after `timeoutMs`. */
  async waitFor(rev: number, timeoutMs = 3000): Promise<void> {
    if (rev <= this.current || rev <= (await this.sync())) return;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Too large resource version: ${rev}, current: ${this.current}`)), timeoutMs);
      this.waiters.push({ rev, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  private apply(storeEvents: StoreEvent[]): void {
    for (const se of storeEvents) {
      const prev = this.items.get(se.kv.key);
      const object = decode(se.kv);
      let type: WatchEventType;
      if (se.type === 'delete') {
        type = 'DELETED';
        this.items.delete(se.kv.key);
        this.sorted = null;
      } else {
        type = prev ? 'MODIFIED' : 'ADDED';
        if (!prev) this.sorted = null;
        this.items.set(se.kv.key, object);
      }
      const event: CacheEvent = { type, rev: se.kv.modRevision, key: se.kv.key, object, prev };
      this.remember(event);
      this.current = event.rev;
      for (const w of this.watchers) w(event);
    }
    this.wakeWaiters();
  }

  private remember(event: CacheEvent): void {
    this.events.push(event);
    if (this.events.length > this.capacity * 1.25) {
      const drop = this.events.length - this.capacity;
      this.windowStart = this.events[drop - 1].rev;
      this.events.splice(0, drop);
    }
  }

  private wakeWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].rev <= this.current) this.waiters.splice(i, 1)[0].resolve();
    }
  }
}
