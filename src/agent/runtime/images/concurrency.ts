// Coordination inside one process: concurrent pulls of the same thing share a single run, and
// garbage collection never runs while a pull or import is storing content.

const ignore = () => {};

/** Calls for a key already running join that run; what the run emits reaches every caller's listener. */
export class SingleFlight<T, E = never> {
  private readonly running = new Map<string, { promise: Promise<T>; listeners: Set<(event: E) => void> }>();

  run(key: string, work: (emit: (event: E) => void) => Promise<T>, listener?: (event: E) => void): Promise<T> {
    let flight = this.running.get(key);
    if (!flight) {
      const listeners = new Set<(event: E) => void>();
      const promise = work((event) => listeners.forEach((l) => l(event))).finally(() => this.running.delete(key));
      flight = { promise, listeners };
      this.running.set(key, flight);
    }
    if (listener) flight.listeners.add(listener);
    return flight.promise;
  }
}

/** A readers-writer lock for async work: any number of shared holders, or one exclusive holder. */
export class SharedLock {
  private readonly holders = new Set<Promise<void>>();
  private exclusiveDone: Promise<void> = Promise.resolve();

  shared<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.exclusiveDone.then(fn);
    const done = result.then(ignore, ignore);
    this.holders.add(done);
    void done.then(() => this.holders.delete(done));
    return result;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = Promise.all([this.exclusiveDone, ...this.holders]).then(fn);
    this.exclusiveDone = result.then(ignore, ignore);
    return result;
  }
}

/**
 * Runs `fn` over the items, at most `limit` at a time. After a failure no new item starts, and the
 * first error is thrown once the running ones have settled, so no work outlives the call.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (!errors.length && next < items.length) {
      const index = next++;
      await fn(items[index], index).catch((e: unknown) => void errors.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}
