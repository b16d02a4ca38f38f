// The informer factory of one client (client-go's SharedInformerFactory): informers of typed
// resources (shared per path when the client shares them, see ./informer.ts) and the ONE resync
// timer every controller of the process hangs its periodic re-enqueue on.
import type { KubeObject } from '../api/strategy.js';
import { Informer, type InformerHandler } from './informer.js';
import type { RestClient } from './rest.js';
import { queryString, resourcePath, type ApiResource } from './typed.js';

/** How often the resync timer looks for registrations that are due (their periods are multiples of it in practice). */
const RESYNC_TICK_MS = 5_000;

export interface InformOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

interface Resync { periodMs: number; last: number; fn: () => void }

export class InformerFactory {
  private readonly resyncs = new Set<Resync>();
  private timer?: NodeJS.Timeout;

  constructor(readonly client: RestClient, private readonly tickMs = RESYNC_TICK_MS) {}

  /** An informer of resource `r` (all namespaces unless one is given). */
  informer<T extends KubeObject = KubeObject>(r: ApiResource, handler: InformerHandler<T>, opts: InformOptions = {}): Informer<T> {
    const path = resourcePath(r, opts.namespace) + queryString({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
    return new Informer<T>(this.client, path, handler);
  }

  /** Calls `fn` every `periodMs` (at the factory's tick granularity) until the returned function is called. */
  onResync(periodMs: number, fn: () => void): () => void {
    const r: Resync = { periodMs, last: Date.now(), fn };
    this.resyncs.add(r);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), Math.min(this.tickMs, periodMs));
      this.timer.unref();
    }
    return () => {
      this.resyncs.delete(r);
      if (!this.resyncs.size && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private tick(): void {
    const now = Date.now();
    for (const r of this.resyncs) {
      if (now - r.last < r.periodMs) continue;
      r.last = now;
      try {
        r.fn();
      } catch (e) {
        process.stderr.write(`resync failed: ${e instanceof Error ? e.stack : String(e)}\n`);
      }
    }
  }
}

const factories = new WeakMap<RestClient, InformerFactory>();

/** The one informer factory of a client. */
export function informerFactory(client: RestClient): InformerFactory {
  let f = factories.get(client);
  if (!f) factories.set(client, (f = new InformerFactory(client)));
  return f;
}
