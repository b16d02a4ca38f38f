import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { constants, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONMON_REOPEN_LOG, formatLogTime, logTimeMs, parseCriLine, rotatedLogFiles, rotatedName, rotateLogIfNeeded, streamLogs, type LogOptions } from './logs.js';

const root = mkdtempSync(join(tmpdir(), 'tklogs-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const dir = join(root, `c${n++}`);
  mkdirSync(dir);
  return join(dir, '0.log');
};

/** A CRI record line as conmon writes it. */
const rec = (sec: number, stream: 'stdout' | 'stderr', tag: 'P' | 'F', text: string, nanos = '000000000'): string =>
  `2026-11-22T10:00:${String(sec).padStart(2, '0')}.${nanos}+00:00 ${stream} ${tag} ${text}\n`;

class Collector extends Writable {
  chunks: Buffer[] = [];
  writes = 0;
  constructor(private readonly delayMs = 0, highWaterMark?: number) {
    super({ highWaterMark });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error) => void): void {
    this.chunks.push(chunk);
    this.writes++;
    if (this.delayMs) setTimeout(cb, this.delayMs);
    else cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

const never = new Promise<void>(() => {});
async function read(path: string, opts: LogOptions = {}): Promise<string> {
  const out = new Collector();
  await streamLogs(path, opts, out, never, new AbortController().signal);
  return out.text;
}

describe('CRI log records', () => {
  it('parses time, stream, the P/F tag (with extra tags) and the text, keeping spaces in the text', () => {
    const r = parseCriLine(Buffer.from('2026-11-22T14:58:04.662396423+00:00 stderr P:x  two  spaces '))!;
    assert.equal(r.time, '2026-11-22T14:58:04.662396423+00:00');
    assert.equal(r.stream, 'stderr');
    assert.equal(r.partial, true);
    assert.equal(r.content.toString(), ' two  spaces ');
    assert.equal(parseCriLine(Buffer.from('2026-11-22T14:58:04Z stdout F'))!.content.length, 0, 'an empty line may lack the space');
    assert.equal(parseCriLine(Buffer.from('2026-11-22T14:58:04Z stdout F '))!.partial, false);
    for (const bad of ['', 'garbage', '2026-11-22T14:58:04Z stdin F x', 'yesterday stdout F x', '2026-11-22T14:58:04Z stdout']) {
      assert.equal(parseCriLine(Buffer.from(bad)), undefined, bad);
    }
  });

  it('formats times as Go RFC3339Nano (trailing zeros dropped, Z for UTC) and orders them to the nanosecond', () => {
    assert.equal(formatLogTime('2026-11-22T14:58:04.662396423+00:00'), '2026-11-22T14:58:04.662396423Z');
    assert.equal(formatLogTime('2026-11-22T14:58:04.660000000+00:00'), '2026-11-22T14:58:04.66Z');
    assert.equal(formatLogTime('2026-11-22T14:58:04.000000000Z'), '2026-11-22T14:58:04Z');
    assert.equal(formatLogTime('2026-11-22T14:58:04.5+01:00'), '2026-11-22T14:58:04.5+01:00');
    assert.equal(logTimeMs('2026-11-22T14:58:04.5+01:00'), Date.parse('2026-11-22T13:58:04.500Z'));
    assert.ok(logTimeMs('2026-11-22T14:58:04.000100Z') > logTimeMs('2026-11-22T14:58:04Z'));
  });

  it('names rotated files by UTC time, sortable, and lists only those', async () => {
    const path = fresh();
    assert.equal(rotatedName(path, new Date('2026-01-02T03:04:05.006Z')), `${path}.20260102-030405.006`);
    for (const suffix of ['20260102-030405.006', '20251231-235959.999', 'tmp', '20260102-030405.006.gz']) writeFileSync(`${path}.${suffix}`, '');
    writeFileSync(path, '');
    assert.deepEqual(await rotatedLogFiles(path), [`${path}.20251231-235959.999`, `${path}.20260102-030405.006`]);
  });
});

describe('streamLogs (no follow)', () => {
  const path = fresh();
  writeFileSync(path, [
    rec(1, 'stdout', 'F', 'one'),
    rec(2, 'stdout', 'P', 'par'),
    rec(3, 'stderr', 'F', 'err between the parts'),
    rec(4, 'stdout', 'P', 't'),
    rec(5, 'stdout', 'F', 'ial'),
    'not a CRI line\n',
    rec(6, 'stdout', 'F', ''),
    rec(7, 'stderr', 'F', 'last full line'),
    rec(8, 'stdout', 'P', 'no newline yet').trimEnd(),   // the file ends without a newline
  ].join(''));

  it('writes the text: both streams in file order, partial records joined per stream, garbage skipped', async () => {
    assert.equal(await read(path), 'one\nerr between the parts\npartial\n\nlast full line\nno newline yet');
  });

  it('prefixes each line (not each record) with its first record\'s time', async () => {
    assert.equal(await read(path, { timestamps: true }), [
      '2026-11-22T10:00:01Z one', '2026-11-22T10:00:03Z err between the parts', '2026-11-22T10:00:02Z partial', '2026-11-22T10:00:06Z ',
      '2026-11-22T10:00:07Z last full line', '2026-11-22T10:00:08Z no newline yet',
    ].join('\n'));
  });

  it('tails lines, counting a line written in parts once and a trailing partial line as a line', async () => {
    assert.equal(await read(path, { tailLines: 0 }), '');
    assert.equal(await read(path, { tailLines: 1 }), 'no newline yet');
    assert.equal(await read(path, { tailLines: 3 }), '\nlast full line\nno newline yet');
    assert.equal(await read(path, { tailLines: 4 }), 'partial\n\nlast full line\nno newline yet');
    assert.equal(await read(path, { tailLines: 100 }), await read(path));
    assert.equal(await read(path, { tailLines: -1 }), await read(path));
  });

  it('filters by since (time of the line\'s first record) and cuts at limitBytes', async () => {
    assert.equal(await read(path, { sinceTime: new Date('2026-11-22T10:00:04Z') }), '\nlast full line\nno newline yet');
    assert.equal(await read(path, { sinceTime: new Date('2026-11-22T10:00:02.5Z') }), 'err between the parts\n\nlast full line\nno newline yet', '"partial" began at :02');
    assert.equal(await read(path, { sinceTime: new Date('2026-11-22T10:00:02Z') }), 'err between the parts\npartial\n\nlast full line\nno newline yet');
    assert.equal(await read(path, { sinceSeconds: 1 }), '', 'all older than a second');
    assert.equal(await read(path, { limitBytes: 6 }), 'one\ner');
    assert.equal(await read(path, { limitBytes: 0 }), '');
    assert.equal(await read(path, { timestamps: true, limitBytes: 25 }), '2026-11-22T10:00:01Z one\n');
    assert.equal(await read(path, { tailLines: 2, timestamps: true, limitBytes: 22 }), '2026-11-22T10:00:07Z l');
  });

  it('gives nothing for a log that does not exist (yet)', async () => {
    assert.equal(await read(join(root, 'nope', '0.log')), '');
  });

  it('joins a huge line written in 8 KiB records, and tails a big file across read chunks', async () => {
    const big = fresh();
    const piece = 'x'.repeat(8192);
    const parts: string[] = [rec(0, 'stdout', 'F', 'before')];
    for (let i = 0; i < 400; i++) parts.push(rec(1, 'stdout', 'P', piece)); // 3.2 MiB in one line
    parts.push(rec(2, 'stdout', 'F', 'END'));
    for (let i = 0; i < 30_000; i++) parts.push(rec(3, i % 3 ? 'stdout' : 'stderr', 'F', `line ${i}`));
    writeFileSync(big, parts.join(''));
    const stamped = (await read(big, { timestamps: true })).split('\n');
    assert.equal(stamped[0], '2026-11-22T10:00:00Z before');
    assert.equal(stamped[1].length, '2026-11-22T10:00:01Z '.length + 400 * 8192 + 3, 'one timestamp for the joined line');
    assert.ok(stamped[1].startsWith('2026-11-22T10:00:01Z xxx') && stamped[1].endsWith('xxxEND'));
    assert.equal(stamped[2], '2026-11-22T10:00:03Z line 0');
    const plain = await read(big);
    const lines = plain.split('\n');
    assert.equal(lines.length, 2 + 30_000 + 1);
    assert.equal(await read(big, { tailLines: 3 }), 'line 29997\nline 29998\nline 29999\n');
    assert.equal(await read(big, { tailLines: 30_001 }), lines.slice(1).join('\n'));
    assert.equal(await read(big, { tailLines: 30_002 }), plain);
  });

  it('reads the rotated files first, and tails across them', async () => {
    const p = fresh();
    writeFileSync(`${p}.20261122-095900.000`, rec(1, 'stdout', 'F', 'oldest') + rec(1, 'stdout', 'P', 'split across '));
    writeFileSync(`${p}.20261122-095959.000`, rec(2, 'stdout', 'F', 'files') + rec(2, 'stderr', 'F', 'older'));
    writeFileSync(p, rec(3, 'stdout', 'F', 'current'));
    assert.equal(await read(p), 'oldest\nsplit across files\nolder\ncurrent\n');
    assert.equal(await read(p, { tailLines: 2 }), 'older\ncurrent\n');
    assert.equal(await read(p, { tailLines: 3 }), 'split across files\nolder\ncurrent\n', 'a line split across files is kept whole');
  });

  it('waits for a slow client (backpressure) without losing or reordering anything', async () => {
    const p = fresh();
    writeFileSync(p, Array.from({ length: 5000 }, (_, i) => rec(1, 'stdout', 'F', `n${i} ${'y'.repeat(100)}`)).join(''));
    const out = new Collector(1, 1024);
    await streamLogs(p, {}, out, never, new AbortController().signal);
    const lines = out.text.split('\n');
    assert.equal(lines.length, 5001);
    assert.ok(lines.slice(0, 5000).every((l, i) => l.startsWith(`n${i} `)));
  });

  it('ends at the size the file had when asked, even when lines come while a slow client reads', async () => {
    const p = fresh();
    writeFileSync(p, Array.from({ length: 5000 }, (_, i) => rec(1, 'stdout', 'F', `n${i} ${'y'.repeat(100)}`)).join(''));
    const out = new Collector(1, 1024);
    const write = out._write.bind(out);
    out._write = (chunk, enc, cb) => {
      if (out.writes === 0) appendFileSync(p, rec(2, 'stdout', 'F', 'late'));
      write(chunk, enc, cb);
    };
    await streamLogs(p, {}, out, never, new AbortController().signal);
    assert.equal(out.text.split('\n').length, 5001);
    assert.ok(!out.text.includes('late'));
    assert.equal(await read(p, { tailLines: 1 }), 'late\n', 'the next request sees it');
  });

  it('stops when the client goes away', async () => {
    const p = fresh();
    writeFileSync(p, Array.from({ length: 20_000 }, (_, i) => rec(1, 'stdout', 'F', `n${i} ${'y'.repeat(100)}`)).join(''));
    const out = new Collector(1, 1024);
    setTimeout(() => out.destroy(), 20);
    await streamLogs(p, {}, out, never, new AbortController().signal);
    assert.ok(out.text.length < 20_000 * 100);
  });
});

describe('streamLogs with follow', () => {
  it('waits for the file, streams new lines at once, follows a rotation, and ends after the container ends and the file is drained', async () => {
    const p = fresh();
    const out = new Collector();
    let end!: () => void;
    const ended = new Promise<void>((r) => { end = r; });
    const done = streamLogs(p, { follow: true }, out, ended, new AbortController().signal);
    await sleep(30);
    writeFileSync(p, rec(1, 'stdout', 'F', 'first'));
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const want = `line ${i}\n`;
      const t0 = performance.now();
      appendFileSync(p, rec(2, 'stdout', 'F', `line ${i}`));
      while (!out.text.endsWith(want)) await new Promise((r) => setImmediate(r));
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    console.log(`# follow latency (write → client, fs.watch): p50 ${latencies[15].toFixed(2)} ms, max ${latencies[29].toFixed(2)} ms`);
    assert.ok(latencies[27] < 50, `p90 ${latencies[27]} ms`);

    // Rotation the way conmon reopens: the old file renamed, a last line into it, then a new file.
    appendFileSync(p, rec(3, 'stdout', 'P', 'half '));
    const rotated = rotatedName(p, new Date());
    renameSync(p, rotated);
    await sleep(20);
    appendFileSync(rotated, rec(3, 'stdout', 'F', 'and half'));
    writeFileSync(`${p}.tmp`, rec(4, 'stderr', 'F', 'new file'));
    renameSync(`${p}.tmp`, p);
    await sleep(30);
    appendFileSync(p, rec(5, 'stdout', 'P', 'unterminated'));
    await sleep(30);
    assert.match(out.text, /half and half\nnew file\nunterminated$/, 'a partial line is shown once the follow has caught up');
    appendFileSync(p, rec(5, 'stdout', 'F', ' line'));
    end();
    await done;
    const lines = out.text.split('\n');
    assert.deepEqual(lines.slice(0, 2), ['first', 'line 0']);
    assert.deepEqual(lines.slice(-4), ['half and half', 'new file', 'unterminated line', '']);
  });

  it('with tail 0 shows only new lines; a missing file and an ended container end at once; abort ends it', async () => {
    const p = fresh();
    writeFileSync(p, rec(1, 'stdout', 'F', 'old'));
    const out = new Collector();
    const ac = new AbortController();
    const done = streamLogs(p, { follow: true, tailLines: 0, timestamps: true }, out, never, ac.signal);
    await sleep(20);
    appendFileSync(p, rec(2, 'stdout', 'F', 'new', '123000000'));
    await sleep(30);
    ac.abort();
    await done;
    assert.equal(out.text, '2026-11-22T10:00:02.123Z new\n');

    const none = new Collector();
    await streamLogs(join(root, 'missing', '0.log'), { follow: true }, none, Promise.resolve(), new AbortController().signal);
    assert.equal(none.text, '');
  });

  it('ends at limitBytes while following', async () => {
    const p = fresh();
    const out = new Collector();
    const done = streamLogs(p, { follow: true, limitBytes: 10 }, out, never, new AbortController().signal);
    writeFileSync(p, rec(1, 'stdout', 'F', 'abcdef'));
    await sleep(20);
    appendFileSync(p, rec(1, 'stdout', 'F', 'ghijkl'));
    await done;
    assert.equal(out.text, 'abcdef\nghi');
  });
});

describe('rotateLogIfNeeded', () => {
  it('rotates past maxBytes, asks for a reopen, and keeps maxFiles old files', async () => {
    const p = fresh();
    const dir = join(p, '..');
    const reopened: string[] = [];
    // The fake conmon: creates the new file when asked, as conmon's reopen does.
    const reopen = async (containerDir: string): Promise<void> => {
      reopened.push(containerDir);
      writeFileSync(p, '');
    };
    let clock = Date.parse('2026-11-22T10:00:00Z');
    const opts = { reopen, now: () => new Date(clock) };
    writeFileSync(p, 'x'.repeat(100));
    assert.equal(await rotateLogIfNeeded('/state/c1', p, 100, 2, opts), false, 'not over the limit');
    appendFileSync(p, 'x');
    assert.equal(await rotateLogIfNeeded('/state/c1', p, 100, 2, opts), true);
    assert.deepEqual(reopened, ['/state/c1']);
    assert.equal(readFileSync(p, 'utf8'), '');
    assert.equal(readFileSync(`${p}.20261122-100000.000`, 'utf8').length, 101);
    for (let i = 1; i <= 3; i++) {
      clock += 1000;
      writeFileSync(p, `gen ${i} `.repeat(20));
      assert.equal(await rotateLogIfNeeded('/state/c1', p, 100, 2, opts), true);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['0.log', '0.log.20261122-100002.000', '0.log.20261122-100003.000']);
    // Same millisecond twice: the name moves on rather than overwriting.
    writeFileSync(p, 'y'.repeat(200));
    assert.equal(await rotateLogIfNeeded('/state/c1', p, 100, 5, opts), true);
    assert.ok(existsSync(`${p}.20261122-100003.001`));
    assert.equal(await rotateLogIfNeeded('/state/c1', join(dir, 'none.log'), 100, 2, opts), false, 'no log: nothing to do');
  });

  it('puts the file back when nobody can reopen it (conmon gone: ENXIO)', async () => {
    const p = fresh();
    const dir = join(p, '..');
    writeFileSync(p, 'z'.repeat(500));
    execFileSync('mkfifo', [join(dir, 'ctl')]);
    assert.equal(await rotateLogIfNeeded(dir, p, 100, 2), false, 'a FIFO without reader');
    assert.equal(readFileSync(p, 'utf8').length, 500);
    assert.deepEqual(await rotatedLogFiles(p), []);
    const missing = fresh();
    writeFileSync(missing, 'z'.repeat(500));
    assert.equal(await rotateLogIfNeeded(join(missing, '..'), missing, 100, 2), false, 'no ctl FIFO at all');
    assert.ok(existsSync(missing));
  });

  it('sends conmon\'s reopen message on the ctl FIFO', async () => {
    const p = fresh();
    const dir = join(p, '..');
    writeFileSync(p, 'z'.repeat(500));
    const ctl = join(dir, 'ctl');
    execFileSync('mkfifo', [ctl]);
    const reader = await open(ctl, constants.O_RDWR); // as conmon holds it
    try {
      const rotation = rotateLogIfNeeded(dir, p, 100, 2, { waitMs: 200 });
      const buf = Buffer.alloc(64);
      const { bytesRead } = await reader.read(buf, 0, 64, null);
      assert.equal(buf.subarray(0, bytesRead).toString(), CONMON_REOPEN_LOG);
      assert.equal(CONMON_REOPEN_LOG, '2 0 0\n');
      writeFileSync(p, ''); // conmon's new file
      assert.equal(await rotation, true);
      assert.equal((await rotatedLogFiles(p)).length, 1);
    } finally {
      await reader.close();
    }
  });
});
