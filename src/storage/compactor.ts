// Periodic compaction, as kube-apiserver does for etcd: every interval, forget the history older
// than the revision seen one interval ago, so the log stays bounded while watches can still resume
// from anything recent.
import type { Store } from './store.js';

export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60 * 1000;

export class Compactor {
  private timer?: NodeJS.Timeout;
  private lastSeen = 0;

  constructor(private readonly store: Store, private readonly intervalMs = DEFAULT_COMPACTION_INTERVAL_MS) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Compacts up to the revision the previous tick saw; returns the revision compacted to (0 if none). */
  async tick(): Promise<number> {
    const target = this.lastSeen;
    this.lastSeen = await this.store.revision();
    if (target > (await this.store.compactedRevision())) {
      await this.store.compact(target);
      return target;
    }
    return 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
