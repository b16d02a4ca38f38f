// A minimal protocol-buffers writer: just what encoding gnostic's OpenAPI v2 messages needs
// (strings, bools, non-negative varints, doubles, nested and repeated messages). Proto3 rules:
// scalar fields holding their default value are left out.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;

export class ProtoWriter {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  private push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = n;
    while (v > 0x7f) {
      bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    bytes.push(v);
    this.push(Buffer.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private bytes(field: number, data: Buffer): void {
    this.key(field, WIRE_BYTES);
    this.varint(data.length);
    this.push(data);
  }

  string(field: number, value: string | undefined): this {
    if (value) this.bytes(field, Buffer.from(value, 'utf8'));
    return this;
  }

  strings(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) this.bytes(field, Buffer.from(v, 'utf8'));
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    if (value) {
      this.key(field, WIRE_VARINT);
      this.varint(1);
    }
    return this;
  }

  uint(field: number, value: number | undefined): this {
    if (value) {
      this.key(field, WIRE_VARINT);
      this.varint(value);
    }
    return this;
  }

  double(field: number, value: number | undefined): this {
    if (value) {
      this.key(field, WIRE_FIXED64);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value);
      this.push(b);
    }
    return this;
  }

  /** A nested message; written even when empty, since a message's presence is meaningful. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    this.bytes(field, inner.finish());
    return this;
  }

  /** One nested message per element: a repeated message field. */
  messages<T>(field: number, items: Iterable<T>, build: (w: ProtoWriter, item: T) => void): this {
    for (const item of items) this.message(field, (w) => build(w, item));
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}
