// Rotates the CRI log files of running containers by size, as the kubelet's container log manager
// does (containerLogMaxSize 10 MiB, containerLogMaxFiles 5 by default): the live file is renamed,
// conmon is told to reopen it, and the oldest rotated files beyond the bound are removed.
import type { Runtime } from './runtime/index.js';
import { rotateLogIfNeeded } from './streaming/logs.js';

export interface LogRotationOptions {
  maxBytes: number;
  /** Files per container, the live one included. */
  maxFiles: number;
  intervalMs: number;
}

export const DEFAULT_LOG_ROTATION: LogRotationOptions = { maxBytes: 10 * 1024 * 1024, maxFiles: 5, intervalMs: 10_000 };

export class LogRotator {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly runtime: Pick<Runtime, 'listContainers' | 'containerDir'>,
    private readonly opts: LogRotationOptions = DEFAULT_LOG_ROTATION,
    private readonly rotate = rotateLogIfNeeded,
  ) {}

  start(): void {
    this.timer = setInterval(() => { this.running ??= this.pass().finally(() => { this.running = undefined; }); }, this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass over the running containers; a failure with one container does not stop the others. */
  async pass(): Promise<number> {
    let rotated = 0;
    for (const c of await this.runtime.listContainers()) {
      if (c.state !== 'running') continue;
      // The live file counts as one of maxFiles.
      const done = await this.rotate(this.runtime.containerDir(c.id), c.logPath, this.opts.maxBytes, this.opts.maxFiles - 1).catch(() => false);
      if (done) rotated++;
    }
    return rotated;
  }
}
