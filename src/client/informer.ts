// A list+watch cache of one resource (client-go's reflector + informer in miniature): keeps a
// local copy up to date, resumes watches from the last resourceVersion and relists on 410 Gone.
//
// Shared informers (client-go's SharedInformerFactory): for a client passed to shareInformers(),
// every Informer of the same path uses one list+watch and one cache, however many components of
// the process (controllers, scheduler) watch it: the control plane opens one pod watch, not one per
// controller. A handler that joins after the first list gets the cached objects as ADDED. Objects
// in a shared cache are shared too: read them, never change them (clone first, as upstream asks).
import { isGone } from '../api/errors.js';
import type { KubeObject } from '../api/strategy.js';
import type { RestClient } from './rest.js';

export type InformerHandler<T> = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => void;

const keyOf = (o: KubeObject): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);
const RETRY_MS = 1000;

/** One list+watch of a path and its cache, feeding every subscribed handler. */
class Source<T extends KubeObject> {
  readonly items = new Map<string, T>();
  private readonly handlers = new Set<InformerHandler<T>>();
  private abort?: AbortController;
  private synced?: Promise<void>;
  private listed = false;

  constructor(private readonly client: RestClient, private readonly path: string, private readonly onIdle?: () => void) {}

  subscribe(handler: InformerHandler<T>): Promise<void> {
    this.handlers.add(handler);
    if (this.listed) {
      for (const item of [...this.items.values()]) this.call(handler, 'ADDED', item);
      return Promise.resolve();
    }
    if (!this.synced) {
      let markSynced!: () => void;
      this.synced = new Promise((r) => { markSynced = r; });
      this.abort = new AbortController();
      void this.run(this.abort.signal, () => { this.listed = true; markSynced(); });
    }
    return this.synced;
  }

  unsubscribe(handler: InformerHandler<T>): void {
    this.handlers.delete(handler);
    if (this.handlers.size) return;
    this.abort?.abort();
    this.abort = undefined;
    this.synced = undefined;
    this.listed = false;
    this.onIdle?.();
  }

  private call(handler: InformerHandler<T>, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    try {
      handler(type, obj);
    } catch (e) {
      // One handler's bug must not starve the others (or stop the watch).
      process.stderr.write(`informer ${this.path}: handler failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    }
  }

  private emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    for (const h of this.handlers) this.call(h, type, obj);
  }

  private async run(signal: AbortSignal, markSynced: () => void): Promise<void> {
    let rv = '';
    while (!signal.aborted) {
      try {
        if (!rv) rv = await this.relist();
        markSynced();
        const sep = this.path.includes('?') ? '&' : '?';
        await this.client.watch<T>(`${this.path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, (e) => {
          if (e.type === 'ERROR') {
            const code = (e.object as unknown as { code?: number }).code;
            if (code === 410) rv = '';
            return;
          }
          rv = e.object.metadata.resourceVersion ?? rv;
          if (e.type === 'BOOKMARK') return;
          const key = keyOf(e.object);
          if (e.type === 'DELETED') this.items.delete(key);
          else this.items.set(key, e.object);
          this.emit(e.type, e.object);
        }, signal);
      } catch (e) {
        if (isGone(e)) rv = '';
        if (!signal.aborted) await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  /** Lists everything, reports what appeared, changed or vanished since the last list, returns the list's resourceVersion. */
  private async relist(): Promise<string> {
    const list = await this.client.get<{ metadata: { resourceVersion: string }; items: T[] }>(this.path);
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item);
      seen.add(key);
      const had = this.items.get(key);
      this.items.set(key, item);
      if (!had) this.emit('ADDED', item);
      else if (had.metadata.resourceVersion !== item.metadata.resourceVersion) this.emit('MODIFIED', item);
    }
    for (const [key, item] of this.items) {
      if (!seen.has(key)) {
        this.items.delete(key);
        this.emit('DELETED', item);
      }
    }
    return list.metadata.resourceVersion;
  }
}

/** The shared sources of each client that shares its informers, by path. */
const sharedSources = new WeakMap<RestClient, Map<string, Source<KubeObject>>>();

/** From now on, Informers of this client share one list+watch and cache per path (see the top of this file). */
export function shareInformers(client: RestClient): void {
  if (!sharedSources.has(client)) sharedSources.set(client, new Map());
}

export class Informer<T extends KubeObject = KubeObject> {
  private readonly source: Source<T>;
  private started = false;
  /** This informer's own subscription (handlers may be the same function in several informers). */
  private readonly handler: InformerHandler<T>;

  constructor(client: RestClient, path: string, onChange: InformerHandler<T>) {
    this.handler = (type, obj) => onChange(type, obj);
    const shared = sharedSources.get(client);
    if (!shared) {
      this.source = new Source<T>(client, path);
      return;
    }
    let source = shared.get(path) as Source<T> | undefined;
    if (!source) {
      const made: Source<T> = new Source<T>(client, path, () => { if (shared.get(path) === (made as unknown as Source<KubeObject>)) shared.delete(path); });
      shared.set(path, made as unknown as Source<KubeObject>);
      source = made;
    }
    this.source = source;
  }

  /** The cache (shared with the other informers of the path when the client shares them). */
  get items(): Map<string, T> {
    return this.source.items;
  }

  /** Starts listing and watching; resolves after the first list. */
  start(): Promise<void> {
    this.started = true;
    return this.source.subscribe(this.handler);
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.source.unsubscribe(this.handler);
  }
}
