// Turns conmon's exit files into events: one inotify watch on the exit dir tells the agent (and
// stopContainer) the moment a container exits, so nothing polls runc.
import { watch, type FSWatcher } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

export class ExitWatcher {
  private watcher?: FSWatcher;
  private readonly listeners = new Set<(id: string) => void>();

  constructor(private readonly dir: string) {}

  exitFile(id: string): string {
    return join(this.dir, id);
  }

  /** Calls `listener` with the id of each container whose exit file appears. */
  onExit(listener: (id: string) => void): () => void {
    this.ensureWatching();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True once the container's exit file exists; false if it does not within `timeoutMs`. */
  async waitFor(id: string, timeoutMs: number): Promise<boolean> {
    let settle!: (exited: boolean) => void;
    const result = new Promise<boolean>((resolve) => { settle = resolve; });
    const stop = this.onExit((exited) => { if (exited === id) settle(true); });
    // Checked after subscribing, so an exit between the check and the watch is not missed.
    if (await exists(this.exitFile(id))) settle(true);
    const timer = setTimeout(() => settle(false), timeoutMs);
    const exited = await result;
    clearTimeout(timer);
    stop();
    return exited;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private ensureWatching(): void {
    if (this.watcher) return;
    // conmon writes a dot-prefixed temp file and renames it to <id>: the rename is the event.
    this.watcher = watch(this.dir, (_event, name) => {
      if (!name || name.startsWith('.')) return;
      void exists(this.exitFile(name)).then((present) => {
        if (present) for (const l of [...this.listeners]) l(name);
      });
    });
    this.watcher.on('error', () => this.close()); // the exit dir was removed (cleanupAll)
    this.watcher.unref(); // a watch alone must not keep the agent (or a test) alive
  }
}
