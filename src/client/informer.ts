// A list+watch cache of one resource (client-go's reflector + informer in miniature): keeps a
// local copy up to date, resumes watches from the last resourceVersion and relists on 410 Gone.
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/strategy.js';
import type { RestClient } from './rest.js';

export type InformerHandler<T> = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => void;

const keyOf = (o: KubeObject): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);
const RETRY_MS = 1000;

export class Informer<T extends KubeObject = KubeObject> {
  readonly items = new Map<string, T>();
  private readonly abort = new AbortController();
  private synced!: Promise<void>;

  constructor(private readonly client: RestClient, private readonly path: string, private readonly onChange: InformerHandler<T>) {}

  /** Starts listing and watching; resolves after the first list. */
  start(): Promise<void> {
    let markSynced!: () => void;
    this.synced = new Promise((r) => { markSynced = r; });
    void this.run(markSynced);
    return this.synced;
  }

  stop(): void {
    this.abort.abort();
  }

  private async run(markSynced: () => void): Promise<void> {
    let rv = '';
    while (!this.abort.signal.aborted) {
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
          this.onChange(e.type, e.object);
        }, this.abort.signal);
      } catch (e) {
        if (e instanceof ApiError && e.code === 410) rv = '';
        if (!this.abort.signal.aborted) await new Promise((r) => setTimeout(r, RETRY_MS));
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
      if (!had) this.onChange('ADDED', item);
      else if (had.metadata.resourceVersion !== item.metadata.resourceVersion) this.onChange('MODIFIED', item);
    }
    for (const [key, item] of this.items) {
      if (!seen.has(key)) {
        this.items.delete(key);
        this.onChange('DELETED', item);
      }
    }
    return list.metadata.resourceVersion;
  }
}
