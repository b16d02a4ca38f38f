// The backend of `kubectl exec`: `runc exec` in a running container, its stdio wired to the
// client's streams. runc is told to write a pid file once the process runs and to log its own
// errors as JSON, which tells a process that ran (its exit code) from an exec that never started
// (runc's reason, e.g. `exec: "nosuch": executable file not found in $PATH`, reported as an error
// the way the kubelet reports it); output is held back until the pid file appears, so runc's own
// message never reaches the client as if the command had printed it.
// A tty: runc gets its terminal from `script` (see Runc.exec); runc copies that terminal's size to
// the container's console at start and on SIGWINCH, so a resize is `stty -F <script's pty>`,
// which sets the size and sends runc the SIGWINCH.
import { spawn, type ChildProcess } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { ExecOptions } from '../runtime/index.js';
import { which } from '../runtime/tools.js';

export interface TerminalSize {
  width: number;
  height: number;
}

export interface ExecIO {
  stdin?: Readable;
  stdout?: Writable;
  /** Unused with a tty (a terminal has one output). */
  stderr?: Writable;
  tty: boolean;
  /** Emits 'resize' ({ width, height }); the first size is applied before the command starts when it comes at once. */
  resize: EventEmitter;
  signal: AbortSignal;
  /** The terminal size to start with, if known. */
  initialSize?: TerminalSize;
}

export type ExecResult = { exitCode: number } | { error: string };

/** What execInContainer needs of the Runtime. */
export interface ExecRuntime {
  exec(id: string, argv: string[], opts?: ExecOptions): ChildProcess;
}

/** After the process exited, how long output may stay silent before the pipes are given up (a background child may hold them). */
const OUTPUT_GRACE_MS = 1000;
/** After an abort, how long runc may take to start the process (so it can be killed) before runc itself is killed. */
const ABORT_START_GRACE_MS = 5000;
/** How long to look for the terminal of a tty exec before giving up on resizes. */
const PTY_SEARCH_MS = 2000;

const stty = which('stty') ?? 'stty';

const signalNumber = (sig: NodeJS.Signals | null): number => (sig ? (constants.signals as Record<string, number>)[sig] ?? 0 : 0);

/** The pseudo-terminal `script` made for runc: the slave of the ptmx it holds (fdinfo's tty-index), or its child's stdin. */
export async function ptyOfScript(pid: number): Promise<string | undefined> {
  try {
    for (const fd of await readdir(`/proc/${pid}/fd`)) {
      const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
      const m = /^tty-index:\s*(\d+)$/m.exec(info);
      if (m) return `/dev/pts/${m[1]}`;
    }
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean);
    for (const child of children) {
      const target = await readlink(`/proc/${child}/fd/0`).catch(() => '');
      if (/^\/dev\/pts\/\d+$/.test(target)) return target;
    }
  } catch {
    // gone
  }
  return undefined;
}

/** The last error runc logged (JSON lines), e.g. `exec failed: unable to start container process: exec: "x": executable file not found in $PATH`. */
export function runcError(log: string): string | undefined {
  let msg: string | undefined;
  for (const line of log.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) msg = entry.msg;
    } catch {
      // not JSON: ignore
    }
  }
  return msg;
}

/** Applies terminal sizes to a pty with `stty -F`, one at a time, the latest winning. */
class Resizer {
  private pty?: string;
  private want?: TerminalSize;
  private busy = false;
  private searching = false;
  private closed = false;

  constructor(private readonly findPty: () => Promise<string | undefined>) {}

  resize(size: TerminalSize): void {
    if (this.closed) return;
    this.want = { width: Math.max(0, Math.floor(size.width)), height: Math.max(0, Math.floor(size.height)) };
    void this.pump();
  }

  close(): void {
    this.closed = true;
  }

  private async pump(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      if (!this.pty && !this.searching) {
        this.searching = true;
        const deadline = Date.now() + PTY_SEARCH_MS;
        while (!this.pty && !this.closed && Date.now() < deadline) {
          this.pty = await this.findPty();
          if (!this.pty) await new Promise((r) => setTimeout(r, 2));
        }
      }
      while (this.pty && this.want && !this.closed) {
        const { width, height } = this.want;
        this.want = undefined;
        await new Promise<void>((resolve) => {
          const child = spawn(stty, ['-F', this.pty!, 'rows', String(height), 'cols', String(width)], { stdio: 'ignore' });
          child.on('error', () => resolve());
          child.on('close', () => resolve());
        });
      }
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Runs argv in the running container `containerId` (runc exec), wiring the streams; resolves with
 * the exit code (128+n when killed by signal n), or with `{ error }` when the command could not be
 * started (runc's reason). Output is written to io.stdout/io.stderr, which are not ended; the
 * promise resolves once all of it has been handed to them. With a tty, `resize` events resize the
 * container's terminal. If `signal` aborts, the process is killed (SIGKILL).
 */
export async function execInContainer(runtime: ExecRuntime, containerId: string, argv: string[], io: ExecIO): Promise<ExecResult> {
  if (!argv.length) return { error: 'no command given' };
  let initial = io.initialSize;
  let resizer: Resizer | undefined;
  const onResize = (size: TerminalSize): void => {
    if (resizer) resizer.resize(size);
    else initial = size; // before the start: the terminal is made with it
  };
  if (io.tty) io.resize.on('resize', onResize);
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'tkexec-'));
    if (io.signal.aborted) return { error: 'aborted' };
    const pidFile = join(dir, 'pid');
    const logFile = join(dir, 'runc.log');
    let child: ChildProcess;
    try {
      child = runtime.exec(containerId, argv, { tty: io.tty, pidFile, logFile, size: io.tty ? initial : undefined });
    } catch (e) {
      return { error: (e as Error).message };
    }
    if (io.tty) {
      const pid = child.pid;
      resizer = new Resizer(() => (pid ? ptyOfScript(pid) : Promise.resolve(undefined)));
    }
    return await supervise(child, io, dir, pidFile, logFile);
  } finally {
    if (io.tty) io.resize.off('resize', onResize);
    resizer?.close();
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

function supervise(child: ChildProcess, io: ExecIO, dir: string, pidFile: string, logFile: string): Promise<ExecResult> {
  return new Promise((resolve) => {
    let started = false;
    let pid: number | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let aborted = false;
    let abortTimer: NodeJS.Timeout | undefined;
    let watcher: FSWatcher | undefined;
    const stdin = child.stdin!;
    stdin.on('error', () => {}); // EPIPE once the process is gone
    const outputs: Array<[Readable, Writable | undefined]> = [[child.stdout!, io.stdout]];
    if (child.stderr) outputs.push([child.stderr, io.tty ? undefined : io.stderr]);

    const kill = (): void => {
      if (exit) return;
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      } else {
        abortTimer ??= setTimeout(() => child.kill('SIGKILL'), ABORT_START_GRACE_MS);
      }
    };
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    io.signal.addEventListener('abort', onAbort);

    /** The process runs: let its output and input flow. */
    const begin = (): void => {
      if (started) return;
      started = true;
      watcher?.close();
      for (const [src, dst] of outputs) {
        if (dst) src.pipe(dst, { end: false });
        else src.resume();
      }
      if (io.tty) {
        if (io.stdin) io.stdin.pipe(stdin); // without stdin the terminal stays open (an EOF would be a ^D)
      }
      void readFile(pidFile, 'utf8').then((t) => {
        const n = Number(t.trim());
        if (Number.isInteger(n) && n > 0) pid = n;
        if (aborted) kill();
      }, () => {});
    };
    const checkStarted = (): void => {
      if (!started && existsSync(pidFile)) begin();
    };

    if (!io.tty) {
      // runc hands these pipes to the process itself: input may flow at once.
      if (io.stdin) io.stdin.pipe(stdin);
      else stdin.end();
    }
    try {
      watcher = watch(dir, { persistent: false }, checkStarted);
      watcher.on('error', () => {});
    } catch {
      // no inotify: the exit settles it
    }
    checkStarted();

    const finish = (result: ExecResult): void => {
      io.signal.removeEventListener('abort', onAbort);
      clearTimeout(abortTimer);
      watcher?.close();
      if (io.stdin) io.stdin.unpipe(stdin);
      stdin.destroy();
      resolve(result);
    };

    child.on('error', (e) => {
      if (exit) return;
      exit = { code: null, signal: null };
      for (const [src] of outputs) src.destroy();
      finish({ error: `cannot run runc exec: ${e.message}` });
    });

    child.on('exit', (code, signal) => {
      exit = { code, signal };
      checkStarted();
      const exitCode = code ?? 128 + signalNumber(signal);
      if (!started) {
        // runc could not start the process: its reason is in its log (and on the held-back output).
        void readFile(logFile, 'utf8').catch(() => '').then((log) => {
          const reason = runcError(log);
          if (reason && exitCode !== 0) {
            for (const [src] of outputs) src.destroy();
            finish({ error: `OCI runtime exec failed: ${reason}` }); // as containerd and CRI-O word it
            return;
          }
          begin(); // no reason given: pass on whatever there is
          drain(exitCode);
        });
        return;
      }
      drain(exitCode);
    });

    /** Waits for the output to be handed on; gives up on pipes that stay open but silent (held by a background process). */
    const drain = (exitCode: number): void => {
      const open = outputs.filter(([src]) => !src.readableEnded && !src.destroyed);
      if (!open.length) {
        finish({ exitCode });
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      let left = open.length;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          // A client that is slow to take the output is not silence.
          if (open.some(([src, dst]) => !src.readableEnded && (dst?.writableNeedDrain ?? false))) {
            arm();
            return;
          }
          for (const [src] of open) {
            if (!src.readableEnded) src.destroy();
          }
          finishOnce();
        }, OUTPUT_GRACE_MS);
      };
      let done = false;
      const finishOnce = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const [src] of open) src.off('data', arm);
        finish({ exitCode });
      };
      for (const [src] of open) {
        src.on('data', arm);
        src.once('end', () => {
          if (--left === 0) finishOnce();
        });
        src.once('close', () => {
          if (!src.readableEnded && --left === 0) finishOnce();
        });
      }
      arm();
    };
  });
}
