// A SPDY/3.1 session over any byte transport (an upgraded socket, or WebSocket messages for the
// kubectl 1.31+ port-forward tunnel), with streams as Node Duplex streams.
//
// Flow control. SPDY/3.1 gives every stream and the session a 64 KiB send window that the
// receiver tops up with WINDOW_UPDATE. moby/spdystream (kubectl, client-go and the kubelet alike)
// implements none of it: it never sends WINDOW_UPDATE and ignores the ones it gets; its only
// back-pressure is TCP's, since it stops reading the connection while a stream's reader is slow.
// So, here:
//   - receiving: we send WINDOW_UPDATE for what the reader consumed (a compliant peer keeps
//     sending; spdystream ignores them), and if a peer overruns a stream's window while its reader
//     is slow, we stop reading the transport until the reader catches up (TCP back-pressure, as
//     spdystream itself does), instead of buffering without bound or resetting the stream.
//   - sending, `flowControl: 'auto'` (default): windows are tracked, and enforced from the first
//     WINDOW_UPDATE or SETTINGS(INITIAL_WINDOW_SIZE) the peer sends, i.e. once the peer shows that
//     it does flow control. A spdystream peer never does, and TCP back-pressure alone paces us.
//     'strict' enforces from the start (a spec peer); 'off' never does.
// Writes are batched per tick into one transport write, and stream writes complete while the
// transport holds less than `highWaterMark` bytes.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import {
  DEFAULT_WINDOW, FLAG_FIN, FLAG_UNIDIRECTIONAL, FrameDecoder, GoAwayStatus, HeaderCompressor, HeaderDecompressor,
  MAX_WINDOW, RstStatus, SettingsId, SpdyProtocolError, decodeHeaderBlock, encodeDataHeader, encodeGoAway,
  encodeHeaderBlock, encodePing, encodeRstStream, encodeSettings, encodeSynReply, encodeSynStream, encodeWindowUpdate,
  type ControlFrame, type HeaderMap,
} from './frames.js';

// ---------------------------------------------------------------- transports

export interface TransportHandlers {
  data(chunk: Buffer): void;
  /** The peer will send nothing more (TCP FIN, WebSocket close). */
  end(): void;
  close(): void;
}

/** The byte pipe under a session. */
export interface SpdyTransport {
  start(h: TransportHandlers): void;
  /** Writes in order; false when the caller should wait for onceDrain before completing writes. */
  write(chunks: Buffer[]): boolean;
  onceDrain(cb: () => void): void;
  pause(): void;
  resume(): void;
  /** Graceful close of our sending side, after everything written. */
  end(): void;
  destroy(): void;
}

/** How much a transport may hold unsent before writers wait. */
const TRANSPORT_HWM = 512 * 1024;

interface SocketLike {
  write(chunk: Buffer): boolean;
  cork?(): void;
  uncork?(): void;
  readonly writableLength: number;
  readonly destroyed: boolean;
  on(event: string, fn: (...a: any[]) => void): unknown;
  once(event: string, fn: (...a: any[]) => void): unknown;
  removeListener(event: string, fn: (...a: any[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  end(): unknown;
  destroy(): unknown;
}

/** Calls `cb` once, on whichever event comes first, and drops the other listener. */
function onceEither(e: SocketLike, a: string, b: string, cb: () => void): void {
  const fire = (): void => {
    e.removeListener(a, fire);
    e.removeListener(b, fire);
    cb();
  };
  e.on(a, fire);
  e.on(b, fire);
}

/** An upgraded socket; `head` is what the HTTP parser read past the request head. */
export function socketTransport(socket: SocketLike, head?: Buffer): SpdyTransport {
  return {
    start(h) {
      socket.on('error', () => { /* 'close' follows */ });
      if (head?.length) h.data(head);
      socket.on('data', h.data);
      socket.on('end', h.end);
      socket.on('close', h.close);
    },
    write(chunks) {
      if (socket.destroyed) return true;
      if (chunks.length > 1) socket.cork?.();
      for (const c of chunks) socket.write(c);
      if (chunks.length > 1) socket.uncork?.();
      return socket.writableLength <= TRANSPORT_HWM;
    },
    onceDrain: (cb) => onceEither(socket, 'drain', 'close', cb),
    pause: () => { socket.pause(); },
    resume: () => { socket.resume(); },
    end: () => { socket.end(); },
    destroy: () => { socket.destroy(); },
  };
}

/**
 * SPDY inside binary WebSocket messages (the "SPDY/3.1+portforward.k8s.io" tunnel of kubectl
 * 1.31+): each message is a run of the byte stream, frame boundaries need not align. `raw` is
 * the socket under the WebSocket, for back-pressure.
 */
export function webSocketTransport(ws: WebSocket, raw: SocketLike): SpdyTransport {
  return {
    start(h) {
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        h.data(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
      });
      ws.on('error', () => { /* 'close' follows */ });
      ws.on('close', () => { h.end(); h.close(); });
    },
    write(chunks) {
      if (ws.readyState !== ws.OPEN) return true;
      ws.send(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), { binary: true });
      return raw.writableLength <= TRANSPORT_HWM;
    },
    onceDrain: (cb) => onceEither(raw, 'drain', 'close', cb),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    end: () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
    destroy: () => ws.terminate(),
  };
}

// ---------------------------------------------------------------- streams

const EMPTY = Buffer.alloc(0);

interface PendingWrite { buf: Buffer; off: number; fin: boolean; cb: (err?: Error | null) => void }

export class SpdyStream extends Duplex {
  /** Set when the peer reset the stream (its RST_STREAM status code). */
  resetByPeer: number | undefined;
  /** Client role: the peer's SYN_REPLY arrived. */
  replied = false;

  /** @internal */ localFin = false;
  /** @internal */ remoteFin = false;
  /** @internal */ gone = false;
  /** @internal */ discard = false;
  /** @internal */ sendWindow: number;
  /** @internal */ pushed = 0;
  /** @internal */ acked = 0;
  /** @internal */ pending: PendingWrite[] = [];

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: HeaderMap, sendWindow: number, hwm: number) {
    super({ allowHalfOpen: true, readableHighWaterMark: hwm, writableHighWaterMark: hwm, decodeStrings: true });
    this.sendWindow = sendWindow;
  }

  /** The first value of a header (names are lowercase). */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Sends RST_STREAM and destroys the stream. */
  reset(status: number = RstStatus.CANCEL): void {
    this.session._reset(this, status);
    this.destroy();
  }

  override _read(): void {
    this.session._onRead(this);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.session._send(this, chunk, false, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.session._send(this, EMPTY, true, cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.session._onDestroy(this, err);
    cb(err);
  }
}

// ---------------------------------------------------------------- session

export interface SpdySessionOptions {
  role: 'server' | 'client';
  flowControl?: 'auto' | 'strict' | 'off';
  /** Largest DATA payload we send (default 64 KiB). */
  maxDataFrame?: number;
  /** Our receive window per stream; other than 64 KiB it is announced with SETTINGS. */
  receiveWindow?: number;
  /** Server role: decides on a new stream from its headers; false resets it (CANCEL), as the kubelet does. */
  accept?: (headers: HeaderMap, streamId: number) => boolean;
}

type Queued = { kind: 'data'; id: number; chunk: Buffer; fin: boolean } | { kind: 'control'; frame: ControlFrame };

const INFLATE = Symbol('inflate');

export class SpdySession extends EventEmitter {
  readonly role: 'server' | 'client';
  readonly streams = new Map<number, SpdyStream>();
  closed = false;
  /** Whether send windows are enforced now. */
  enforceWindows: boolean;
  sessionSendWindow = DEFAULT_WINDOW;
  /** Bytes sent and received in DATA payloads. */
  bytesSent = 0;
  bytesReceived = 0;

  private readonly flowControl: 'auto' | 'strict' | 'off';
  private readonly maxDataFrame: number;
  private readonly recvWindow: number;
  private peerInitialWindow = DEFAULT_WINDOW;
  private sessionConsumed = 0;
  private nextStreamId: number;
  private nextPingId: number;
  private lastPeerStreamId = 0;
  private sentGoAway = false;
  receivedGoAway = false;
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly decoder: FrameDecoder;
  private backlog: Queued[] = [];
  private inflating = false;
  private readonly pausedBy = new Set<SpdyStream | typeof INFLATE>();
  private readonly blocked = new Set<SpdyStream>();
  private out: Buffer[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  private waitingDrain = false;
  private drainWaiters: Array<() => void> = [];
  private readonly pings = new Map<number, { start: bigint; resolve: (ms: number) => void; reject: (e: Error) => void }>();
  private finishing = false;
  private broken = false;
  private closeResolvers: Array<() => void> = [];

  constructor(private readonly transport: SpdyTransport, private readonly opts: SpdySessionOptions) {
    super();
    this.role = opts.role;
    this.flowControl = opts.flowControl ?? 'auto';
    this.enforceWindows = this.flowControl === 'strict';
    this.maxDataFrame = opts.maxDataFrame ?? 65536;
    this.recvWindow = opts.receiveWindow ?? DEFAULT_WINDOW;
    this.nextStreamId = opts.role === 'client' ? 1 : 2;
    this.nextPingId = opts.role === 'client' ? 1 : 2;
    this.decoder = new FrameDecoder({
      data: (id, chunk, fin) => this.onFrameData(id, chunk, fin),
      control: (frame) => this.onFrameControl(frame),
    });
    if (this.recvWindow !== DEFAULT_WINDOW) {
      this.enqueue(encodeSettings([{ id: SettingsId.INITIAL_WINDOW_SIZE, flags: 0, value: this.recvWindow }]));
    }
    transport.start({
      data: (chunk) => {
        if (this.closed || this.broken) return;
        try {
          this.decoder.push(chunk);
        } catch (e) {
          this.protocolError(e as Error);
        }
      },
      end: () => this.destroy(),
      close: () => this.destroy(),
    });
  }

  /** Client role: opens a stream. */
  openStream(headers: Record<string, string | number | readonly (string | number)[]>, opts: { fin?: boolean; priority?: number } = {}): SpdyStream {
    if (this.closed) throw new Error('session closed');
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const block = encodeHeaderBlock(headers);
    const s = new SpdyStream(this, id, decodeHeaderBlock(block), this.peerInitialWindow, this.recvWindow);
    this.streams.set(id, s);
    this.enqueue(encodeSynStream(id, 0, opts.priority ?? 0, opts.fin ? FLAG_FIN : 0, this.compressor.compress(block)));
    if (opts.fin) {
      s.localFin = true;
      s.end();
    }
    return s;
  }

  /** Sends a PING and resolves with the round trip in milliseconds. */
  ping(): Promise<number> {
    if (this.closed) return Promise.reject(new Error('session closed'));
    const id = this.nextPingId;
    this.nextPingId = (this.nextPingId + 2) % 0x100000000;
    return new Promise((resolve, reject) => {
      this.pings.set(id, { start: process.hrtime.bigint(), resolve, reject });
      this.enqueue(encodePing(id));
    });
  }

  /** Sends GOAWAY: no new streams from the peer will be accepted. */
  goAway(status: number = GoAwayStatus.OK): void {
    if (this.sentGoAway || this.closed) return;
    this.sentGoAway = true;
    this.enqueue(encodeGoAway(this.lastPeerStreamId, status));
  }

  /**
   * Graceful end: GOAWAY, everything queued is written, our side of the transport is closed,
   * and anything the peer still sends is discarded until it closes too (at most `timeoutMs`).
   * Closing while output still sits in the socket would let the kernel reset the connection
   * when the peer's next frame arrives, losing that output.
   */
  finish(timeoutMs = 15 * 60_000, status: number = GoAwayStatus.OK): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeResolvers.push(resolve));
    if (!this.finishing) {
      this.finishing = true;
      this.goAway(status);
      for (const s of this.streams.values()) s.discard = true;
      this.backlog = [];
      this.pausedBy.clear();
      this.transport.resume();
      this.flush();
      this.transport.end();
      const t = setTimeout(() => this.destroy(), timeoutMs);
      t.unref?.();
      this.once('close', () => clearTimeout(t));
    }
    return done;
  }

  /** Closes the transport at once; streams are destroyed without RST_STREAM. */
  destroy(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.destroy();
    this.decompressor.close();
    for (const s of this.streams.values()) {
      s.gone = true;
      s.destroy();
    }
    this.streams.clear();
    for (const p of this.pings.values()) p.reject(new Error('session closed'));
    this.pings.clear();
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    this.emit('close', err);
    for (const r of this.closeResolvers) r();
    this.closeResolvers = [];
  }

  // ------------------------------------------------------------ output

  private enqueue(...bufs: Buffer[]): void {
    if (this.closed) return;
    for (const b of bufs) {
      this.out.push(b);
      this.outBytes += b.length;
    }
    if (this.outBytes >= 256 * 1024) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.out.length === 0) return;
    const chunks = this.out;
    this.out = [];
    this.outBytes = 0;
    const ok = this.transport.write(chunks);
    if (!ok && !this.waitingDrain) {
      this.waitingDrain = true;
      let fired = false;
      this.transport.onceDrain(() => {
        if (fired) return;
        fired = true;
        this.waitingDrain = false;
        this.releaseWriters();
      });
    } else if (ok && !this.waitingDrain) {
      this.releaseWriters();
    }
  }

  private releaseWriters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** @internal A stream write (or its end, `fin`). */
  _send(s: SpdyStream, buf: Buffer, fin: boolean, cb: (err?: Error | null) => void): void {
    if (this.closed || s.gone) return cb();
    if (s.localFin) return cb(fin ? undefined : new Error('write after the stream was closed'));
    s.pending.push({ buf, off: 0, fin, cb });
    if (s.pending.length === 1) this.pump(s);
  }

  private pump(s: SpdyStream): void {
    while (s.pending.length && !s.gone) {
      const w = s.pending[0];
      let rest = w.buf.length - w.off;
      while (rest > 0) {
        let n = Math.min(rest, this.maxDataFrame);
        if (this.enforceWindows) {
          n = Math.min(n, s.sendWindow, this.sessionSendWindow);
          if (n <= 0) {
            this.blocked.add(s);
            return;
          }
        }
        const last = n === rest;
        this.enqueue(encodeDataHeader(s.id, last && w.fin ? FLAG_FIN : 0, n), w.buf.subarray(w.off, w.off + n));
        w.off += n;
        rest -= n;
        s.sendWindow -= n;
        this.sessionSendWindow -= n;
        this.bytesSent += n;
      }
      if (w.fin) {
        if (w.buf.length === 0) this.enqueue(encodeDataHeader(s.id, FLAG_FIN, 0));
        s.localFin = true;
        this.maybeForget(s);
      }
      s.pending.shift();
      if (this.waitingDrain || this.outBytes > TRANSPORT_HWM) this.drainWaiters.push(() => w.cb());
      else w.cb();
    }
  }

  private unblock(only?: SpdyStream): void {
    for (const s of only ? [only] : [...this.blocked]) {
      if (!this.blocked.delete(s)) continue;
      this.pump(s);
    }
  }

  /** @internal */
  _reset(s: SpdyStream, status: number): void {
    if (this.closed || s.gone) return;
    this.enqueue(encodeRstStream(s.id, status));
    this.forget(s);
  }

  /** @internal */
  _onDestroy(s: SpdyStream, _err: Error | null): void {
    if (!s.gone) {
      if (!this.closed && !this.finishing && !(s.localFin && s.remoteFin)) this.enqueue(encodeRstStream(s.id, RstStatus.CANCEL));
      this.forget(s);
    }
  }

  private forget(s: SpdyStream): void {
    s.gone = true;
    s.pending = [];
    this.streams.delete(s.id);
    this.blocked.delete(s);
    if (this.pausedBy.delete(s)) this.maybeResume();
  }

  private maybeForget(s: SpdyStream): void {
    if (s.localFin && s.remoteFin) {
      this.streams.delete(s.id);
      this.blocked.delete(s);
    }
  }

  // ------------------------------------------------------------ input

  /** @internal The stream's reader wants more: return window, resume the transport. */
  _onRead(s: SpdyStream): void {
    this.ackStream(s);
    if (this.pausedBy.delete(s)) this.maybeResume();
  }

  private maybeResume(): void {
    if (this.pausedBy.size === 0 && !this.closed) this.transport.resume();
  }

  private pauseFor(reason: SpdyStream | typeof INFLATE): void {
    if (this.pausedBy.has(reason)) return;
    this.pausedBy.add(reason);
    if (this.pausedBy.size === 1) this.transport.pause();
  }

  private ackStream(s: SpdyStream): void {
    if (s.gone || s.remoteFin) return;
    const consumed = s.pushed - s.readableLength;
    const delta = consumed - s.acked;
    if (delta >= this.recvWindow / 2) {
      s.acked = consumed;
      this.enqueue(encodeWindowUpdate(s.id, delta));
    }
  }

  private onFrameData(id: number, chunk: Buffer, fin: boolean): void {
    if (this.inflating || this.backlog.length) {
      this.backlog.push({ kind: 'data', id, chunk, fin });
      return;
    }
    this.handleData(id, chunk, fin);
  }

  private onFrameControl(frame: ControlFrame): void {
    if (this.inflating || this.backlog.length) {
      this.backlog.push({ kind: 'control', frame });
      return;
    }
    this.handleControl(frame);
  }

  private drainBacklog(): void {
    while (!this.inflating && this.backlog.length && !this.closed) {
      const q = this.backlog.shift()!;
      if (q.kind === 'data') this.handleData(q.id, q.chunk, q.fin);
      else this.handleControl(q.frame);
    }
  }

  private handleData(id: number, chunk: Buffer, fin: boolean): void {
    const n = chunk.length;
    this.bytesReceived += n;
    // The session window comes back as soon as the data is here: stream windows bound buffering.
    this.sessionConsumed += n;
    if (this.sessionConsumed >= DEFAULT_WINDOW / 2) {
      this.enqueue(encodeWindowUpdate(0, this.sessionConsumed));
      this.sessionConsumed = 0;
    }
    const s = this.streams.get(id);
    if (!s) return; // closed or reset: dropped, as spdystream does
    if (s.remoteFin) {
      this.enqueue(encodeRstStream(id, RstStatus.STREAM_ALREADY_CLOSED));
      return;
    }
    if (n && !s.discard) {
      s.pushed += n;
      const more = s.push(chunk);
      // Only a peer that ignores our window can get a stream this far ahead of its reader.
      if (!more && s.readableLength > this.recvWindow) this.pauseFor(s);
      else this.ackStream(s);
    }
    if (fin) this.remoteEnd(s);
  }

  private remoteEnd(s: SpdyStream): void {
    if (s.remoteFin) return;
    s.remoteFin = true;
    if (this.pausedBy.delete(s)) this.maybeResume();
    s.push(null);
    this.maybeForget(s);
  }

  private handleControl(f: ControlFrame): void {
    switch (f.type) {
      case 'SYN_STREAM':
      case 'SYN_REPLY':
      case 'HEADERS': {
        // Every header block goes through the connection's one zlib stream, in order, even for
        // streams we refuse, or the shared compression state would go out of step.
        this.inflating = true;
        this.pauseFor(INFLATE);
        this.decompressor.decompress(f.headerBlock).then(
          (raw) => {
            if (this.closed) return;
            let headers: HeaderMap;
            try {
              headers = decodeHeaderBlock(raw, f.streamId);
            } catch (e) {
              this.protocolError(e as Error);
              return;
            }
            this.inflating = false;
            if (this.pausedBy.delete(INFLATE)) this.maybeResume();
            if (f.type === 'SYN_STREAM') this.onSynStream(f, headers);
            else if (f.type === 'SYN_REPLY') this.onSynReply(f.streamId, f.flags, headers);
            else this.onHeaders(f.streamId, f.flags, headers);
            this.drainBacklog();
          },
          (e: Error) => this.protocolError(e),
        );
        return;
      }
      case 'RST_STREAM': {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.resetByPeer = f.status;
        this.forget(s);
        s.emit('reset', f.status);
        s.destroy();
        return;
      }
      case 'SETTINGS':
        for (const e of f.entries) {
          if (e.id !== SettingsId.INITIAL_WINDOW_SIZE) continue;
          if (e.value > MAX_WINDOW) return this.protocolError(new SpdyProtocolError(`initial window too large: ${e.value}`));
          const delta = e.value - this.peerInitialWindow;
          this.peerInitialWindow = e.value;
          for (const s of this.streams.values()) s.sendWindow += delta;
          if (this.flowControl === 'auto') this.enforceWindows = true;
          this.unblock();
        }
        return;
      case 'WINDOW_UPDATE':
        if (this.flowControl === 'auto') this.enforceWindows = true;
        if (f.streamId === 0) {
          this.sessionSendWindow += f.delta;
          this.unblock();
        } else {
          const s = this.streams.get(f.streamId);
          if (!s) return;
          s.sendWindow += f.delta;
          this.unblock(s);
        }
        return;
      case 'PING': {
        const peerInitiated = (f.id & 1) === (this.role === 'server' ? 1 : 0);
        if (peerInitiated) {
          this.enqueue(encodePing(f.id));
          this.emit('ping', f.id);
          return;
        }
        const p = this.pings.get(f.id);
        if (p) {
          this.pings.delete(f.id);
          p.resolve(Number(process.hrtime.bigint() - p.start) / 1e6);
        }
        return;
      }
      case 'GOAWAY':
        this.receivedGoAway = true;
        this.emit('goaway', f.lastGoodStreamId, f.status);
        return;
      default:
        return; // NOOP, unknown frame types: ignored
    }
  }

  private onSynStream(f: Extract<ControlFrame, { type: 'SYN_STREAM' }>, headers: HeaderMap): void {
    const id = f.streamId;
    const peerParity = this.role === 'server' ? 1 : 0;
    if ((id & 1) !== peerParity || id <= this.lastPeerStreamId) {
      this.enqueue(encodeRstStream(id, RstStatus.PROTOCOL_ERROR));
      return;
    }
    this.lastPeerStreamId = id;
    if (this.sentGoAway || this.finishing) {
      this.enqueue(encodeRstStream(id, RstStatus.REFUSED_STREAM));
      return;
    }
    if (this.opts.accept && !this.opts.accept(headers, id)) {
      this.enqueue(encodeRstStream(id, RstStatus.CANCEL));
      return;
    }
    const s = new SpdyStream(this, id, headers, this.peerInitialWindow, this.recvWindow);
    this.streams.set(id, s);
    this.enqueue(encodeSynReply(id, 0, this.compressor.compress(encodeHeaderBlock({}))));
    if (f.flags & FLAG_UNIDIRECTIONAL) {
      s.localFin = true;
      s.end();
    }
    if (f.flags & FLAG_FIN) this.remoteEnd(s);
    this.emit('stream', s);
  }

  private onSynReply(id: number, flags: number, headers: HeaderMap): void {
    const s = this.streams.get(id);
    if (!s || s.replied) return;
    s.replied = true;
    s.emit('reply', headers);
    if (flags & FLAG_FIN) this.remoteEnd(s);
  }

  private onHeaders(id: number, flags: number, headers: HeaderMap): void {
    const s = this.streams.get(id);
    if (!s) return;
    s.emit('headers', headers);
    if (flags & FLAG_FIN) this.remoteEnd(s);
  }

  private protocolError(e: Error): void {
    if (this.closed || this.broken) return;
    this.broken = true;
    this.emit('protocolError', e);
    void this.finish(1000, GoAwayStatus.PROTOCOL_ERROR);
  }
}
