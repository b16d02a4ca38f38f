// DNS messages (RFC 1035) as far as a cluster DNS server needs them: parse a query's header and
// question, build an answer with A, CNAME and SRV records (names written in full, the question's
// name by pointer), NXDOMAIN with the zone's SOA, REFUSED.

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, AAAA: 28, SRV: 33, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const CLASS_IN = 1;

export interface Question { name: string; type: number; class: number }
export interface Query { id: number; flags: number; question: Question; /** bytes up to the end of the question */ raw: Buffer }

export class DnsFormatError extends Error {}

/** Reads a (possibly compressed) name at `offset`; returns it lower-cased, without the final dot. */
function readName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  for (let jumps = 0; ; jumps++) {
    if (pos >= buf.length || jumps > 64) throw new DnsFormatError('bad name');
    const len = buf[pos];
    if (len === 0) { if (end < 0) end = pos + 1; break; }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsFormatError('bad pointer');
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1];
      continue;
    }
    if (len > 63 || pos + 1 + len > buf.length) throw new DnsFormatError('bad label');
    labels.push(buf.subarray(pos + 1, pos + 1 + len).toString('latin1'));
    pos += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), end };
}

/** The query's id, flags and (first) question; throws DnsFormatError on a malformed one. */
export function parseQuery(buf: Buffer): Query {
  if (buf.length < 12) throw new DnsFormatError('short message');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  if (qd < 1) throw new DnsFormatError('no question');
  const { name, end } = readName(buf, 12);
  if (end + 4 > buf.length) throw new DnsFormatError('short question');
  return { id, flags, question: { name, type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2) }, raw: buf.subarray(0, end + 4) };
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean).map((l) => {
    const b = Buffer.from(l, 'latin1');
    return Buffer.concat([Buffer.from([Math.min(b.length, 63)]), b.subarray(0, 63)]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

export type Record =
  | { name: string; type: 'A'; ttl: number; ip: string }
  | { name: string; type: 'CNAME'; ttl: number; target: string }
  | { name: string; type: 'SRV'; ttl: number; priority: number; weight: number; port: number; target: string }
  | { name: string; type: 'SOA'; ttl: number; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

function rdata(r: Record): { type: number; data: Buffer } {
  switch (r.type) {
    case 'A': return { type: TYPE.A, data: Buffer.from(r.ip.split('.').map(Number)) };
    case 'CNAME': return { type: TYPE.CNAME, data: encodeName(r.target) };
    case 'SRV': {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(r.priority, 0);
      head.writeUInt16BE(r.weight, 2);
      head.writeUInt16BE(r.port, 4);
      return { type: TYPE.SRV, data: Buffer.concat([head, encodeName(r.target)]) };
    }
    case 'SOA': {
      const nums = Buffer.alloc(20);
      [r.serial, r.refresh, r.retry, r.expire, r.minimum].forEach((n, i) => nums.writeUInt32BE(n >>> 0, i * 4));
      return { type: TYPE.SOA, data: Buffer.concat([encodeName(r.mname), encodeName(r.rname), nums]) };
    }
  }
}

function encodeRecord(r: Record, qname: string): Buffer {
  const { type, data } = rdata(r);
  // The question's name is at offset 12: point there instead of writing it again.
  const name = r.name.toLowerCase() === qname ? Buffer.from([0xc0, 0x0c]) : encodeName(r.name);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(r.ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([name, fixed, data]);
}

/**
 * A response to `q`: QR and AA (when `authoritative`) set, RD copied, RA off (this server does not
 * recurse unless it forwards), the question echoed.
 */
export function buildResponse(q: Query, rcode: number, answers: Record[], authority: Record[] = [], authoritative = true): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  const rd = q.flags & 0x0100;
  header.writeUInt16BE(0x8000 | (authoritative ? 0x0400 : 0) | rd | (rcode & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  header.writeUInt16BE(authority.length, 8);
  header.writeUInt16BE(0, 10);
  const question = q.raw.subarray(12);
  return Buffer.concat([header, question, ...answers.map((r) => encodeRecord(r, q.question.name)), ...authority.map((r) => encodeRecord(r, q.question.name))]);
}

/** FORMERR for a message too broken to parse a question from (just the header, echoed id). */
export function formatError(buf: Buffer): Buffer | undefined {
  if (buf.length < 2) return undefined;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(buf.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8000 | RCODE.FORMERR, 2);
  return header;
}

/** Parses answers out of a response (for tests): [type, name, data] triples. */
export function parseAnswers(buf: Buffer): { rcode: number; answers: { name: string; type: number; data: string }[] } {
  const rcode = buf.readUInt16BE(2) & 0xf;
  const an = buf.readUInt16BE(6);
  let pos = readName(buf, 12).end + 4;
  const answers: { name: string; type: number; data: string }[] = [];
  for (let i = 0; i < an; i++) {
    const { name, end } = readName(buf, pos);
    const type = buf.readUInt16BE(end);
    const len = buf.readUInt16BE(end + 8);
    const start = end + 10;
    let data = '';
    if (type === TYPE.A) data = [...buf.subarray(start, start + 4)].join('.');
    else if (type === TYPE.CNAME) data = readName(buf, start).name;
    else if (type === TYPE.SRV) data = `${buf.readUInt16BE(start)} ${buf.readUInt16BE(start + 2)} ${buf.readUInt16BE(start + 4)} ${readName(buf, start + 6).name}`;
    answers.push({ name, type, data });
    pos = start + len;
  }
  return { rcode, answers };
}
