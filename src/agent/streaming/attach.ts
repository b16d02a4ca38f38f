// The backend of `kubectl attach` (and `kubectl run -i`): conmon's attach socket in the container's
// bundle dir. It is a SOCK_SEQPACKET unix socket, which Node cannot open, so a few lines of Perl
// (attachrelay.pl; perl-base is Essential on Debian) relay it: each packet conmon sends — one
// byte naming the pipe (2 stdout, 3 stderr) and up to 8192 bytes of output — comes out as a
// 4-byte length and the packet; stdin goes in as packets, and its end as a shutdown of the write side, on which conmon
// closes the container's stdin (unless it was started with --leave-stdin-open). Terminal resizes
// are conmon control messages. Only output written after the attach is seen, as upstream.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecIO, ExecResult, TerminalSize } from './exec.js';
import { CONMON_CTL, CTL_GAP_MS, writeConmonControl } from '../runtime/conmon.js';

/** The relay (attachrelay.pl, copied beside this file by the build), run as `perl RELAY <socket>`. */
export const RELAY = fileURLToPath(new URL('./attachrelay.pl', import.meta.url));

const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;

/** Splits the relay's output into conmon packets: [pipe, data]. */
export class PacketReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): [number, Buffer][] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: [number, Buffer][] = [];
    while (this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (this.buf.length < 4 + len) break;
      if (len > 0) out.push([this.buf[4], this.buf.subarray(5, 4 + len)]);
      this.buf = this.buf.subarray(4 + len);
    }
    return out;
  }
}

/**
 * Resizes one at a time, the latest size winning over those still queued, with a pause after each
 * write: kubectl sends the size plus one, then the size, back to back, and conmon must read them
 * apart (see CTL_GAP_MS); sizes that pile up behind a slow write are skipped.
 */
export function pacedResizer(write: (size: TerminalSize) => Promise<void>, paceMs = CTL_GAP_MS): (size: TerminalSize) => void {
  let pending: TerminalSize | undefined;
  let busy = false;
  const drain = async (): Promise<void> => {
    busy = true;
    while (pending) {
      const size = pending;
      pending = undefined;
      await write(size).catch(() => {});
      await new Promise((r) => setTimeout(r, paceMs));
    }
    busy = false;
  };
  return (size) => {
    pending = size;
    if (!busy) void drain();
  };
}

/** Attaches the client's streams to a running container until it exits or the client goes. */
export function attachToContainer(containerDir: string, io: ExecIO): Promise<ExecResult> {
  const relay = spawn('perl', [RELAY, join(containerDir, 'attach')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const onResize = pacedResizer((size) => writeConmonControl(containerDir, CONMON_CTL.resize, size.height, size.width));
  if (io.tty) {
    if (io.initialSize) onResize(io.initialSize);
    io.resize.on('resize', onResize);
  }
  const kill = (): void => { relay.kill('SIGKILL'); };
  io.signal.addEventListener('abort', kill);
  relay.stdin.on('error', () => {});
  if (io.stdin) io.stdin.pipe(relay.stdin);
  else relay.stdin.end();
  const packets = new PacketReader();
  relay.stdout.on('data', (chunk: Buffer) => {
    for (const [pipe, data] of packets.push(chunk)) {
      const to = pipe === STDERR_PIPE && !io.tty ? io.stderr : pipe === STDOUT_PIPE || pipe === STDERR_PIPE ? io.stdout : undefined;
      to?.write(data);
    }
  });
  let stderr = '';
  relay.stderr.setEncoding('utf8').on('data', (t: string) => { if (stderr.length < 4096) stderr += t; });
  return new Promise((resolve) => {
    relay.on('error', (e) => resolve({ error: `attach: ${e.message}` }));
    relay.on('close', (code, signal) => {
      io.signal.removeEventListener('abort', kill);
      io.resize.off('resize', onResize);
      io.stdin?.unpipe(relay.stdin);
      if (code !== 0 && !signal) resolve({ error: stderr.trim() || `attach relay exited with ${code}` });
      else resolve({ exitCode: 0 });
    });
  });
}
