// conmon is each container's parent and shim: it runs `runc create`, holds the container's stdio
// and writes it to the CRI-format log, reaps it and records the exit code (and an `oom` marker).
// It daemonizes at once, so containers outlive the agent; the agent keeps no process state.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, mkdir, open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

export interface ConmonLaunch {
  conmon: string;
  runc: string;
  runcRoot: string;
  id: string;
  /** The OCI bundle (config.json) directory. */
  bundle: string;
  /** Container state dir: pid files, `exit`/`oom` markers, conmon's stderr; also conmon's cwd. */
  dir: string;
  /** Shared dir where conmon writes `<id>` with the exit code when the container exits. */
  exitDir: string;
  /** Short dir for attach sockets (a unix socket path has at most 107 bytes). */
  socketDir: string;
  logPath: string;
  terminal?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
}

export const pidFile = (dir: string): string => join(dir, 'pid');
export const conmonPidFile = (dir: string): string => join(dir, 'conmon.pid');
export const exitFile = (dir: string): string => join(dir, 'exit');
export const oomFile = (dir: string): string => join(dir, 'oom');
const stderrFile = (dir: string): string => join(dir, 'conmon.stderr');

/** Waiting longer than this for `runc create` means something is wedged. */
const SYNC_TIMEOUT_MS = 60_000;

/** conmon's control messages ("<type> <height> <width>\n" on the `ctl` FIFO in its bundle dir). */
export const CONMON_CTL = { resize: 1, reopenLog: 2 } as const;

/**
 * Time between two control messages to one conmon. conmon 2.1 handles every line of one read of the
 * FIFO as if it were the first (`line_process_func(ctlbuf)` in src/ctrl.c): two messages read
 * together would both act as the first (a resize and a log reopen, or kubectl's size+1 then size).
 */
export const CTL_GAP_MS = 25;

/** The last message to each ctl FIFO, so the next one waits for it and the gap. */
const lastControl = new Map<string, Promise<void>>();

/**
 * Sends conmon a control message, one at a time per container with CTL_GAP_MS between them.
 * Non-blocking: with no reader (conmon exited) the open fails at once (ENXIO) instead of hanging.
 */
export function writeConmonControl(containerDir: string, type: number, height = 0, width = 0): Promise<void> {
  const ctl = join(containerDir, 'ctl');
  const previous = lastControl.get(ctl);
  const write = (async () => {
    if (previous) await previous.catch(() => {}).then(() => new Promise((r) => setTimeout(r, CTL_GAP_MS)));
    const fh = await open(ctl, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      await fh.write(`${type} ${height} ${width}\n`);
    } finally {
      await fh.close();
    }
  })();
  const settled = write.catch(() => {});
  lastControl.set(ctl, settled);
  void settled.then(() => new Promise((r) => setTimeout(r, CTL_GAP_MS))).then(() => { if (lastControl.get(ctl) === settled) lastControl.delete(ctl); });
  return write;
}

export function conmonArgs(l: ConmonLaunch): string[] {
  // The attach socket lives at <socketDir>/<cuuid>/attach: keep the cuuid short.
  const cuuid = createHash('sha256').update(l.id).digest('hex').slice(0, 16);
  return [
    '--api-version', '1',
    '-c', l.id, '-u', cuuid, '-n', l.id,
    '-r', l.runc, '--runtime-arg', `--root=${l.runcRoot}`,
    '-b', l.bundle,
    '-p', pidFile(l.dir), '-P', conmonPidFile(l.dir),
    '--persist-dir', l.dir, '--exit-dir', l.exitDir,
    '-l', `k8s-file:${l.logPath}`,
    '--socket-dir-path', l.socketDir,
    ...(l.terminal ? ['-t'] : []),
    ...(l.stdin ? ['-i'] : []),
    // Without stdinOnce the container's stdin outlives an attach session (as the kubelet keeps it).
    ...(l.stdin && !l.stdinOnce ? ['--leave-stdin-open'] : []),
  ];
}

/**
 * The container pid from conmon's sync-pipe message `{"data": <pid>}`. On failure it is
 * `{"data": -1, "message": "<runc's logrus line>"}`, which conmon 2.1.6 does not always escape
 * into valid JSON: fall back to regexes then.
 */
export function parseSyncMessage(text: string): number {
  let data: number | undefined;
  let message: string | undefined;
  try {
    ({ data, message } = JSON.parse(text) as { data?: number; message?: string });
  } catch {
    const d = /"data"\s*:\s*(-?\d+)/.exec(text);
    data = d ? Number(d[1]) : undefined;
    message = /"message"\s*:\s*"([\s\S]*)"\s*}?\s*$/.exec(text.trim())?.[1];
  }
  if (typeof data === 'number' && data > 0) return data;
  if (!message) throw new Error(`unexpected message from conmon: ${JSON.stringify(text)}`);
  // runc reports through logrus: keep just the msg="…" part when there is one.
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  throw new Error((msg ? msg.replace(/\\(.)/g, '$1') : message).trim());
}

/** Reads up to the first newline (or the end) of the sync pipe. */
function readLine(stream: Readable, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error): void => {
      clearTimeout(timer);
      stream.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error');
      stream.destroy();
      if (err) reject(err);
      else resolve(text);
    };
    const timer = setTimeout(() => done(new Error(`no answer from conmon within ${timeoutMs} ms`)), timeoutMs);
    stream.on('data', (b: Buffer) => {
      text += b.toString();
      if (text.includes('\n')) done();
    });
    stream.on('end', () => done());
    stream.on('error', done);
  });
}

/**
 * Starts conmon detached (own session, cwd = the state dir so its `oom` marker lands there), waits
 * until it reports that `runc create` succeeded and returns the container's pid. The container is
 * then in state `created`; `runc start` runs it.
 */
export async function createWithConmon(l: ConmonLaunch): Promise<number> {
  await mkdir(dirname(l.logPath), { recursive: true });
  const stderr = await open(stderrFile(l.dir), 'w');
  try {
    const child = spawn(l.conmon, conmonArgs(l), {
      detached: true, cwd: l.dir,
      stdio: ['ignore', 'ignore', stderr.fd, 'pipe'],
      env: { ...process.env, _OCI_SYNCPIPE: '3' },
    });
    child.on('error', () => {}); // reported through the sync pipe closing without a message
    const message = await readLine(child.stdio[3] as Readable, SYNC_TIMEOUT_MS);
    child.unref();
    try {
      return parseSyncMessage(message);
    } catch (e) {
      const log = (await readFile(stderrFile(l.dir), 'utf8').catch(() => '')).trim();
      throw new Error(`creating container ${l.id} failed: ${(e as Error).message}${log ? ` (conmon: ${log})` : ''}`);
    }
  } finally {
    await stderr.close();
  }
}
