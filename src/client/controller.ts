// The reconcile loop every controller (and the scheduler's shape of it) is built on: informers
// from the client's factory, a work queue of keys, N workers, start (after the caches synced) and
// stop, rate-limited requeue of a key whose reconcile throws, and a periodic resync enqueue.
import type { KubeObject } from '../api/strategy.js';
import type { Informer, InformerHandler } from './informer.js';
import { informerFactory, type InformOptions, type InformerFactory } from './informers.js';
import type { RestClient } from './rest.js';
import type { ApiResource } from './typed.js';
import { WorkQueue } from './workqueue.js';

export interface LoopOptions {
  /** Keys reconciled in parallel (never the same key twice at once). */
  workers?: number;
  /** Re-enqueue every key of resyncKeys() this often (no resync when unset). */
  resyncMs?: number;
}

export abstract class ReconcileLoop {
  protected readonly queue = new WorkQueue();
  protected readonly factory: InformerFactory;
  private readonly informers: Informer<KubeObject>[] = [];
  private stopResync?: () => void;

  constructor(protected readonly client: RestClient, private readonly loop: LoopOptions = {}) {
    this.factory = informerFactory(client);
  }

  /** An informer this loop starts (in the order they were made) and stops. */
  protected inform<T extends KubeObject = KubeObject>(r: ApiResource, handler: InformerHandler<T>, opts?: InformOptions): Informer<T> {
    return this.track(this.factory.informer<T>(r, handler, opts));
  }

  /** Adopts an informer made elsewhere, so start/stop cover it. */
  protected track<T extends KubeObject>(informer: Informer<T>): Informer<T> {
    this.informers.push(informer as unknown as Informer<KubeObject>);
    return informer;
  }

  /** A handler that enqueues the `namespace/name` of an object's controller owner of `kind` (pods of a StatefulSet, …). */
  protected enqueueController(kind: string): InformerHandler<KubeObject> {
    return (_type, obj) => {
      const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
      if (ref?.kind === kind) this.queue.add(`${obj.metadata.namespace}/${ref.name}`);
    };
  }

  /** Reconciles one key; a throw requeues it with backoff. */
  protected abstract reconcile(key: string): Promise<void>;

  /** The keys a resync (when resyncMs is set) enqueues: by default every object of the first informer. */
  protected resyncKeys(): Iterable<string> {
    return this.informers[0]?.items.keys() ?? [];
  }

  /** Resolves once every informer listed (caches synced) and the workers run. */
  async start(): Promise<void> {
    for (const i of this.informers) await i.start();
    void this.queue.run((key) => this.reconcile(key), this.loop.workers ?? 1);
    if (this.loop.resyncMs) this.stopResync = this.factory.onResync(this.loop.resyncMs, () => { for (const k of this.resyncKeys()) this.queue.add(k); });
  }

  stop(): void {
    this.stopResync?.();
    this.stopResync = undefined;
    for (const i of this.informers) i.stop();
    this.queue.stop();
  }
}
