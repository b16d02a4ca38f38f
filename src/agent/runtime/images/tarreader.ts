// A streaming reader for the tar dialects image layers and archives use: POSIX ustar with pax
// extended headers (long names, big numbers, xattrs) and GNU long-name entries. It only parses:
// what an entry may do to the file system is decided by the code that applies it.
import { ImagePullError } from './errors.js';

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'dir' | 'fifo';

export interface TarEntry {
  path: string;
  type: TarEntryType;
  /** Permission bits, with setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkPath: string;
  devMajor: number;
  devMinor: number;
  xattrs: Map<string, Buffer>;
}

export interface TarMember {
  entry: TarEntry;
  /** The file's content; whatever the consumer leaves unread is skipped. */
  body: AsyncIterable<Buffer>;
}

const BLOCK = 512;
/** Pax and GNU long-name bodies are held in memory; nothing legitimate comes near this. */
const MAX_META_SIZE = 1 << 20;
const TYPES: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'chardev', '4': 'blockdev', '5': 'dir', '6': 'fifo',
};

const invalid = (message: string) => new ImagePullError('Invalid', `tar archive: ${message}`);

/** Reads exact byte counts from a chunked stream. */
class ByteReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private readonly source: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Buffers at least `n` bytes unless the input ends first. */
  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n && !this.ended) {
      const next = await this.source.next();
      if (next.done) this.ended = true;
      else if (next.value.length) {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
    return this.buffered >= n;
  }

  /** Up to `max` bytes from the front of the buffer (never more than one chunk). */
  private take(max: number): Buffer {
    const first = this.chunks[0];
    const piece = first.length <= max ? this.chunks.shift()! : first.subarray(0, max);
    if (piece !== first) this.chunks[0] = first.subarray(max);
    this.buffered -= piece.length;
    return piece;
  }

  /** Exactly `n` bytes; undefined when the input ended cleanly before them. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) {
      if (this.buffered === 0) return undefined;
      throw invalid('unexpected end of data');
    }
    const parts: Buffer[] = [];
    for (let left = n; left > 0; ) {
      const piece = this.take(left);
      parts.push(piece);
      left -= piece.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** The next chunk of at most `max` bytes. */
  async next(max: number): Promise<Buffer> {
    if (!(await this.fill(1))) throw invalid('unexpected end of data');
    return this.take(max);
  }

  async skip(n: number): Promise<void> {
    for (let left = n; left > 0; ) left -= (await this.next(left)).length;
  }

  /** Consumes the rest of the input (so a digest over it covers every byte). */
  async drain(): Promise<void> {
    while (await this.fill(1)) this.take(this.buffered);
  }
}

/** One entry's data, counting what the consumer read so the rest can be skipped. */
class EntryBody implements AsyncIterable<Buffer> {
  constructor(private readonly reader: ByteReader, private remaining: number) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    while (this.remaining > 0) {
      const chunk = await this.reader.next(this.remaining);
      this.remaining -= chunk.length;
      yield chunk;
    }
  }

  async skipRest(): Promise<void> {
    await this.reader.skip(this.remaining);
    this.remaining = 0;
  }
}

export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarMember> {
  const reader = new ByteReader(source);
  const globalPax = new Map<string, Buffer>();
  let pax = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  const readMeta = async (size: number): Promise<Buffer> => {
    if (size > MAX_META_SIZE) throw invalid(`metadata entry of ${size} bytes`);
    const data = (await reader.read(size)) ?? Buffer.alloc(0);
    if (data.length < size) throw invalid('unexpected end of data');
    await reader.skip(padding(size));
    return data;
  };
  for (;;) {
    const block = await reader.read(BLOCK);
    if (!block || block.every((b) => b === 0)) break; // end of archive; the second zero block and record padding are drained below
    verifyChecksum(block);
    const flag = String.fromCharCode(block[156]);
    const size = number(block.subarray(124, 136), 'size');
    switch (flag) {
      case 'x': parsePax(await readMeta(size), pax); continue;
      case 'g': parsePax(await readMeta(size), globalPax); continue;
      case 'L': longName = cString(await readMeta(size)); continue;
      case 'K': longLink = cString(await readMeta(size)); continue;
    }
    const entry = headerEntry(block, flag, new Map([...globalPax, ...pax]), longName, longLink);
    const dataSize = entry.type === 'file' ? entry.size : 0;
    const body = new EntryBody(reader, dataSize);
    yield { entry, body };
    await body.skipRest();
    await reader.skip(padding(dataSize));
    pax = new Map();
    longName = longLink = undefined;
  }
  await reader.drain();
}

function headerEntry(block: Buffer, flag: string, pax: Map<string, Buffer>, longName?: string, longLink?: string): TarEntry {
  const ustar = block.toString('latin1', 257, 263) === 'ustar\0'; // GNU tar's "ustar  " has no prefix field
  const prefix = ustar ? cString(block.subarray(345, 500)) : '';
  const name = cString(block.subarray(0, 100));
  const path = pax.get('path')?.toString('utf8') ?? longName ?? (prefix ? `${prefix}/${name}` : name);
  let type = TYPES[flag];
  if (!type) throw invalid(`unsupported entry type ${JSON.stringify(flag)} for ${JSON.stringify(path)}`);
  if (type === 'file' && flag !== '7' && path.endsWith('/')) type = 'dir'; // pre-POSIX directories
  const paxNumber = (key: string, fallback: number) => {
    const v = pax.get(key)?.toString('latin1');
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+(\.\d*)?$/.test(v) || !Number.isSafeInteger(Math.floor(n))) throw invalid(`bad pax ${key} ${JSON.stringify(v)}`);
    return Math.floor(n);
  };
  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of pax) if (key.startsWith('SCHILY.xattr.')) xattrs.set(key.slice('SCHILY.xattr.'.length), value);
  if ([...pax.keys()].some((k) => k.startsWith('GNU.sparse.'))) throw invalid(`sparse files are not supported (${JSON.stringify(path)})`);
  return {
    path,
    type,
    mode: number(block.subarray(100, 108), 'mode') & 0o7777,
    uid: paxNumber('uid', number(block.subarray(108, 116), 'uid')),
    gid: paxNumber('gid', number(block.subarray(116, 124), 'gid')),
    size: paxNumber('size', number(block.subarray(124, 136), 'size')),
    mtime: paxNumber('mtime', number(block.subarray(136, 148), 'mtime')),
    linkPath: pax.get('linkpath')?.toString('utf8') ?? longLink ?? cString(block.subarray(157, 257)),
    devMajor: number(block.subarray(329, 337), 'devmajor'),
    devMinor: number(block.subarray(337, 345), 'devminor'),
    xattrs,
  };
}

function verifyChecksum(block: Buffer): void {
  const stored = number(block.subarray(148, 156), 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) throw invalid('header checksum mismatch');
}

/** An octal field, or GNU's base-256 form (high bit set) for values that do not fit. */
function number(field: Buffer, what: string): number {
  if (field[0] & 0x80) {
    if (field[0] === 0xff) throw invalid(`negative ${what}`);
    let value = field[0] & 0x7f;
    for (const b of field.subarray(1)) value = value * 256 + b;
    if (!Number.isSafeInteger(value)) throw invalid(`${what} too large`);
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]*$/.test(text)) throw invalid(`bad ${what} field ${JSON.stringify(text)}`);
  return text ? parseInt(text, 8) : 0;
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? field.length : end);
}

/** Pax records are `<length> <key>=<value>\n`, the length in bytes and counting itself. */
function parsePax(data: Buffer, into: Map<string, Buffer>): void {
  for (let pos = 0; pos < data.length && data[pos] !== 0; ) {
    const space = data.indexOf(0x20, pos);
    const length = Number(data.toString('latin1', pos, space));
    const end = pos + length;
    if (space < 0 || !Number.isInteger(length) || length <= 0 || end > data.length || data[end - 1] !== 0x0a) throw invalid('malformed pax header');
    const record = data.subarray(space + 1, end - 1);
    const eq = record.indexOf(0x3d);
    if (eq < 0) throw invalid('malformed pax record');
    into.set(record.toString('utf8', 0, eq), record.subarray(eq + 1));
    pos = end;
  }
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
