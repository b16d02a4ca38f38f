// Periodic expiry of keys with a TTL (Events), as kine sweeps its leases: every interval the store
// deletes what ran out, so watchers see DELETED events as for any other delete.
import type { Store } from './store.js';

export const DEFAULT_TTL_SWEEP_INTERVAL_MS = 1000;

export class TtlSweeper {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly store: Pick<Store, 'expire'>, private readonly intervalMs = DEFAULT_TTL_SWEEP_INTERVAL_MS) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One sweep (skipped while the previous one still runs); returns how many keys expired. */
  async tick(now = Date.now()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      return await this.store.expire(now);
    } catch {
      return 0; // the store closing under a sweep: the next start sweeps again
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
