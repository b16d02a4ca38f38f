// Thin wrappers over the runc CLI with a private --root, so this runtime's containers never mix
// with anyone else's. `create` is not here: conmon runs it, as the container's parent.
import { spawn, type ChildProcess } from 'node:child_process';
import { CommandError, run } from './run.js';

export type RuncStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';
export interface RuncState { id: string; pid: number; status: RuncStatus; created: string }
export interface RuncExecOptions {
  tty?: boolean;
  /** The outer terminal's size at start (tty only). */
  size?: { width: number; height: number };
  /** runc writes the process's host pid here once it runs. */
  pidFile?: string;
  /** runc's own log, JSON lines (`--log --log-format json`). */
  logFile?: string;
}

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;
const notFound = (e: unknown): boolean => e instanceof CommandError && /does not exist|not found/i.test(e.stderr);

export class Runc {
  constructor(readonly bin: string, readonly root: string, private readonly script: string) {}

  private run(args: string[]): Promise<string> {
    return run(this.bin, ['--root', this.root, ...args]);
  }

  async start(id: string): Promise<void> {
    await this.run(['start', id]);
  }

  /** Signals the container's init, or with `all` every process in its cgroup (needed with a shared PID namespace). */
  async kill(id: string, signal: string, all = false): Promise<void> {
    await this.run(['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  /** Deletes a stopped container; one that does not exist is already deleted. */
  async delete(id: string): Promise<void> {
    try {
      await this.run(['delete', id]);
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  }

  /** `runc delete --force` (it sleeps 100 ms): only for cleaning up containers nobody waits for. */
  async forceDelete(id: string): Promise<void> {
    try {
      await this.run(['delete', '--force', id]);
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  }

  async state(id: string): Promise<RuncState | undefined> {
    try {
      return JSON.parse(await this.run(['state', id])) as RuncState;
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  }

  async list(): Promise<RuncState[]> {
    // An empty root prints `null`.
    return (JSON.parse(await this.run(['list', '--format', 'json'])) as RuncState[] | null) ?? [];
  }

  /**
   * `runc exec` with pipes. With a tty, runc insists on a terminal of its own (it opens /dev/tty,
   * and Node can neither make a pty nor take one over SCM_RIGHTS), so `script` gives it one and
   * relays it to the pipes; runc puts that outer terminal in raw mode and copies its size to the
   * container's console at start and on every SIGWINCH (so resizing the outer terminal, e.g. with
   * `stty -F`, resizes the container's). `size` sets the outer terminal's size before runc starts.
   * `pidFile` is written by runc once the process runs (absent if it could not start); `logFile`
   * gets runc's own messages as JSON lines (the reason an exec failed), besides its stderr.
   */
  exec(id: string, argv: string[], opts: RuncExecOptions = {}): ChildProcess {
    const args = [
      '--root', this.root, ...(opts.logFile ? ['--log', opts.logFile, '--log-format', 'json'] : []),
      'exec', ...(opts.tty ? ['--tty'] : []), ...(opts.pidFile ? ['--pid-file', opts.pidFile] : []), id, ...argv,
    ];
    if (!opts.tty) return spawn(this.bin, args, { stdio: 'pipe' });
    const size = opts.size && `stty rows ${Math.max(0, Math.floor(opts.size.height))} cols ${Math.max(0, Math.floor(opts.size.width))} 2>/dev/null; `;
    const command = `${size || ''}exec ${[this.bin, ...args].map(shellQuote).join(' ')}`;
    return spawn(this.script, ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], { stdio: 'pipe', env: { ...process.env, SHELL: '/bin/sh' } });
  }
}
