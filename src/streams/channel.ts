// The Kubernetes WebSocket channel protocols (upstream wsstream): every message starts with the
// number of the channel it belongs to.
//   channel.k8s.io, v4.channel.k8s.io, v5.channel.k8s.io: binary messages, first byte = channel.
//   base64.channel.k8s.io, v4.base64.channel.k8s.io: text messages, first character '0'+channel,
//   the rest base64.
//   v5 adds one control message, [255, channel]: the sender will write nothing more on that
//   channel (kubectl 1.30+ closes stdin that way).
import { EventEmitter } from 'node:events';
import { Readable, Writable } from 'node:stream';
import type WebSocket from 'ws';

export const ChannelProtocol = {
  V1: 'channel.k8s.io',
  V1_BASE64: 'base64.channel.k8s.io',
  V4: 'v4.channel.k8s.io',
  V4_BASE64: 'v4.base64.channel.k8s.io',
  V5: 'v5.channel.k8s.io',
} as const;

/** The v5 "stream closed" signal. */
export const CLOSE_SIGNAL = 255;

export interface ChannelCodec {
  base64: boolean;
  /** The peer may send [255, channel] to close a channel. */
  closeSignal: boolean;
}

export function codecFor(protocol: string | undefined): ChannelCodec {
  return { base64: protocol === ChannelProtocol.V1_BASE64 || protocol === ChannelProtocol.V4_BASE64, closeSignal: protocol === ChannelProtocol.V5 };
}

/** One message on `channel`: a Buffer to send binary, or a string to send as text (base64 protocols). */
export function encodeChannelMessage(channel: number, data: Buffer, base64: boolean): Buffer | string {
  if (base64) return String.fromCharCode(48 + channel) + data.toString('base64');
  const m = Buffer.allocUnsafe(data.length + 1);
  m[0] = channel;
  data.copy(m, 1);
  return m;
}

export type ChannelMessage = { kind: 'data'; channel: number; data: Buffer } | { kind: 'close'; channel: number };

/** Decodes a received message; undefined for an empty one (which upstream skips). */
export function decodeChannelMessage(msg: Buffer, codec: ChannelCodec): ChannelMessage | undefined {
  if (msg.length === 0) return undefined;
  if (codec.base64) {
    const text = msg.toString('latin1');
    return { kind: 'data', channel: text.charCodeAt(0) - 48, data: Buffer.from(text.slice(1), 'base64') };
  }
  if (codec.closeSignal && msg[0] === CLOSE_SIGNAL) {
    return msg.length >= 2 ? { kind: 'close', channel: msg[1] } : undefined;
  }
  return { kind: 'data', channel: msg[0], data: msg.subarray(1) };
}

/** How much the socket under the WebSocket may hold before channel writers wait. */
const SOCKET_HWM = 512 * 1024;

interface RawSocket {
  readonly writableLength: number;
  readonly writableNeedDrain: boolean;
  on(event: string, fn: () => void): unknown;
  removeListener(event: string, fn: () => void): unknown;
}

/** A channel the client writes to. */
export class ChannelReadable extends Readable {
  constructor(private readonly conn: ChannelConnection, readonly channel: number) {
    super({ highWaterMark: 64 * 1024 });
  }
  override _read(): void {
    this.conn._resumeFor(this);
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.conn._resumeFor(this);
    cb(err);
  }
}

/** A channel we write to: each write is one message. */
export class ChannelWritable extends Writable {
  constructor(private readonly conn: ChannelConnection, readonly channel: number) {
    super({ highWaterMark: 64 * 1024, decodeStrings: true });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.conn.send(this.channel, chunk)) this.conn.onceDrain(() => cb());
    else cb();
  }
}

/**
 * Channels over one WebSocket. Messages for channels nobody reads are dropped, as upstream
 * drops them for channels it ignores. Emits 'close' when the WebSocket closes.
 */
export class ChannelConnection extends EventEmitter {
  private readonly readables = new Map<number, ChannelReadable>();
  private readonly pausedBy = new Set<ChannelReadable>();
  closed = false;

  constructor(readonly ws: WebSocket, private readonly raw: RawSocket, readonly codec: ChannelCodec) {
    super();
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const m = decodeChannelMessage(buf, codec);
      if (!m) return;
      const r = this.readables.get(m.channel);
      if (!r || r.readableEnded || r.destroyed) return;
      if (m.kind === 'close') {
        r.push(null);
        if (this.pausedBy.delete(r)) this.maybeResume();
        return;
      }
      if (m.data.length && !r.push(m.data)) this.pause(r);
    });
    ws.on('error', () => { /* 'close' follows */ });
    ws.on('close', () => {
      this.closed = true;
      // As upstream: a closed connection reads as the end of every channel.
      for (const r of this.readables.values()) if (!r.readableEnded && !r.destroyed) r.push(null);
      this.emit('close');
    });
  }

  /** The channel as a stream of what the client sends on it (created on first use). */
  readable(channel: number): ChannelReadable {
    let r = this.readables.get(channel);
    if (!r) {
      r = new ChannelReadable(this, channel);
      this.readables.set(channel, r);
    }
    return r;
  }

  writable(channel: number): ChannelWritable {
    return new ChannelWritable(this, channel);
  }

  /** Sends one message; false when the caller should wait for onceDrain. */
  send(channel: number, data: Buffer): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return true;
    const m = encodeChannelMessage(channel, data, this.codec.base64);
    this.ws.send(m, { binary: typeof m !== 'string' });
    return this.raw.writableLength <= SOCKET_HWM;
  }

  onceDrain(cb: () => void): void {
    const fire = (): void => {
      this.raw.removeListener('drain', fire);
      this.removeListener('close', fire);
      cb();
    };
    this.raw.on('drain', fire);
    this.on('close', fire);
  }

  /** Stops delivering to readers: anything the client still sends is dropped. */
  discardInput(): void {
    for (const r of this.readables.values()) {
      this.readables.delete(r.channel);
      if (!r.readableEnded && !r.destroyed) r.push(null);
    }
    this.pausedBy.clear();
    this.maybeResume();
  }

  /**
   * Normal closure once everything written has left the socket (ws gives the peer 30 s to answer
   * a close frame from the moment it is sent: unsent output must not count against that).
   */
  async close(timeoutMs = 15 * 60_000): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => this.once('close', resolve));
    const deadline = setTimeout(() => this.ws.terminate(), timeoutMs);
    deadline.unref?.();
    try {
      while (!this.closed && this.raw.writableNeedDrain) await new Promise<void>((r) => this.onceDrain(r));
      if (!this.closed) this.ws.close(1000);
      await closed;
    } finally {
      clearTimeout(deadline);
    }
  }

  private pause(r: ChannelReadable): void {
    if (this.pausedBy.has(r)) return;
    this.pausedBy.add(r);
    if (this.pausedBy.size === 1) this.ws.pause();
  }

  /** @internal */
  _resumeFor(r: ChannelReadable): void {
    if (this.pausedBy.delete(r)) this.maybeResume();
  }

  private maybeResume(): void {
    if (this.pausedBy.size === 0 && !this.closed) this.ws.resume();
  }
}
