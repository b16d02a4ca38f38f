// Restart backoff for crashing containers, as the kubelet does: 10 s doubling to 300 s, reset once
// a container has run for 10 minutes.
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
export const BACKOFF_RESET_MS = 600_000;

interface Entry { delayMs: number; notBefore: number }

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly initialMs = BACKOFF_INITIAL_MS, private readonly maxMs = BACKOFF_MAX_MS, private readonly resetMs = BACKOFF_RESET_MS) {}

  /**
   * Records that `key` ended at `finishedAt` after running `ranMs`, and returns how long to wait
   * before starting it again.
   */
  next(key: string, finishedAt: number, ranMs: number): number {
    const prior = this.entries.get(key);
    const delayMs = !prior || ranMs >= this.resetMs ? this.initialMs : Math.min(this.maxMs, prior.delayMs * 2);
    this.entries.set(key, { delayMs, notBefore: finishedAt + delayMs });
    return delayMs;
  }

  /** Milliseconds left before `key` may start again (0 when free to start). */
  remaining(key: string, now: number): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.notBefore - now) : 0;
  }

  delay(key: string): number | undefined {
    return this.entries.get(key)?.delayMs;
  }

  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
