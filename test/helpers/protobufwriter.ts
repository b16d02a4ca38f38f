// A tiny protobuf writer for hand-made test vectors (unit and end-to-end tests): fields are byte
// arrays that concatenate. Not used by the server.
import { MAGIC } from '../../src/apiserver/protobuf/decode.js';

export type Bytes = number[];

export function varint(v: number | bigint): Bytes {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: Bytes = [];
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? b | 0x80 : b);
  } while (x);
  return out;
}
export const key = (field: number, wire: number): Bytes => varint(field * 8 + wire);
/** A varint field (int32/int64/bool): negative numbers take ten bytes, as Go writes them. */
export const vi = (field: number, v: number | bigint | boolean): Bytes => [...key(field, 0), ...varint(typeof v === 'boolean' ? (v ? 1 : 0) : v)];
/** A length-delimited field. */
export const ld = (field: number, body: Bytes | Uint8Array): Bytes => [...key(field, 2), ...varint(body.length), ...body];
export const str = (field: number, s: string): Bytes => ld(field, [...Buffer.from(s, 'utf8')]);
/** An embedded message made of the given fields. */
export const msg = (field: number, ...parts: Bytes[]): Bytes => ld(field, parts.flat());
/** One map entry {key(1), value(2)}; `value` is the already-written field 2. */
export const entry = (field: number, k: string, value: Bytes): Bytes => msg(field, str(1, k), value);
export const fixed64 = (field: number, v: number): Bytes => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...key(field, 1), ...b];
};
/** A whole request body: the magic and a runtime.Unknown {typeMeta(1), raw(2)}. */
export function envelope(apiVersion: string, kind: string, ...raw: Bytes[]): Buffer {
  const typeMeta = [...(apiVersion ? str(1, apiVersion) : []), ...(kind ? str(2, kind) : [])];
  return Buffer.from([...MAGIC, ...msg(1, typeMeta), ...ld(2, raw.flat())]);
}
