// The protobuf wire format, read side: varints, tags, length-delimited ranges, fixed-width values.
// Only what decoding Kubernetes' proto2 messages needs; errors read like gogo's generated code.

export class ProtobufError extends Error {}

export const WIRE = { VARINT: 0, FIXED64: 1, BYTES: 2, START_GROUP: 3, END_GROUP: 4, FIXED32: 5 } as const;

/** A varint: a number when it fits in 49 bits (the common case), a bigint otherwise. */
export type Varint = number | bigint;

export class Reader {
  pos: number;

  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): Varint {
    const { buf, end } = this;
    let n = 0;
    while (true) {
      if (this.pos + n >= end) throw new ProtobufError('unexpected EOF');
      if (n >= 10) throw new ProtobufError('proto: integer overflow');
      if (!(buf[this.pos + n++] & 0x80)) break;
    }
    const start = this.pos;
    this.pos += n;
    if (n <= 7) {
      let v = 0;
      for (let i = n - 1; i >= 0; i--) v = v * 128 + (buf[start + i] & 0x7f);
      return v;
    }
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 7n) | BigInt(buf[start + i] & 0x7f);
    return BigInt.asUintN(64, v);
  }

  /** A field key: its number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    const k = typeof key === 'bigint' ? Number(BigInt.asUintN(32, key)) : key;
    const field = Math.floor(k / 8);
    const wire = k % 8;
    if (field <= 0) throw new ProtobufError(`proto: illegal tag ${field} (wire type ${wire})`);
    return { field, wire };
  }

  /** The [start, end) range of a length-delimited value, and moves past it. */
  lengthDelimited(): [number, number] {
    const len = this.varint();
    if (typeof len === 'bigint' || len > this.end - this.pos) {
      throw new ProtobufError(typeof len === 'bigint' || len > 0x7fffffff ? 'proto: negative length found during unmarshaling' : 'unexpected EOF');
    }
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  fixed32(): DataView {
    if (this.end - this.pos < 4) throw new ProtobufError('unexpected EOF');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4);
    this.pos += 4;
    return v;
  }

  fixed64(): DataView {
    if (this.end - this.pos < 8) throw new ProtobufError('unexpected EOF');
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return v;
  }

  /** Skips a value of the given wire type (an unknown field). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE.VARINT: this.varint(); return;
      case WIRE.FIXED64: this.fixed64(); return;
      case WIRE.BYTES: this.lengthDelimited(); return;
      case WIRE.FIXED32: this.fixed32(); return;
      case WIRE.START_GROUP: {
        // Deprecated groups: skip nested fields up to the matching end-group.
        for (let depth = 1; depth > 0;) {
          if (this.done) throw new ProtobufError('unexpected EOF');
          const t = this.tag();
          if (t.wire === WIRE.START_GROUP) depth++;
          else if (t.wire === WIRE.END_GROUP) depth--;
          else this.skip(t.wire);
        }
        return;
      }
      default:
        throw new ProtobufError(`proto: illegal wireType ${wire}`);
    }
  }
}

// ---- varint interpretations (proto scalar types) ----

export const toInt32 = (v: Varint): number => (typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v | 0);
export const toUint32 = (v: Varint): number => (typeof v === 'bigint' ? Number(BigInt.asUintN(32, v)) : v >>> 0);
export const toInt64 = (v: Varint): number => (typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v);
export const toUint64 = (v: Varint): number => (typeof v === 'bigint' ? Number(v) : v);
export const toBool = (v: Varint): boolean => (typeof v === 'bigint' ? v !== 0n : v !== 0);

/** ZigZag (sint32/sint64). */
export function toSint(v: Varint, bits: 32 | 64): number {
  const b = typeof v === 'bigint' ? v : BigInt(v);
  const u = BigInt.asUintN(bits, b);
  return Number(BigInt.asIntN(bits, (u >> 1n) ^ -(u & 1n)));
}

const utf8 = new TextDecoder('utf-8');
/** UTF-8 text; invalid sequences become U+FFFD, as Go's JSON encoder writes them. */
export const text = (buf: Uint8Array, start: number, end: number): string =>
  Buffer.isBuffer(buf) ? buf.toString('utf8', start, end) : utf8.decode(buf.subarray(start, end));
