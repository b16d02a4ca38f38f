// exec and attach, server side, as the kubelet's streaming server (and, for v5, the API server's
// stream translator) answers them:
//   SPDY/3.1 with X-Stream-Protocol-Version v4.channel.k8s.io, v3, v2 or channel.k8s.io: the
//   client opens one stream per standard stream, each with a `streamtype` header (error, stdin,
//   stdout, stderr, resize).
//   WebSocket with v5.channel.k8s.io, v4.channel.k8s.io, channel.k8s.io (and the base64 variants):
//   channels 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize.
// The outcome goes on the error stream: v4 and v5 a Status JSON carrying the exit code, v1-v3 the
// error text (nothing on success). Then the connection is closed.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { PassThrough, finished, type Duplex, type Readable, type Writable } from 'node:stream';
import type WebSocket from 'ws';
import { ChannelConnection, ChannelProtocol, codecFor } from './channel.js';
import type { RemoteCommandOptions } from './query.js';
import { SpdySession, socketTransport, type SpdyStream } from './spdy/session.js';
import { acceptSpdy, acceptWebSocket, isSpdyRequest, isWebSocketRequest, negotiate, rejectUpgrade, spdyHandshake, webSocketProtocols } from './upgrade.js';

export type { RemoteCommandOptions } from './query.js';

export interface TerminalSize {
  width: number;
  height: number;
}

export interface RemoteCommandStreams {
  /** Present when opts.stdin; ends when the client closes stdin (or goes away). */
  stdin?: Readable;
  /** Present when opts.stdout. */
  stdout?: Writable;
  /** Present when opts.stderr and !tty. */
  stderr?: Writable;
  tty: boolean;
  /**
   * Emits 'resize' (size: TerminalSize) from the resize channel. Sizes that arrive before the
   * first listener is added are kept and delivered to it (kubectl sends the first size at once).
   */
  resize: EventEmitter;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export type RemoteCommandResult = { exitCode: number } | { error: string };

export interface ServeRemoteCommandOptions extends RemoteCommandOptions {
  /** The command, for the exit-code message ("error executing command [sh -c ...], exit code 3"). */
  command?: string[];
  /** SPDY: how long the client has to open its streams (the kubelet's default: 30 s). */
  streamCreationTimeoutMs?: number;
  /** After the status: how long to wait for the client to close the connection (upstream: 15 min). */
  finishTimeoutMs?: number;
}

/** The Status written on the error stream, keys in the order Go's encoding/json gives them. */
export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: Array<{ reason?: string; message: string }> };
  code?: number;
}

export const SPDY_REMOTE_COMMAND_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;
export const WEBSOCKET_REMOTE_COMMAND_PROTOCOLS = [
  ChannelProtocol.V5, ChannelProtocol.V4, ChannelProtocol.V4_BASE64, ChannelProtocol.V1, ChannelProtocol.V1_BASE64,
] as const;

/**
 * The Status for a result, as the kubelet builds it: success; NonZeroExitCode with an ExitCode
 * cause; or an InternalError.
 */
export function execStatus(result: RemoteCommandResult, command?: readonly string[]): ExecStatus {
  if ('error' in result) {
    return {
      metadata: {}, status: 'Failure', message: `Internal error occurred: ${result.error}`, reason: 'InternalError',
      details: { causes: [{ message: result.error }] }, code: 500,
    };
  }
  if (result.exitCode === 0) return { metadata: {}, status: 'Success' };
  const what = command?.length ? `error executing command [${command.join(' ')}], exit code ${result.exitCode}` : `exit code ${result.exitCode}`;
  return {
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${what}`, reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
  };
}

/** Splits a text stream of concatenated JSON objects (json.Encoder output) into parsed values. */
export class JsonObjectSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;

  push(text: string): unknown[] {
    const out: unknown[] = [];
    let start = 0;
    const base = this.buf.length;
    this.buf += text;
    for (let i = base; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{') this.depth++;
      else if (c === '}' && this.depth > 0 && --this.depth === 0) {
        const s = this.buf.slice(start, i + 1).trim();
        start = i + 1;
        try {
          out.push(JSON.parse(s.slice(s.indexOf('{'))));
        } catch {
          /* not JSON: skipped, as a decoder error ends upstream's loop */
        }
      } else if (this.depth === 0 && !/\s/.test(c) && c !== '{') {
        start = i + 1; // garbage between objects
      }
    }
    this.buf = this.buf.slice(start);
    if (this.buf.length > 65536) this.buf = ''; // no object is that large
    return out;
  }
}

/** The resize emitter handed to `run`: queues sizes until someone listens. */
export class ResizeEmitter extends EventEmitter {
  private queue: TerminalSize[] = [];

  constructor() {
    super();
    this.on('newListener', (event: string) => {
      if (event === 'resize' && this.queue.length) queueMicrotask(() => this.flush());
    });
  }

  /** @internal */
  deliver(size: TerminalSize): void {
    if (this.listenerCount('resize') > 0) this.emit('resize', size);
    else if (this.queue.push(size) > 16) this.queue.shift();
  }

  private flush(): void {
    while (this.queue.length && this.listenerCount('resize') > 0) this.emit('resize', this.queue.shift());
  }
}

function feedResize(source: Readable, to: ResizeEmitter): void {
  const splitter = new JsonObjectSplitter();
  source.setEncoding('utf8');
  source.on('data', (text: string) => {
    for (const v of splitter.push(text)) {
      const o = v as { Width?: unknown; Height?: unknown };
      if (o && typeof o.Width === 'number' && typeof o.Height === 'number') to.deliver({ width: o.Width, height: o.Height });
    }
  });
  source.on('error', () => {});
}

function endWritable(w: Writable | undefined): Promise<void> {
  if (!w || w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    finished(w, { readable: false }, () => resolve());
    if (!w.writableEnded) w.end();
  });
}

/** What a transport gives the common part. */
interface Endpoint {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  resize: ResizeEmitter;
  writeStatus(status: ExecStatus): Promise<void>;
  /** Graceful close after everything was sent. */
  close(): Promise<void>;
  /** Stop delivering client input (the command is over). */
  discardInput(): void;
  /** The client went away. */
  onGone(cb: () => void): void;
}

async function runCommand(ep: Endpoint, o: ServeRemoteCommandOptions, run: (s: RemoteCommandStreams) => Promise<RemoteCommandResult>): Promise<void> {
  const ac = new AbortController();
  let done = false;
  ep.onGone(() => {
    if (!done) ac.abort(new Error('the client closed the connection'));
  });
  // Output streams must never throw at the command's side: a client that resets or goes away
  // turns them into sinks.
  ep.stdout?.on('error', () => {});
  ep.stderr?.on('error', () => {});
  let result: RemoteCommandResult;
  try {
    result = await run({ stdin: ep.stdin, stdout: ep.stdout, stderr: ep.stderr, tty: o.tty, resize: ep.resize, signal: ac.signal });
  } catch (e) {
    result = { error: e instanceof Error ? e.message : String(e) };
  }
  done = true;
  if (ac.signal.aborted) {
    await ep.close();
    return;
  }
  ep.discardInput();
  // stdout and stderr are complete (FIN) before the status goes out.
  await Promise.all([endWritable(ep.stdout), endWritable(ep.stderr)]);
  await ep.writeStatus(execStatus(result, o.command));
  await ep.close();
}

/**
 * Completes the upgrade (SPDY/3.1 or WebSocket, whichever the client offers and we support),
 * runs `run`, reports the result on the error/status channel as upstream does, closes. Rejects
 * the upgrade with a proper HTTP error + Status JSON when no protocol matches.
 */
export function serveRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  opts: ServeRemoteCommandOptions,
  run: (s: RemoteCommandStreams) => Promise<RemoteCommandResult>,
): void {
  const o: ServeRemoteCommandOptions = { ...opts, stderr: opts.stderr && !opts.tty };
  if (!o.stdin && !o.stdout && !o.stderr) {
    rejectUpgrade(socket, 400, 'you must specify at least 1 of stdin, stdout, stderr');
    return;
  }
  if (isWebSocketRequest(req)) {
    const offered = webSocketProtocols(req);
    const protocol = offered.length ? negotiate(offered, WEBSOCKET_REMOTE_COMMAND_PROTOCOLS) : undefined;
    if (offered.length && !protocol) {
      rejectUpgrade(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${WEBSOCKET_REMOTE_COMMAND_PROTOCOLS.join(' ')}]`);
      return;
    }
    acceptWebSocket(req, socket, head, protocol, (ws) => serveWebSocket(ws, socket, protocol, o, run));
    return;
  }
  if (isSpdyRequest(req)) {
    const protocol = spdyHandshake(req, socket, SPDY_REMOTE_COMMAND_PROTOCOLS);
    if (!protocol) return;
    acceptSpdy(socket, protocol);
    serveSpdy(socket, head, protocol, o, run);
    return;
  }
  rejectUpgrade(socket, 400, 'unable to upgrade: missing upgrade headers in request');
}

const STREAM_TYPES = new Set(['error', 'stdin', 'stdout', 'stderr', 'resize']);

function serveSpdy(socket: Duplex, head: Buffer, protocol: string, o: ServeRemoteCommandOptions, run: (s: RemoteCommandStreams) => Promise<RemoteCommandResult>): void {
  const version = protocol === 'v4.channel.k8s.io' ? 4 : protocol === 'v3.channel.k8s.io' ? 3 : protocol === 'v2.channel.k8s.io' ? 2 : 1;
  const session = new SpdySession(socketTransport(socket, head), { role: 'server' });
  const got = new Map<string, SpdyStream>();
  // As the kubelet counts them: error, one per requested standard stream, resize for a TTY (v3+).
  const expected = 1 + Number(o.stdin) + Number(o.stdout) + Number(o.stderr) + (o.tty && version >= 3 ? 1 : 0);
  let started = false;
  const timer = setTimeout(() => {
    if (!started) session.destroy(new Error('timed out waiting for client to create streams'));
  }, o.streamCreationTimeoutMs ?? 30_000);
  timer.unref?.();
  session.on('close', () => clearTimeout(timer));
  session.on('stream', (s: SpdyStream) => {
    s.on('error', () => {});
    const type = s.header('streamtype') ?? '';
    if (started || !STREAM_TYPES.has(type) || got.has(type)) {
      s.resume();
      return;
    }
    got.set(type, s);
    if (type !== 'stdin' && type !== 'resize') s.resume(); // nothing is read from these
    if (got.size === expected) {
      started = true;
      clearTimeout(timer);
      start();
    }
  });

  const start = (): void => {
    const resize = new ResizeEmitter();
    const resizeStream = got.get('resize');
    if (resizeStream) feedResize(resizeStream, resize);
    const stdinStream = o.stdin ? got.get('stdin') : undefined;
    let stdin: PassThrough | undefined;
    if (stdinStream) {
      // The command's side gets its own stream: giving it up (destroying it) must not reset the
      // client's stdin; what the client still sends is then dropped.
      stdin = new PassThrough({ highWaterMark: 64 * 1024 });
      const pt = stdin;
      stdinStream.pipe(pt);
      stdinStream.on('close', () => {
        if (!pt.writableEnded) pt.end();
      });
      pt.on('close', () => {
        stdinStream.unpipe(pt);
        stdinStream.resume();
      });
    }
    const ep: Endpoint = {
      stdin,
      stdout: o.stdout ? got.get('stdout') : undefined,
      stderr: o.stderr ? got.get('stderr') : undefined,
      resize,
      writeStatus: async (status) => {
        const e = got.get('error');
        if (!e) return;
        const text = version >= 4 ? JSON.stringify(status) : status.status === 'Success' ? '' : (status.message ?? '');
        if (text) e.write(text);
        await endWritable(e);
      },
      close: () => session.finish(o.finishTimeoutMs),
      discardInput: () => {
        for (const s of [stdinStream, resizeStream]) {
          if (!s) continue;
          s.unpipe();
          s.resume();
        }
      },
      onGone: (cb) => session.once('close', cb),
    };
    void runCommand(ep, o, run);
  };
}

function serveWebSocket(ws: WebSocket, socket: Duplex, protocol: string | undefined, o: ServeRemoteCommandOptions, run: (s: RemoteCommandStreams) => Promise<RemoteCommandResult>): void {
  const statusJson = protocol === ChannelProtocol.V5 || protocol === ChannelProtocol.V4 || protocol === ChannelProtocol.V4_BASE64;
  const conn = new ChannelConnection(ws, socket, codecFor(protocol));
  // As the kubelet: an empty message on the lowest writable channel tells the client we are ready.
  conn.send(o.stdout ? 1 : o.stderr ? 2 : 3, Buffer.alloc(0));
  const resize = new ResizeEmitter();
  feedResize(conn.readable(4), resize);
  const ep: Endpoint = {
    stdin: o.stdin ? conn.readable(0) : undefined,
    stdout: o.stdout ? conn.writable(1) : undefined,
    stderr: o.stderr ? conn.writable(2) : undefined,
    resize,
    writeStatus: async (status) => {
      const text = statusJson ? JSON.stringify(status) : status.status === 'Success' ? '' : (status.message ?? '');
      if (text && !conn.send(3, Buffer.from(text))) await new Promise<void>((r) => conn.onceDrain(r));
    },
    close: () => conn.close(o.finishTimeoutMs),
    discardInput: () => conn.discardInput(),
    onGone: (cb) => conn.once('close', cb),
  };
  void runCommand(ep, o, run);
}
