// What a controller waits to see in its informer after its own creates and deletes (upstream's
// UIDTrackingControllerExpectations): until they are seen, or 5 minutes pass, the controller does
// not create or delete again for that owner, so it never acts twice on a stale cache.
import type { KubeObject } from '../api/strategy.js';
import type { EventType } from './informer.js';

const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expected { adds: number; deletes: Set<string>; at: number }

const keyOf = (o: KubeObject): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);

export class Expectations {
  private readonly records = new Map<string, Expected>();

  constructor(private readonly ttlMs = EXPECTATIONS_TTL_MS) {}

  /** True when nothing is awaited for `key` (or the wait expired): the controller may act. */
  satisfied(key: string, now = Date.now()): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    return (r.adds <= 0 && r.deletes.size === 0) || now - r.at > this.ttlMs;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { adds: n, deletes: new Set(), at: Date.now() });
  }

  /** Expects these objects (by namespace/name key) to be deleted. */
  expectDeletions(key: string, objectKeys: string[]): void {
    this.records.set(key, { adds: 0, deletes: new Set(objectKeys), at: Date.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.adds--;
  }

  deletionObserved(key: string, objectKey: string): void {
    this.records.get(key)?.deletes.delete(objectKey);
  }

  /** Feeds an informer event of an object owned by `key`: an add is a creation, a delete (or a deletionTimestamp) a deletion. */
  observe(key: string, type: EventType, obj: KubeObject): void {
    if (type === 'DELETED' || obj.metadata.deletionTimestamp) this.deletionObserved(key, keyOf(obj));
    else if (type === 'ADDED') this.creationObserved(key);
  }

  /** Forgets an owner (it was deleted). */
  delete(key: string): void {
    this.records.delete(key);
  }
}
