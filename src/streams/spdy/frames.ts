// SPDY/3.1 framing: frame encoders, an incremental decoder, header blocks and their compression.
//
// Our own framing rather than npm `spdy-transport` (3.0.0, the last release, 2018): that library
// is an HTTP transport. Its SPDY parser rejects a SYN_STREAM without `:method` and `:path`
// ("Missing `:method` and/or `:path` header"), and kubectl's streams carry nothing but
// `streamtype`, `port` and `requestid`. It also enforces the peer's flow-control windows on
// send, while moby/spdystream (kubectl, client-go, the kubelet) never sends WINDOW_UPDATE: a
// server built on it stalls after the first 64 KiB of a download. The frame layer is small (a
// fixed 8-byte header and nine frame types), so it lives here with its tests.
//
// Wire format (all integers big-endian):
//   control frame: 1 | version(15) | type(16) | flags(8) | length(24) | payload
//   data frame:    0 | stream-id(31)          | flags(8) | length(24) | payload
// Header blocks (SYN_STREAM, SYN_REPLY, HEADERS) are zlib streams with the SPDY dictionary; each
// direction of a connection is one zlib stream, flushed (sync) at the end of every block.
import { createInflate, constants as zc, type Inflate } from 'node:zlib';
import { SPDY_DICTIONARY, adler32 } from './dictionary.js';

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  NOOP: 5,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
export const FLAG_SETTINGS_CLEAR = 0x01;

export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
  FRAME_TOO_LARGE: 11,
} as const;

export const GoAwayStatus = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

export const SettingsId = {
  UPLOAD_BANDWIDTH: 1,
  DOWNLOAD_BANDWIDTH: 2,
  ROUND_TRIP_TIME: 3,
  MAX_CONCURRENT_STREAMS: 4,
  CURRENT_CWND: 5,
  DOWNLOAD_RETRANS_RATE: 6,
  INITIAL_WINDOW_SIZE: 7,
  CLIENT_CERTIFICATE_VECTOR_SIZE: 8,
} as const;

/** SPDY/3.1: both the stream windows and the session window start at 64 KiB. */
export const DEFAULT_WINDOW = 65536;
export const MAX_WINDOW = 0x7fffffff;
/** The largest payload the 24-bit length field can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;
/** Control frames are buffered whole; a header block larger than this is refused. */
export const MAX_CONTROL_PAYLOAD = 1 << 20;

export type HeaderMap = Record<string, string[]>;

export interface SettingEntry { id: number; flags: number; value: number }

export type ControlFrame =
  | { type: 'SYN_STREAM'; streamId: number; associatedId: number; priority: number; slot: number; flags: number; headerBlock: Buffer }
  | { type: 'SYN_REPLY'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'HEADERS'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'RST_STREAM'; streamId: number; status: number }
  | { type: 'SETTINGS'; flags: number; entries: SettingEntry[] }
  | { type: 'PING'; id: number }
  | { type: 'GOAWAY'; lastGoodStreamId: number; status: number }
  | { type: 'WINDOW_UPDATE'; streamId: number; delta: number }
  | { type: 'NOOP' }
  | { type: 'UNKNOWN'; frameType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {
  constructor(message: string, readonly streamId = 0, readonly status: number = RstStatus.PROTOCOL_ERROR) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

// ---------------------------------------------------------------- encoding

function controlHeader(buf: Buffer, type: number, flags: number, length: number): void {
  buf.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  buf.writeUInt32BE(((flags << 24) | length) >>> 0, 4);
}

/** The 8-byte header of a DATA frame; the payload follows as its own buffer (no copy). */
export function encodeDataHeader(streamId: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`DATA payload too large: ${length}`);
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(streamId & 0x7fffffff, 0);
  b.writeUInt32BE(((flags << 24) | length) >>> 0, 4);
  return b;
}

export function encodeSynStream(streamId: number, associatedId: number, priority: number, flags: number, compressedHeaders: Buffer): Buffer {
  const b = Buffer.allocUnsafe(18 + compressedHeaders.length);
  controlHeader(b, FrameType.SYN_STREAM, flags, 10 + compressedHeaders.length);
  b.writeUInt32BE(streamId & 0x7fffffff, 8);
  b.writeUInt32BE(associatedId & 0x7fffffff, 12);
  b[16] = (priority & 0x7) << 5;
  b[17] = 0; // slot
  compressedHeaders.copy(b, 18);
  return b;
}

function encodeStreamHeaders(type: number, streamId: number, flags: number, compressedHeaders: Buffer): Buffer {
  const b = Buffer.allocUnsafe(12 + compressedHeaders.length);
  controlHeader(b, type, flags, 4 + compressedHeaders.length);
  b.writeUInt32BE(streamId & 0x7fffffff, 8);
  compressedHeaders.copy(b, 12);
  return b;
}

export const encodeSynReply = (streamId: number, flags: number, compressedHeaders: Buffer): Buffer =>
  encodeStreamHeaders(FrameType.SYN_REPLY, streamId, flags, compressedHeaders);

export const encodeHeaders = (streamId: number, flags: number, compressedHeaders: Buffer): Buffer =>
  encodeStreamHeaders(FrameType.HEADERS, streamId, flags, compressedHeaders);

export function encodeRstStream(streamId: number, status: number): Buffer {
  const b = Buffer.allocUnsafe(16);
  controlHeader(b, FrameType.RST_STREAM, 0, 8);
  b.writeUInt32BE(streamId & 0x7fffffff, 8);
  b.writeUInt32BE(status >>> 0, 12);
  return b;
}

export function encodeSettings(entries: SettingEntry[], flags = 0): Buffer {
  const b = Buffer.allocUnsafe(12 + 8 * entries.length);
  controlHeader(b, FrameType.SETTINGS, flags, 4 + 8 * entries.length);
  b.writeUInt32BE(entries.length, 8);
  entries.forEach((e, i) => {
    b.writeUInt32BE((((e.flags & 0xff) << 24) | (e.id & 0xffffff)) >>> 0, 12 + 8 * i);
    b.writeUInt32BE(e.value >>> 0, 16 + 8 * i);
  });
  return b;
}

export function encodePing(id: number): Buffer {
  const b = Buffer.allocUnsafe(12);
  controlHeader(b, FrameType.PING, 0, 4);
  b.writeUInt32BE(id >>> 0, 8);
  return b;
}

export function encodeGoAway(lastGoodStreamId: number, status: number): Buffer {
  const b = Buffer.allocUnsafe(16);
  controlHeader(b, FrameType.GOAWAY, 0, 8);
  b.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 8);
  b.writeUInt32BE(status >>> 0, 12);
  return b;
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  if (delta < 1 || delta > MAX_WINDOW) throw new RangeError(`WINDOW_UPDATE delta out of range: ${delta}`);
  const b = Buffer.allocUnsafe(16);
  controlHeader(b, FrameType.WINDOW_UPDATE, 0, 8);
  b.writeUInt32BE(streamId & 0x7fffffff, 8);
  b.writeUInt32BE(delta & 0x7fffffff, 12);
  return b;
}

// ---------------------------------------------------------------- header blocks

/** The uncompressed name/value block: names lowercased, several values joined by NUL. */
export function encodeHeaderBlock(headers: Record<string, string | number | readonly (string | number)[]>): Buffer {
  const entries = Object.entries(headers).map(([k, v]) => [
    Buffer.from(k.toLowerCase(), 'utf8'),
    Buffer.from((Array.isArray(v) ? v : [v]).map(String).join('\0'), 'utf8'),
  ]);
  let size = 4;
  for (const [k, v] of entries) size += 8 + k.length + v.length;
  const b = Buffer.allocUnsafe(size);
  b.writeUInt32BE(entries.length, 0);
  let o = 4;
  for (const [k, v] of entries) {
    b.writeUInt32BE(k.length, o);
    k.copy(b, o + 4);
    o += 4 + k.length;
    b.writeUInt32BE(v.length, o);
    v.copy(b, o + 4);
    o += 4 + v.length;
  }
  return b;
}

export function decodeHeaderBlock(b: Buffer, streamId = 0): HeaderMap {
  const fail = (why: string): never => { throw new SpdyProtocolError(`malformed header block: ${why}`, streamId); };
  if (b.length < 4) fail('too short');
  const count = b.readUInt32BE(0);
  const out: HeaderMap = Object.create(null);
  let o = 4;
  const take = (): Buffer => {
    if (o + 4 > b.length) fail('truncated length');
    const n = b.readUInt32BE(o);
    o += 4;
    if (o + n > b.length) fail('truncated string');
    const s = b.subarray(o, o + n);
    o += n;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = take().toString('utf8').toLowerCase();
    const value = take().toString('utf8');
    if (!name) fail('empty header name');
    (out[name] ??= []).push(...value.split('\0'));
  }
  return out;
}

/**
 * The sending side's zlib stream. Header blocks are sent as stored (uncompressed) deflate blocks
 * inside one zlib stream that names the SPDY dictionary: valid for any inflater, synchronous, and
 * this server's only header blocks are the empty SYN_REPLYs a kubelet sends, where compression
 * would win nothing. Each block ends with the empty stored block a sync flush writes.
 */
const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

export class HeaderCompressor {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      const h = Buffer.allocUnsafe(6);
      h[0] = 0x78; // deflate, 32 KiB window
      h[1] = 0xf9; // FDICT, level 3; (0x78 << 8 | 0xf9) % 31 === 0
      h.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
      parts.push(h);
    }
    for (let o = 0; o < block.length; o += 0xffff) {
      const n = Math.min(0xffff, block.length - o);
      const hdr = Buffer.allocUnsafe(5);
      hdr[0] = 0x00; // BFINAL=0, BTYPE=00 (stored)
      hdr.writeUInt16LE(n, 1);
      hdr.writeUInt16LE(~n & 0xffff, 3);
      parts.push(hdr, block.subarray(o, o + n));
    }
    // The sync-flush marker, an empty stored block. Go's inflater hands out a stored block's
    // bytes only once the next block starts (or an empty one flushes them): without it, kubectl
    // fails the frame with "unexpected EOF" and never sees the reply.
    parts.push(SYNC_FLUSH_MARKER);
    return Buffer.concat(parts);
  }
}

/**
 * The receiving side's zlib stream (with the SPDY dictionary), fed one header block at a time.
 * Node's zlib streams are asynchronous: each block resolves once its flush has been processed, and
 * blocks are inflated strictly in order.
 */
export class HeaderDecompressor {
  private readonly z: Inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  private acc: Buffer[] = [];
  private failure: Error | undefined;
  private onFailure: ((e: Error) => void) | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor() {
    this.z.on('data', (d: Buffer) => this.acc.push(d));
    this.z.on('error', (e: Error) => {
      this.failure = new SpdyProtocolError(`header block decompression failed: ${e.message}`);
      this.onFailure?.(this.failure);
    });
  }

  decompress(block: Buffer): Promise<Buffer> {
    const run = (): Promise<Buffer> =>
      new Promise<Buffer>((resolve, reject) => {
        if (this.failure) return reject(this.failure);
        this.onFailure = reject;
        this.z.write(block);
        this.z.flush(zc.Z_SYNC_FLUSH, () => {
          // 'data' events of this flush may still be queued behind the callback: let them run.
          setImmediate(() => {
            this.onFailure = undefined;
            if (this.failure) return reject(this.failure);
            const out = this.acc.length === 1 ? this.acc[0] : Buffer.concat(this.acc);
            this.acc = [];
            resolve(out);
          });
        });
      });
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.z.close();
  }
}

// ---------------------------------------------------------------- decoding

export interface FrameSink {
  /** A piece of a DATA frame's payload, as it arrives; `fin` is set on the frame's last piece only. */
  data(streamId: number, chunk: Buffer, fin: boolean): void;
  control(frame: ControlFrame): void;
}

const EMPTY = Buffer.alloc(0);

/**
 * Incremental frame decoder. DATA payloads are handed on as they arrive, as views of the input
 * chunks (no copy, no waiting for the whole frame); control frames are gathered whole.
 * Throws SpdyProtocolError on a malformed frame; the connection is unusable after that.
 */
export class FrameDecoder {
  private readonly head = Buffer.alloc(8);
  private headLen = 0;
  private state: 'head' | 'data' | 'control' = 'head';
  private remaining = 0;
  private streamId = 0;
  private flags = 0;
  private controlType = 0;
  private controlParts: Buffer[] = [];
  private controlLen = 0;

  constructor(private readonly sink: FrameSink) {}

  push(chunk: Buffer): void {
    let o = 0;
    const n = chunk.length;
    while (o < n) {
      if (this.state === 'head') {
        if (this.headLen === 0 && n - o >= 8) {
          this.parseHead(chunk, o);
          o += 8;
        } else {
          const k = Math.min(8 - this.headLen, n - o);
          chunk.copy(this.head, this.headLen, o, o + k);
          this.headLen += k;
          o += k;
          if (this.headLen < 8) return;
          this.headLen = 0;
          this.parseHead(this.head, 0);
        }
        continue;
      }
      const k = Math.min(this.remaining, n - o);
      const piece = chunk.subarray(o, o + k);
      o += k;
      this.remaining -= k;
      if (this.state === 'data') {
        const last = this.remaining === 0;
        this.sink.data(this.streamId, piece, last && (this.flags & FLAG_FIN) !== 0);
        if (last) this.state = 'head';
      } else {
        this.controlParts.push(piece);
        if (this.remaining === 0) this.finishControl();
      }
    }
  }

  private parseHead(b: Buffer, o: number): void {
    const w0 = b.readUInt32BE(o);
    const w1 = b.readUInt32BE(o + 4);
    this.flags = w1 >>> 24;
    const length = w1 & 0xffffff;
    if (w0 & 0x80000000) {
      const version = (w0 >>> 16) & 0x7fff;
      if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`, 0, RstStatus.UNSUPPORTED_VERSION);
      if (length > MAX_CONTROL_PAYLOAD) throw new SpdyProtocolError(`control frame too large: ${length}`, 0, RstStatus.FRAME_TOO_LARGE);
      this.controlType = w0 & 0xffff;
      this.controlParts = [];
      this.controlLen = length;
      this.remaining = length;
      this.state = 'control';
      if (length === 0) this.finishControl();
    } else {
      this.streamId = w0 & 0x7fffffff;
      if (this.streamId === 0) throw new SpdyProtocolError('DATA frame on stream 0');
      this.remaining = length;
      if (length === 0) {
        this.sink.data(this.streamId, EMPTY, (this.flags & FLAG_FIN) !== 0);
        this.state = 'head';
      } else {
        this.state = 'data';
      }
    }
  }

  private finishControl(): void {
    this.state = 'head';
    const p = this.controlParts.length === 1 ? this.controlParts[0] : Buffer.concat(this.controlParts, this.controlLen);
    this.controlParts = [];
    this.sink.control(parseControl(this.controlType, this.flags, p));
  }
}

export function parseControl(type: number, flags: number, p: Buffer): ControlFrame {
  const need = (n: number, exact = false): void => {
    if (p.length < n || (exact && p.length !== n)) throw new SpdyProtocolError(`control frame ${type}: bad length ${p.length}`);
  };
  switch (type) {
    case FrameType.SYN_STREAM: {
      need(10);
      const streamId = p.readUInt32BE(0) & 0x7fffffff;
      if (streamId === 0) throw new SpdyProtocolError('SYN_STREAM with stream id 0');
      return { type: 'SYN_STREAM', streamId, associatedId: p.readUInt32BE(4) & 0x7fffffff, priority: p[8] >>> 5, slot: p[9], flags, headerBlock: p.subarray(10) };
    }
    case FrameType.SYN_REPLY:
    case FrameType.HEADERS: {
      need(4);
      const streamId = p.readUInt32BE(0) & 0x7fffffff;
      if (streamId === 0) throw new SpdyProtocolError('header frame with stream id 0');
      return { type: type === FrameType.SYN_REPLY ? 'SYN_REPLY' : 'HEADERS', streamId, flags, headerBlock: p.subarray(4) };
    }
    case FrameType.RST_STREAM:
      need(8, true);
      return { type: 'RST_STREAM', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.SETTINGS: {
      need(4);
      const count = p.readUInt32BE(0);
      if (p.length !== 4 + 8 * count) throw new SpdyProtocolError(`SETTINGS: ${count} entries in ${p.length} bytes`);
      const entries: SettingEntry[] = [];
      for (let i = 0; i < count; i++) {
        const w = p.readUInt32BE(4 + 8 * i);
        entries.push({ flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + 8 * i) });
      }
      return { type: 'SETTINGS', flags, entries };
    }
    case FrameType.NOOP:
      return { type: 'NOOP' };
    case FrameType.PING:
      need(4, true);
      return { type: 'PING', id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(8, true);
      return { type: 'GOAWAY', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.WINDOW_UPDATE:
      need(8, true);
      return { type: 'WINDOW_UPDATE', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'UNKNOWN', frameType: type, flags, payload: p };
  }
}
