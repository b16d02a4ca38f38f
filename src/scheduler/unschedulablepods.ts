// Pods that found no node (or whose binding failed). Each is retried after a backoff that doubles
// with every failed attempt, and all of them at once when the cluster changes in a way that may
// make room (retryAllSoon), as upstream's scheduling queue moves unschedulable pods on cluster events.
export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 60_000;

interface Entry {
  attempts: number;
  /** The pod spec at the failed attempt: a changed spec (new toleration, gates removed) deserves a retry. */
  spec: string;
  timer: NodeJS.Timeout;
}

export class UnschedulablePods {
  private readonly entries = new Map<string, Entry>();
  private flushing?: NodeJS.Timeout;

  constructor(private readonly retry: (key: string) => void, private readonly initialMs = INITIAL_BACKOFF_MS, private readonly maxMs = MAX_BACKOFF_MS) {}

  /** Records another failed attempt for `key` and schedules its retry. */
  add(key: string, spec: unknown): void {
    const prior = this.entries.get(key);
    if (prior) clearTimeout(prior.timer);
    const attempts = (prior?.attempts ?? 0) + 1;
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** (attempts - 1));
    this.entries.set(key, { attempts, spec: JSON.stringify(spec), timer: setTimeout(() => this.retry(key), delay) });
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  specChanged(key: string, spec: unknown): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.spec !== JSON.stringify(spec);
  }

  remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(key);
  }

  /** Retries every pod on the next turn of the event loop, so a burst of cluster events causes one pass. */
  retryAllSoon(): void {
    if (this.flushing || !this.entries.size) return;
    this.flushing = setTimeout(() => {
      this.flushing = undefined;
      for (const key of this.entries.keys()) this.retry(key);
    });
  }

  stop(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
    clearTimeout(this.flushing);
  }
}
