// A work queue of keys, shaped like client-go's: a key queued many times is processed once, never by
// two workers at a time, and a failed key comes back after an exponential backoff.
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private wake?: () => void;
  private stopped = false;

  constructor(private readonly baseDelayMs = 50, private readonly maxDelayMs = 30_000) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) { this.dirty.add(key); return; }
    this.queued.add(key);
    this.wake?.();
  }

  /** Adds `key` after `ms`. */
  addAfter(key: string, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); this.add(key); }, ms);
    this.timers.add(t);
  }

  /** Requeues a key that failed, later each time it fails again. */
  retry(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    this.addAfter(key, Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (n - 1)));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  get length(): number {
    return this.queued.size;
  }

  /** Runs `reconcile` for queued keys with `workers` in parallel until stop(). A throw retries the key. */
  async run(reconcile: (key: string) => Promise<void>, workers = 1): Promise<void> {
    await Promise.all(Array.from({ length: workers }, () => this.worker(reconcile)));
  }

  private async worker(reconcile: (key: string) => Promise<void>): Promise<void> {
    while (!this.stopped) {
      const key = this.queued.values().next().value as string | undefined;
      if (key === undefined) {
        await new Promise<void>((r) => { this.wake = r; });
        continue;
      }
      this.queued.delete(key);
      this.active.add(key);
      try {
        await reconcile(key);
        this.forget(key);
      } catch {
        this.retry(key);
      } finally {
        this.active.delete(key);
        if (this.dirty.delete(key)) this.add(key);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.wake?.();
  }
}
