// The backend of `kubectl logs`: reads a container's CRI-format log files, as conmon writes them
// (`<RFC3339Nano time> <stdout|stderr> <P|F>[:tags] <text>`, P = the line goes on in the next
// record of that stream), and writes what kubectl shows: the text, partial records joined per
// stream, optionally prefixed with the time of the line. With follow it keeps reading as the file
// grows (inotify on the log dir, so a new line reaches the client within a millisecond or two) and
// across rotations, until the container has exited and everything is read.
// Also the size-based rotation of those files (conmon reopens its log when asked on its `ctl` FIFO).
import { watch, type FSWatcher } from 'node:fs';
import { open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { CONMON_CTL, writeConmonControl } from '../runtime/conmon.js';

export interface LogOptions {
  follow?: boolean;
  /** The last N lines (a line = a full line, however many partial records it was written in). Negative: all. */
  tailLines?: number;
  sinceTime?: Date;
  sinceSeconds?: number;
  timestamps?: boolean;
  /** Stop after this many bytes of output (the last line cut), as the kubelet does. */
  limitBytes?: number;
}

export type LogStream = 'stdout' | 'stderr';

export interface CriRecord {
  /** The time as written, e.g. 2026-11-22T14:58:04.662396423+00:00. */
  time: string;
  stream: LogStream;
  /** P: the line continues in the next record of the same stream. */
  partial: boolean;
  content: Buffer;
}

const NL = 0x0a;
const SP = 0x20;
const EMPTY = Buffer.alloc(0);
const READ_CHUNK = 256 * 1024;
/** Output is written in batches of about this size (and at every pause of a follow). */
const WRITE_BATCH = 64 * 1024;
/** A line longer than this (joined from partial records) is written out in pieces rather than kept in memory. */
const MAX_PENDING_LINE = 1024 * 1024;
/** A "record" without a newline longer than this is not conmon's: give up on it rather than buffer it. */
const MAX_RECORD = 8 * 1024 * 1024;
/** Tail: how far past the cut the first records of the last lines are looked for (lines with heads further back lose them). */
const TAIL_LOOKBACK = 1024 * 1024;
/** Follow: how often the file is looked at even without an inotify event (e.g. on filesystems without inotify). */
const FOLLOW_POLL_MS = 1000;

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Parses one line of a CRI log (without its newline); undefined if it is not one. */
export function parseCriLine(line: Buffer): CriRecord | undefined {
  const s1 = line.indexOf(SP);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(SP, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const s3 = line.indexOf(SP, s2 + 1);
  const tags = line.toString('latin1', s2 + 1, s3 < 0 ? line.length : s3);
  if (!tags) return undefined;
  const time = line.toString('latin1', 0, s1);
  if (!TIME.test(time)) return undefined;
  return { time, stream, partial: tags.split(':')[0] === 'P', content: s3 < 0 ? EMPTY : line.subarray(s3 + 1) };
}

/**
 * A CRI time as the kubelet prints it with --timestamps (Go's RFC3339Nano): trailing zeros of the
 * fraction dropped, and `Z` for a zero offset; other offsets are kept.
 */
export function formatLogTime(time: string): string {
  const m = TIME.exec(time);
  if (!m) return time;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  const zone = m[3] === '+00:00' || m[3] === '-00:00' ? 'Z' : m[3];
  return `${m[1]}${frac ? `.${frac}` : ''}${zone}`;
}

/** Milliseconds since the epoch (with the sub-millisecond part as a fraction); NaN if unparsable. */
export function logTimeMs(time: string): number {
  const m = TIME.exec(time);
  if (!m) return NaN;
  return Date.parse(`${m[1]}${m[3]}`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

const ROTATED_SUFFIX = /^\d{8}-\d{6}(?:\.\d{1,9})?$/;

/** The rotated files of a log (`<file>.<YYYYMMDD-HHMMSS.mmm>`), oldest first. */
export async function rotatedLogFiles(logPath: string): Promise<string[]> {
  const base = basename(logPath);
  let names: string[];
  try {
    names = await readdir(dirname(logPath));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${base}.`) && ROTATED_SUFFIX.test(n.slice(base.length + 1)))
    .sort()
    .map((n) => join(dirname(logPath), n));
}

/** The name a rotation gives the current file: its time, UTC, sortable. */
export function rotatedName(logPath: string, at: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}-${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}.${p(at.getUTCMilliseconds(), 3)}`;
  return `${logPath}.${stamp}`;
}

interface StreamState {
  parts: Buffer[];
  size: number;
  /** Time of the line's first record. */
  time: string;
  /** Part of the line is already written (so no timestamp before the rest). */
  midLine: boolean;
  /** The line is left out: older than since, or before the tail. */
  skip: boolean;
  /** Position (see ordOf) of the line's last record so far. */
  lastOrd: number;
}

/** A record's position across the files of a log: file number, then offset. */
const ordOf = (file: number, offset: number): number => file * 2 ** 40 + offset;

/** Turns records into output: joins partial records per stream, filters by time, prefixes times, counts bytes. */
class LogWriter {
  private readonly streams: Record<LogStream, StreamState> = {
    stdout: { parts: [], size: 0, time: '', midLine: false, skip: false, lastOrd: -1 },
    stderr: { parts: [], size: 0, time: '', midLine: false, skip: false, lastOrd: -1 },
  };
  /** Tail: lines whose last record is at or before this position are left out. */
  cutOrd = -1;
  private batch: Buffer[] = [];
  private batchSize = 0;
  private remaining: number;
  /** No more output wanted: the byte limit is reached or the client is gone. */
  done = false;

  constructor(private readonly out: Writable, private readonly timestamps: boolean, private readonly sinceMs: number | undefined, limitBytes: number | undefined) {
    this.remaining = limitBytes !== undefined && limitBytes >= 0 ? limitBytes : Infinity;
    if (this.remaining === 0) this.done = true;
  }

  get pendingBytes(): number {
    return this.batchSize;
  }

  record(r: CriRecord, ord: number): void {
    if (this.done) return;
    const st = this.streams[r.stream];
    if (!st.midLine && st.parts.length === 0) {
      st.time = r.time;
      st.skip = this.sinceMs !== undefined && !(logTimeMs(r.time) >= this.sinceMs);
    }
    st.lastOrd = ord;
    if (!r.partial) {
      this.emit(st, r.content, true);
      return;
    }
    if (r.content.length) {
      st.parts.push(r.content);
      st.size += r.content.length;
    }
    // A line that may still turn out to be before the tail's cut is kept whole until it is known.
    if (st.size > MAX_PENDING_LINE && st.lastOrd > this.cutOrd) this.emit(st, EMPTY, false);
  }

  /** Writes out lines still waiting for their end (at the end of the log, or when a follow has caught up). */
  flushPartials(): void {
    for (const st of Object.values(this.streams)) if (st.parts.length) this.emit(st, EMPTY, false);
  }

  private emit(st: StreamState, last: Buffer, complete: boolean): void {
    if (st.lastOrd <= this.cutOrd) st.skip = true; // ends before the tail: the whole line goes
    if (!st.skip) {
      if (!st.midLine && this.timestamps) this.push(Buffer.from(`${formatLogTime(st.time)} `));
      for (const p of st.parts) this.push(p);
      this.push(last);
      if (complete) this.push(Buffer.from('\n'));
    }
    st.parts = [];
    st.size = 0;
    st.midLine = !complete;
  }

  private push(b: Buffer): void {
    if (this.done || !b.length) return;
    if (b.length >= this.remaining) {
      b = b.subarray(0, this.remaining);
      this.done = true;
    }
    this.remaining -= b.length;
    this.batch.push(b);
    this.batchSize += b.length;
  }

  /** Writes the batch, waiting for the client to take it; false once no more output is wanted. */
  async flush(): Promise<boolean> {
    if (this.batchSize) {
      const data = this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch, this.batchSize);
      this.batch = [];
      this.batchSize = 0;
      if (this.out.destroyed || this.out.writableEnded) {
        this.done = true;
        return false;
      }
      if (!this.out.write(data)) await drained(this.out);
    }
    if (this.out.destroyed || this.out.writableEnded) this.done = true;
    return !this.done;
  }
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done).off('close', done).off('error', done).off('finish', done);
      resolve();
    };
    out.on('drain', done).on('close', done).on('error', done).on('finish', done);
  });
}

/** An open log file and how far it has been read. */
class LogFile {
  private carry: Buffer = EMPTY;

  private carryPos = 0;

  /**
   * Where reading stops, when set: a read without follow ends at the size the file had when the
   * request came (conmon writes whole records), so `--tail=1` is one line however long it takes.
   */
  limit?: number;

  private constructor(readonly fh: FileHandle, readonly ino: number, readonly dev: number, readonly index: number, public pos: number) {}

  /** `index` orders the files of one log (older files lower). */
  static async open(path: string, index: number): Promise<LogFile | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const st = await fh.stat();
    return new LogFile(fh, st.ino, st.dev, index, 0);
  }

  /**
   * Reads from pos to the end, handing every complete line to the writer. The last line may be
   * incomplete (conmon is writing it): kept for the next call, unless `final` (the file will not
   * grow: a missing trailing newline).
   */
  async readAvailable(writer: LogWriter, final: boolean): Promise<void> {
    while (!writer.done) {
      // A fresh buffer each time: records point into it until they are written.
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, (this.limit ?? Infinity) - this.pos));
      const chunkPos = this.pos;
      if (!buf.length) break;
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, chunkPos);
      if (bytesRead === 0) break;
      this.pos += bytesRead;
      const chunk = buf.subarray(0, bytesRead);
      let start = 0;
      if (this.carry.length) {
        const nl = chunk.indexOf(NL);
        if (nl < 0) {
          this.carry = Buffer.concat([this.carry, chunk]);
          if (this.carry.length > MAX_RECORD) this.takeCarry(writer);
          continue;
        }
        const line = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
        this.carry = EMPTY;
        handleLine(line, writer, ordOf(this.index, this.carryPos));
        start = nl + 1;
      }
      for (let nl = chunk.indexOf(NL, start); nl >= 0; nl = chunk.indexOf(NL, start)) {
        handleLine(chunk.subarray(start, nl), writer, ordOf(this.index, chunkPos + start));
        start = nl + 1;
      }
      if (start < chunk.length) {
        this.carry = Buffer.from(chunk.subarray(start));
        this.carryPos = chunkPos + start;
      }
      if (writer.pendingBytes >= WRITE_BATCH && !(await writer.flush())) return;
    }
    if (final) this.takeCarry(writer);
  }

  private takeCarry(writer: LogWriter): void {
    if (this.carry.length) handleLine(this.carry, writer, ordOf(this.index, this.carryPos));
    this.carry = EMPTY;
  }

  /** The file was truncated in place: start over. */
  rewind(): void {
    this.pos = 0;
    this.carry = EMPTY;
  }

  close(): Promise<void> {
    return this.fh.close().catch(() => {});
  }
}

function handleLine(line: Buffer, writer: LogWriter, ord: number): void {
  if (!line.length) return;
  const r = parseCriLine(line);
  if (r) writer.record(r, ord); // not a CRI line: skipped, as the kubelet does
}

/**
 * Where reading starts for the last `n` lines: file number and offset, and the position of the
 * last record of the newest line left out (`cutOrd`: lines ending there or before are dropped).
 * Lines are ordered by their last record; a line ends at a full record, and a stream's trailing
 * partial records (a line still being written) count as a line. Reads backwards until the first
 * record of each of the last n lines is passed: a line written in parts, with lines of the other
 * stream in between, is kept whole.
 */
async function tailStart(files: LogFile[], n: number): Promise<{ file: number; pos: number; cutOrd: number }> {
  if (n <= 0) {
    const last = files.length - 1;
    const size = Math.min((await files[last].fh.stat()).size, files[last].limit ?? Infinity);
    return { file: last, pos: size, cutOrd: ordOf(files[last].index, size) - 1 }; // records from `size` on are new
  }
  let count = 0;
  let cutOrd = -1;
  let lookback = TAIL_LOOKBACK;
  const seen = new Set<LogStream>();
  const inLast: Record<LogStream, boolean> = { stdout: false, stderr: false };
  /** True when reading can start after this record. */
  const step = (rec: Buffer, ord: number): boolean => {
    const r = parseCriLine(rec);
    if (!r) return false;
    if (count > n && (lookback -= rec.length + 1) < 0) return true;
    if (!r.partial || !seen.has(r.stream)) {
      count++;
      inLast[r.stream] = count <= n;
      if (count === n + 1) cutOrd = ord;
    }
    seen.add(r.stream);
    return count > n && !inLast.stdout && !inLast.stderr;
  };
  for (let f = files.length - 1; f >= 0; f--) {
    const file = files[f];
    const size = Math.min((await file.fh.stat()).size, file.limit ?? Infinity);
    let pos = size;
    let tail: Buffer = EMPTY; // the bytes from pos up to the first newline after it
    while (pos > 0) {
      const start = Math.max(0, pos - READ_CHUNK);
      const buf = Buffer.allocUnsafe(pos - start);
      const { bytesRead } = await file.fh.read(buf, 0, buf.length, start);
      const data = Buffer.concat([buf.subarray(0, bytesRead), tail]);
      let end = data.length;
      while (end > 0) {
        const i = data.lastIndexOf(NL, end - 1);
        if (i < 0) break;
        if (i + 1 < end && step(data.subarray(i + 1, end), ordOf(file.index, start + i + 1))) return { file: f, pos: Math.min(size, start + end + 1), cutOrd };
        end = i;
      }
      tail = Buffer.from(data.subarray(0, end));
      pos = start;
    }
    if (tail.length && step(tail, ordOf(file.index, 0))) return { file: f, pos: Math.min(size, tail.length + 1), cutOrd };
  }
  return { file: 0, pos: 0, cutOrd };
}

/** Wakes the follow loop: latched, so an event between a read and the wait is not lost. */
class Wakeup {
  private pending = false;
  private wake?: () => void;

  notify = (): void => {
    this.pending = true;
    this.wake?.();
  };

  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        self.pending = false;
        resolve();
      }
      this.wake = done;
    });
  }
}

/** inotify on the log's directory: modifications of the log, its creation and rotation. */
function watchLogDir(logPath: string, onChange: () => void): () => void {
  const base = basename(logPath);
  let watcher: FSWatcher | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const start = (): void => {
    if (closed) return;
    try {
      watcher = watch(dirname(logPath), { persistent: false }, (_event, name) => {
        if (!name || String(name).startsWith(base)) onChange();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
        retry = setTimeout(start, 100);
      });
      onChange(); // the file may have appeared before the watch
    } catch {
      retry = setTimeout(start, 100); // the dir does not exist yet
    }
  };
  start();
  return () => {
    closed = true;
    clearTimeout(retry);
    watcher?.close();
  };
}

/**
 * Writes the container's log to `out` as kubectl expects: the text only (partial lines joined),
 * with `timestamps` the RFC3339Nano time and a space first; stdout and stderr interleaved in file
 * order (a line is written when it is complete). The rotated files (`<logPath>.<time>`) come
 * first, then the current one. With `follow`, keeps streaming new lines until `ended()` resolves
 * (the container exited) and the file is drained, or `signal` aborts; follows rotations. Does not
 * end `out`. Resolves when done (also when `out` is closed or limitBytes is reached).
 */
export async function streamLogs(logPath: string, opts: LogOptions, out: Writable, ended: Promise<void>, signal: AbortSignal): Promise<void> {
  const since = [
    opts.sinceTime?.getTime(),
    opts.sinceSeconds !== undefined ? Date.now() - opts.sinceSeconds * 1000 : undefined,
  ].filter((t): t is number => t !== undefined && !Number.isNaN(t));
  const writer = new LogWriter(out, !!opts.timestamps, since.length ? Math.max(...since) : undefined, opts.limitBytes);
  if (writer.done || signal.aborted) return;

  const wakeup = new Wakeup();
  let isEnded = false;
  void ended.then(() => {
    isEnded = true;
    wakeup.notify();
  }, () => {
    isEnded = true;
    wakeup.notify();
  });
  signal.addEventListener('abort', wakeup.notify);
  out.once('close', wakeup.notify);
  const stopWatching = opts.follow ? watchLogDir(logPath, wakeup.notify) : undefined;

  const files: LogFile[] = [];
  const opened = new Set<LogFile>();
  const openLog = async (path: string, index: number): Promise<LogFile | undefined> => {
    const f = await LogFile.open(path, index);
    if (f) opened.add(f);
    return f;
  };
  try {
    for (const path of await rotatedLogFiles(logPath)) {
      const f = await openLog(path, files.length);
      if (f) files.push(f);
    }
    let current = await openLog(logPath, files.length);
    if (current && files.some((f) => f.ino === current!.ino && f.dev === current!.dev)) current = undefined; // renamed between the listing and the open
    const all = current ? [...files, current] : files;
    if (current && !opts.follow) current.limit = (await current.fh.stat()).size;
    let first = 0;
    if (opts.tailLines !== undefined && opts.tailLines >= 0 && all.length) {
      const at = await tailStart(all, opts.tailLines);
      first = at.file;
      all[first].pos = at.pos;
      writer.cutOrd = at.cutOrd;
    }
    for (let i = first; i < files.length && !writer.done; i++) await files[i].readAvailable(writer, true);

    if (!opts.follow) {
      if (current && !writer.done) await current.readAvailable(writer, true);
      writer.flushPartials();
      await writer.flush();
      return;
    }

    for (;;) {
      if (signal.aborted || writer.done) break;
      const last = isEnded; // ended before this pass: this pass drains the file and is the last
      if (current) await current.readAvailable(writer, last);
      if (writer.done) break;
      // Rotated (a new file at the path), created, or truncated in place?
      const st = await stat(logPath).catch(() => undefined);
      if (st && (!current || st.ino !== current.ino || st.dev !== current.dev)) {
        if (current) {
          await current.readAvailable(writer, true); // conmon has closed it before the new one appeared
          opened.delete(current);
          await current.close();
        }
        current = await openLog(logPath, (current?.index ?? files.length) + 1);
        continue;
      }
      if (st && current && st.size < current.pos) {
        current.rewind();
        continue;
      }
      if (last) break;
      writer.flushPartials();
      if (!(await writer.flush())) break;
      await wakeup.wait(FOLLOW_POLL_MS);
    }
    if (!signal.aborted) {
      writer.flushPartials();
      await writer.flush();
    }
  } finally {
    stopWatching?.();
    signal.removeEventListener('abort', wakeup.notify);
    out.off('close', wakeup.notify);
    await Promise.all([...opened].map((f) => f.close()));
  }
}

export interface RotateOptions {
  /** Asks the log's writer to reopen its file; default: conmon's control FIFO in containerDir. */
  reopen?: (containerDir: string) => Promise<void>;
  now?: () => Date;
  /** How long to wait for the writer to create the new file. */
  waitMs?: number;
}

/** conmon's control message "reopen the log": type 2 (REOPEN_LOGS_EVENT); conmon 2.x parses "%d %d %d\n" and ignores anything else. */
export const CONMON_REOPEN_LOG = `${CONMON_CTL.reopenLog} 0 0\n`;

/** Asks the container's conmon to reopen its log file (through the `ctl` FIFO in its bundle dir). Rejects with ENXIO if conmon is gone. */
export const reopenConmonLog = (containerDir: string): Promise<void> => writeConmonControl(containerDir, CONMON_CTL.reopenLog);

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

/**
 * Log rotation by size: when the container's current log exceeds maxBytes, renames it to
 * `<file>.<YYYYMMDD-HHMMSS.mmm>` (UTC), asks conmon to reopen its log (it creates a new file at
 * the path), and keeps at most `maxFiles` rotated files (the oldest go). Returns true if it
 * rotated. When conmon is gone (the container exited) nothing is rotated.
 */
export async function rotateLogIfNeeded(containerDir: string, logPath: string, maxBytes: number, maxFiles: number, opts: RotateOptions = {}): Promise<boolean> {
  const st = await stat(logPath).catch(() => undefined);
  if (!st || st.size <= maxBytes) return false;
  const now = opts.now ?? (() => new Date());
  let at = now();
  let target = rotatedName(logPath, at);
  while (await exists(target)) {
    at = new Date(at.getTime() + 1);
    target = rotatedName(logPath, at);
  }
  await rename(logPath, target);
  try {
    await (opts.reopen ?? reopenConmonLog)(containerDir);
  } catch (e) {
    // Nobody to reopen it: put it back (unless a new file appeared meanwhile).
    if (!(await exists(logPath))) await rename(target, logPath).catch(() => {});
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' || code === 'ENOENT') return false;
    throw e;
  }
  const deadline = Date.now() + (opts.waitMs ?? 1000);
  while (!(await exists(logPath)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  const rotated = await rotatedLogFiles(logPath);
  for (const old of rotated.slice(0, Math.max(0, rotated.length - Math.max(0, maxFiles)))) await unlink(old).catch(() => {});
  return true;
}
