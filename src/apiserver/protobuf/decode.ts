// Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) to the JSON object a
// JSON client would have sent for the same Go value.
//
// The body is the magic `k8s\0` and a runtime.Unknown {typeMeta {apiVersion, kind}, raw,
// contentEncoding, contentType}; `raw` is the object's message per its generated.proto. Decoding
// follows the generated schema (./schema.json, see scripts/gen-protobuf-schema.mjs) and what
// Go's encoding/json would then write for the decoded struct: gogo writes non-pointer fields even
// when zero, so a zero scalar is dropped when its JSON tag is omitempty and kept otherwise, a
// struct is always present, pointer fields appear only when set (`replicas: 0` survives),
// `json:",inline"` structs are flattened into their parent. Special types take their JSON forms:
// Quantity and IntOrString, Time/MicroTime (RFC 3339; an empty message is the zero time, null),
// Duration, RawExtension and FieldsV1 (embedded JSON), bytes (base64). Unknown field numbers are
// skipped, as gogo does; the JSON path's field validation then sees only known fields.
import schemaJson from './schema.json' with { type: 'json' };
import { formatDuration, formatMicroTime, formatTime } from './values.js';
import { ProtobufError, Reader, text, toBool, toInt32, toInt64, toSint, toUint32, toUint64, WIRE, type Varint } from './wire.js';

export { ProtobufError } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
/** `k8s` and the encoding style 0: a runtime.Unknown follows. */
export const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** Field flags, as scripts/gen-protobuf-schema.mjs writes them. */
export const FLAG = { REPEATED: 1, MAP: 2, OMITEMPTY: 4, POINTER: 8, INLINE: 16, UNMATCHED: 32 } as const;

type FieldTuple = [number, string, string, number];
export interface ProtobufSchema {
  source?: string;
  kinds: Record<string, string>;
  messages: Record<string, { f: FieldTuple[]; list?: number }>;
}

interface Field {
  number: number;
  json: string;
  type: string;
  flags: number;
  message: boolean;
}
interface Message {
  name: string;
  fields: Field[];
  byNumber: Map<number, Field>;
  list: boolean;
}

const MAX_DEPTH = 100;
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const TIME = `${META}Time`;
const MICRO_TIME = `${META}MicroTime`;
const DURATION = `${META}Duration`;
const FIELDS_V1 = `${META}FieldsV1`;
const VARINT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const FIXED32_TYPES = new Set(['fixed32', 'sfixed32', 'float']);
const FIXED64_TYPES = new Set(['fixed64', 'sfixed64', 'double']);
const SCALARS = new Set([...VARINT_TYPES, ...FIXED32_TYPES, ...FIXED64_TYPES, 'string', 'bytes']);

const wireOf = (type: string): number =>
  VARINT_TYPES.has(type) ? WIRE.VARINT : FIXED32_TYPES.has(type) ? WIRE.FIXED32 : FIXED64_TYPES.has(type) ? WIRE.FIXED64 : WIRE.BYTES;

const zeroOf = (type: string): unknown => (type === 'string' || type === 'bytes' ? '' : type === 'bool' ? false : 0);

/** Sets a key that came off the wire (a map key): never a prototype setter, even for `__proto__`. */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

export class ProtobufDecoder {
  private readonly compiled = new Map<string, Message>();

  constructor(private readonly schema: ProtobufSchema) {}

  /** The message for `apiVersion` + `kind` (`v1`/`Pod`, `apps/v1`/`Deployment`), if the schema has it. */
  messageFor(apiVersion: string, kind: string): string | undefined {
    return this.schema.kinds[`${apiVersion}/${kind}`];
  }

  /**
   * Decodes a whole body (magic + runtime.Unknown) to a JSON object with apiVersion and kind.
   * `defaults` fill in an apiVersion or kind the envelope leaves empty (upstream's copyKindDefaults
   * with the endpoint's kind).
   */
  decodeBody(body: Uint8Array, defaults: { apiVersion?: string; kind?: string } = {}): Record<string, unknown> {
    return this.decodeEnvelope(body, defaults, 0);
  }

  /** Decodes one message (no envelope) of the named type to its JSON value. */
  decodeMessage(bytes: Uint8Array, message: string): unknown {
    return this.message(bytes, 0, bytes.length, message, 0);
  }

  private decodeEnvelope(body: Uint8Array, defaults: { apiVersion?: string; kind?: string }, depth: number): Record<string, unknown> {
    if (body.length === 0) throw new ProtobufError('empty data');
    if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
      throw new ProtobufError(`provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`);
    }
    if (body.length === MAGIC.length) throw new ProtobufError('empty body');
    // runtime.Unknown: typeMeta(1) {apiVersion(1), kind(2)}, raw(2), contentEncoding(3), contentType(4).
    let apiVersion = '';
    let kind = '';
    let raw: [number, number] = [0, 0];
    const r = new Reader(body, MAGIC.length);
    while (!r.done) {
      const { field, wire } = r.tag();
      if (field === 1 || field === 2) {
        if (wire !== WIRE.BYTES) throw new ProtobufError(`proto: wrong wireType = ${wire} for field ${field === 1 ? 'TypeMeta' : 'Raw'}`);
        const [s, e] = r.lengthDelimited();
        if (field === 2) { raw = [s, e]; continue; }
        const t = new Reader(body, s, e);
        while (!t.done) {
          const tm = t.tag();
          if (tm.field !== 1 && tm.field !== 2) { t.skip(tm.wire); continue; }
          if (tm.wire !== WIRE.BYTES) throw new ProtobufError(`proto: wrong wireType = ${tm.wire} for field ${tm.field === 1 ? 'APIVersion' : 'Kind'}`);
          const [a, b] = t.lengthDelimited();
          if (tm.field === 1) apiVersion = text(body, a, b);
          else kind = text(body, a, b);
        }
      } else {
        r.skip(wire);
      }
    }
    apiVersion ||= defaults.apiVersion ?? '';
    kind ||= defaults.kind ?? '';
    if (!kind) throw new ProtobufError(`Object 'Kind' is missing in '${JSON.stringify({ apiVersion, kind })}'`);
    if (!apiVersion) throw new ProtobufError(`Object 'apiVersion' is missing in '${JSON.stringify({ apiVersion, kind })}'`);
    const name = this.messageFor(apiVersion, kind);
    if (!name) throw new ProtobufError(`no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`);
    const obj = this.message(body, raw[0], raw[1], name, depth + 1) as Record<string, unknown>;
    return { apiVersion, kind, ...obj };
  }

  private compile(name: string): Message {
    let m = this.compiled.get(name);
    if (m) return m;
    const entry = this.schema.messages[name];
    if (!entry) throw new ProtobufError(`no protobuf schema for message ${name}`);
    const fields = entry.f.map(([number, json, type, flags]) => ({ number, json, type, flags, message: !SCALARS.has(type) }));
    m = { name, fields, byNumber: new Map(fields.map((f) => [f.number, f])), list: entry.list === 1 };
    this.compiled.set(name, m);
    return m;
  }

  private message(buf: Uint8Array, start: number, end: number, name: string, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new ProtobufError(`proto: message nesting exceeds ${MAX_DEPTH} levels`);
    const special = this.special(buf, start, end, name, depth);
    if (special !== NOT_SPECIAL) return special;
    const m = this.compile(name);
    const values = new Map<number, unknown>();
    // Non-repeated message fields may occur more than once: protobuf merges them, which is the
    // same as decoding the concatenation of their bytes.
    const parts = new Map<number, number[]>();
    const r = new Reader(buf, start, end);
    while (!r.done) {
      const { field, wire } = r.tag();
      const f = m.byNumber.get(field);
      if (!f) { r.skip(wire); continue; }
      if (f.flags & FLAG.MAP) {
        if (wire !== WIRE.BYTES) throw wrongWire(wire, f);
        const [s, e] = r.lengthDelimited();
        let obj = values.get(field) as Record<string, unknown> | undefined;
        if (!obj) values.set(field, (obj = {}));
        const [k, v] = this.mapEntry(buf, s, e, f, depth);
        setKey(obj, k, v);
      } else if (f.message) {
        if (wire !== WIRE.BYTES) throw wrongWire(wire, f);
        const [s, e] = r.lengthDelimited();
        if (f.flags & FLAG.REPEATED) {
          let list = values.get(field) as unknown[] | undefined;
          if (!list) values.set(field, (list = []));
          list.push(this.message(buf, s, e, f.type, depth + 1));
        } else {
          let ranges = parts.get(field);
          if (!ranges) parts.set(field, (ranges = []));
          ranges.push(s, e);
        }
      } else if (f.flags & FLAG.REPEATED) {
        let list = values.get(field) as unknown[] | undefined;
        if (!list) values.set(field, (list = []));
        const elementWire = wireOf(f.type);
        if (wire === WIRE.BYTES && elementWire !== WIRE.BYTES) {
          // Packed: a run of values in one length-delimited field.
          const [s, e] = r.lengthDelimited();
          const packed = new Reader(buf, s, e);
          while (!packed.done) list.push(scalar(packed, f.type));
        } else {
          if (wire !== elementWire) throw wrongWire(wire, f);
          list.push(scalar(r, f.type));
        }
      } else {
        if (wire !== wireOf(f.type)) throw wrongWire(wire, f);
        values.set(field, scalar(r, f.type));
      }
    }
    for (const [field, ranges] of parts) {
      const type = m.byNumber.get(field)!.type;
      if (ranges.length === 2) {
        values.set(field, this.message(buf, ranges[0], ranges[1], type, depth + 1));
      } else {
        const bytes = Buffer.concat(ranges.filter((_, i) => i % 2 === 0).map((s, i) => buf.subarray(s, ranges[2 * i + 1])));
        values.set(field, this.message(bytes, 0, bytes.length, type, depth + 1));
      }
    }
    if (m.list) return values.get(m.fields[0]?.number) ?? [];
    return this.toJson(m, values, depth);
  }

  /** The object Go's encoding/json writes for the decoded struct: fields in schema order. */
  private toJson(m: Message, values: Map<number, unknown>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of m.fields) {
      let v = values.get(f.number);
      const collection = f.flags & (FLAG.REPEATED | FLAG.MAP);
      if (v === undefined) {
        // Absent from the wire (not what gogo writes for a non-pointer field, but a valid encoding):
        // Go still holds the zero value, which JSON writes unless omitempty drops it.
        if (collection || f.flags & (FLAG.POINTER | FLAG.UNMATCHED)) continue;
        if (f.message) v = this.message(new Uint8Array(0), 0, 0, f.type, depth + 1);
        else if (f.flags & FLAG.OMITEMPTY || f.type === 'bytes') continue;
        else v = zeroOf(f.type);
      } else if (!f.message && !collection && (f.flags & (FLAG.OMITEMPTY | FLAG.POINTER)) === FLAG.OMITEMPTY && (v === '' || v === 0 || v === false)) {
        continue;
      }
      if (f.flags & FLAG.INLINE) {
        if (v && typeof v === 'object') Object.assign(out, v);
        continue;
      }
      out[f.json] = v;
    }
    return out;
  }

  private mapEntry(buf: Uint8Array, start: number, end: number, f: Field, depth: number): [string, unknown] {
    let key = '';
    let value: unknown;
    let valueParts: Uint8Array[] | undefined;
    const r = new Reader(buf, start, end);
    while (!r.done) {
      const { field, wire } = r.tag();
      if (field === 1) {
        if (wire !== WIRE.BYTES) throw new ProtobufError(`proto: wrong wireType = ${wire} for field key`);
        const [s, e] = r.lengthDelimited();
        key = text(buf, s, e);
      } else if (field === 2) {
        if (wire !== wireOf(f.message ? 'bytes' : f.type)) throw new ProtobufError(`proto: wrong wireType = ${wire} for field value`);
        if (f.message) {
          const [s, e] = r.lengthDelimited();
          (valueParts ??= []).push(buf.subarray(s, e));
        } else {
          value = scalar(r, f.type);
        }
      } else {
        r.skip(wire);
      }
    }
    if (f.message) {
      const bytes = !valueParts ? new Uint8Array(0) : valueParts.length === 1 ? valueParts[0] : Buffer.concat(valueParts);
      value = this.message(bytes, 0, bytes.length, f.type, depth + 1);
    } else if (value === undefined) {
      value = zeroOf(f.type);
    }
    return [key, value];
  }

  /** Types whose JSON form is not their message shape; NOT_SPECIAL for every other message. */
  private special(buf: Uint8Array, start: number, end: number, name: string, depth: number): unknown {
    switch (name) {
      case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      case 'k8s.io.apimachinery.pkg.api.resource.QuantityValue': {
        const s = fields(buf, start, end, { 1: 'string' })[1] as string | undefined;
        return s || '0';
      }
      case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
        const v = fields(buf, start, end, { 1: 'int64', 2: 'int32', 3: 'string' });
        return v[1] === 1 ? (v[3] ?? '') : (v[2] ?? 0);
      }
      case TIME: {
        if (start === end) return null;
        return formatTime((fields(buf, start, end, { 1: 'int64', 2: 'int32' })[1] as number | undefined) ?? 0);
      }
      case MICRO_TIME: {
        if (start === end) return null;
        const v = fields(buf, start, end, { 1: 'int64', 2: 'int32' });
        return formatMicroTime((v[1] as number | undefined) ?? 0, (v[2] as number | undefined) ?? 0);
      }
      case DURATION: {
        const v = fields(buf, start, end, { 1: 'int64big' });
        return formatDuration((v[1] as bigint | undefined) ?? 0n);
      }
      case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
      case FIELDS_V1: {
        const raw = fields(buf, start, end, { 1: 'raw' })[1] as Uint8Array | undefined;
        if (!raw || raw.length === 0) return null;
        if (raw.length >= MAGIC.length && MAGIC.every((b, i) => raw[i] === b)) return this.decodeEnvelope(raw, {}, depth + 1);
        try {
          return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8'));
        } catch (e) {
          throw new ProtobufError(`${name.slice(name.lastIndexOf('.') + 1)} does not hold JSON: ${(e as Error).message}`);
        }
      }
      default:
        return NOT_SPECIAL;
    }
  }
}

const NOT_SPECIAL = Symbol('not special');

const wrongWire = (wire: number, f: Field): ProtobufError =>
  new ProtobufError(`proto: wrong wireType = ${wire} for field ${f.json || f.type.slice(f.type.lastIndexOf('.') + 1)}`);

/** Reads one scalar of a proto type at the reader's position (the wire type already checked). */
function scalar(r: Reader, type: string): unknown {
  switch (type) {
    case 'string': {
      const [s, e] = r.lengthDelimited();
      return text(r.buf, s, e);
    }
    case 'bytes': {
      const [s, e] = r.lengthDelimited();
      return Buffer.from(r.buf.buffer, r.buf.byteOffset + s, e - s).toString('base64');
    }
    case 'bool': return toBool(r.varint());
    case 'int32': return toInt32(r.varint());
    case 'int64': return toInt64(r.varint());
    case 'uint32': return toUint32(r.varint());
    case 'uint64': return toUint64(r.varint());
    case 'sint32': return toSint(r.varint(), 32);
    case 'sint64': return toSint(r.varint(), 64);
    case 'fixed32': return r.fixed32().getUint32(0, true);
    case 'sfixed32': return r.fixed32().getInt32(0, true);
    case 'fixed64': return Number(r.fixed64().getBigUint64(0, true));
    case 'sfixed64': return Number(r.fixed64().getBigInt64(0, true));
    case 'float': return finite(r.fixed32().getFloat32(0, true));
    case 'double': return finite(r.fixed64().getFloat64(0, true));
    default: throw new ProtobufError(`unsupported scalar type ${type}`);
  }
}

function finite(v: number): number {
  if (!Number.isFinite(v)) throw new ProtobufError(`json: unsupported value: ${v}`);
  return v;
}

/** The fields of a small fixed message (the special types'): number -> value, last one wins. */
function fields(buf: Uint8Array, start: number, end: number, types: Record<number, string>): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  const r = new Reader(buf, start, end);
  while (!r.done) {
    const { field, wire } = r.tag();
    const type = types[field];
    if (!type) { r.skip(wire); continue; }
    const expected = type === 'int64big' ? WIRE.VARINT : type === 'raw' ? WIRE.BYTES : wireOf(type);
    if (wire !== expected) throw new ProtobufError(`proto: wrong wireType = ${wire} for field ${field}`);
    if (type === 'raw') {
      const [s, e] = r.lengthDelimited();
      out[field] = buf.subarray(s, e);
    } else if (type === 'int64big') {
      const v: Varint = r.varint();
      out[field] = BigInt.asIntN(64, typeof v === 'bigint' ? v : BigInt(v));
    } else {
      out[field] = scalar(r, type);
    }
  }
  return out;
}

/** The decoder over the committed schema. */
export const protobufDecoder = new ProtobufDecoder(schemaJson as unknown as ProtobufSchema);
