// Records core/v1 Events the way client-go's recorder does: one Event per (object, type, reason,
// message), whose count and lastTimestamp grow when it happens again. Best effort: a failed write
// is dropped, never blocks the caller's work.
import type { KubeObject } from '../api/strategy.js';
import type { RestClient } from './rest.js';
import { R, resource } from './typed.js';
import { metaTime } from '../api/time.js';

export type EventType = 'Normal' | 'Warning';

interface Recorded { name: string; namespace: string; count: number; resourceVersion?: string }

let lastSuffix = 0n;
/** Upstream names events `<object>.<hex nanoseconds>`; strictly increasing here so names sort in recording order. */
function eventSuffix(): string {
  const nanos = BigInt(Date.now()) * 1_000_000n;
  lastSuffix = nanos > lastSuffix ? nanos : lastSuffix + 1n;
  return lastSuffix.toString(16);
}
/** Events about cluster-scoped objects (nodes) live in `default`, as upstream puts them. */
const eventNamespace = (o: KubeObject): string => o.metadata.namespace || 'default';
const MAX_REMEMBERED = 4096;
/** client-go's EventSourceObjectSpamFilter: a burst of 25 events per (source, involved object), then one per 5 minutes. */
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 5 * 60_000;

export class EventRecorder {
  private readonly seen = new Map<string, Recorded>();
  /** Token buckets of the spam filter, by involved object. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly client: RestClient, private readonly component: string, private readonly host?: string) {}

  record(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    if (!this.allow(obj)) return;
    void this.write(obj, type, reason, message, fieldPath).catch(() => {});
  }

  /**
   * The spam filter: like upstream's recorder, an object that keeps causing events (a ReplicaSet
   * creating 3000 pods, a crash-looping container) gets its first 25 recorded, then one every 5
   * minutes; the rest are dropped (upstream logs them).
   */
  private allow(obj: KubeObject): boolean {
    const key = `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}/${obj.metadata.uid ?? ''}`;
    const now = Date.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-inserted below: the map's order is the LRU order
      const refill = Math.floor((now - b.at) / SPAM_REFILL_MS);
      if (refill > 0) b = { tokens: Math.min(SPAM_BURST, b.tokens + refill), at: b.at + refill * SPAM_REFILL_MS };
    } else {
      b = { tokens: SPAM_BURST, at: now };
      if (this.buckets.size >= MAX_REMEMBERED) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    if (b.tokens <= 0) return false;
    if (b.tokens === SPAM_BURST) b.at = now; // a full bucket starts refilling from its first use
    b.tokens--;
    return true;
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const key = `${obj.metadata.uid}/${fieldPath ?? ''}/${type}/${reason}/${message}`;
    const namespace = eventNamespace(obj);
    const prior = this.seen.get(key);
    const ts = metaTime();
    if (prior) {
      prior.count++;
      await resource(this.client, R.events, namespace).patch(prior.name, { count: prior.count, lastTimestamp: ts });
      return;
    }
    const name = `${obj.metadata.name}.${eventSuffix()}`;
    const event = {
      apiVersion: 'v1', kind: 'Event', metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace,
        uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, ...(fieldPath ? { fieldPath } : {}),
      },
      type, reason, message, count: 1, firstTimestamp: ts, lastTimestamp: ts,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      reportingComponent: this.component, reportingInstance: this.host ?? '',
    };
    if (this.seen.size >= MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1 });
    await resource(this.client, R.events, namespace).create(event);
  }
}
