import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, type TarEntry } from './tarreader.js';
import { tarArchive } from '../../../../test/helpers/imagefixtures.js';

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(data: Buffer, chunkSize = 7): Promise<(TarEntry & { data: string })[]> {
  const out = [];
  for await (const { entry, body } of readTar(chunked(data, chunkSize))) {
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(c);
    out.push({ ...entry, data: Buffer.concat(parts).toString() });
  }
  return out;
}

const LONG = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(70)}.txt`;

test('reads the entries GNU tar writes, in pax and GNU formats', { skip: process.getuid?.() !== 0 && 'needs root for mknod and chown' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-reader-'));
  try {
    const src = join(dir, 'src');
    mkdirSync(join(src, LONG, '..'), { recursive: true });
    writeFileSync(join(src, LONG), 'long');
    writeFileSync(join(src, 'big-uid'), 'x'.repeat(1000));
    chownSync(join(src, 'big-uid'), 3_000_000, 7);
    execFileSync('chmod', ['4755', join(src, 'big-uid')]);
    linkSync(join(src, 'big-uid'), join(src, 'hard'));
    symlinkSync(`/${'t'.repeat(120)}`, join(src, 'sym'));
    execFileSync('mknod', [join(src, 'null'), 'c', '1', '3']);
    execFileSync('mkfifo', [join(src, 'fifo')]);
    for (const format of ['posix', 'gnu']) {
      const archive = execFileSync('tar', ['--sort=name', `--format=${format}`, '-C', src, '-cf', '-', '.']);
      const entries = new Map((await readAll(archive, 1000)).map((e) => [e.path, e]));
      const [d, e] = LONG.split('/');
      assert.deepEqual([...entries.keys()], ['./', './big-uid', `./${d}/`, `./${d}/${e}/`, `./${LONG}`, './fifo', './hard', './null', './sym'], format);
      assert.equal(entries.get(`./${LONG}`)!.data, 'long');
      const big = entries.get('./big-uid')!;
      assert.deepEqual([big.type, big.uid, big.gid, big.mode, big.data.length], ['file', 3_000_000, 7, 0o4755, 1000], format);
      assert.deepEqual([entries.get('./hard')!.type, entries.get('./hard')!.linkPath], ['hardlink', './big-uid']);
      assert.deepEqual([entries.get('./sym')!.type, entries.get('./sym')!.linkPath], ['symlink', `/${'t'.repeat(120)}`]);
      const dev = entries.get('./null')!;
      assert.deepEqual([dev.type, dev.devMajor, dev.devMinor], ['chardev', 1, 3]);
      assert.equal(entries.get('./fifo')!.type, 'fifo');
      assert.equal(entries.get('./')!.type, 'dir');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reads pax long names, link paths and binary xattrs; skips unread bodies', async () => {
  const capability = Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const archive = tarArchive([
    { path: 'bin/', type: 'dir' },
    { path: 'bin/ping', data: 'elf', mode: 0o755, xattrs: { 'security.capability': capability } },
    { path: `a/${LONG}`, data: 'skipped'.repeat(200) },
    { path: 'link', type: 'symlink', linkPath: `../${LONG}` },
    { path: 'last', data: 'end' },
  ]);
  const seen: TarEntry[] = [];
  let last = '';
  for await (const { entry, body } of readTar(chunked(archive, 100))) {
    seen.push(entry);
    if (entry.path === 'last') for await (const c of body) last += c;
  }
  assert.deepEqual(seen.map((e) => e.path), ['bin/', 'bin/ping', `a/${LONG}`, 'link', 'last']);
  assert.deepEqual(seen[1].xattrs.get('security.capability'), capability);
  assert.equal(seen[3].linkPath, `../${LONG}`);
  assert.equal(last, 'end');
});

test('reads every byte of the input, trailing padding included', async () => {
  const archive = Buffer.concat([tarArchive([{ path: 'f', data: 'x' }]), Buffer.alloc(8192)]);
  let consumed = 0;
  async function* counting(): AsyncGenerator<Buffer> {
    for await (const c of chunked(archive, 512)) {
      consumed += c.length;
      yield c;
    }
  }
  for await (const m of readTar(counting())) void m;
  assert.equal(consumed, archive.length);
});

test('rejects corrupt headers, truncated data and unsupported entries', async () => {
  const good = tarArchive([{ path: 'f', data: 'hello' }]);
  const corrupt = Buffer.from(good);
  corrupt[0] ^= 1;
  await assert.rejects(readAll(corrupt), /checksum mismatch/);
  await assert.rejects(readAll(good.subarray(0, 514)), /unexpected end/);
  await assert.rejects(readAll(good.subarray(0, 300)), /unexpected end/);
  const sparse = Buffer.from(tarArchive([{ path: 'f' }]));
  sparse[156] = 'S'.charCodeAt(0);
  sparse.fill(0x20, 148, 156);
  sparse.write(`${sparse.reduce((a, b) => a + b, 0).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  await assert.rejects(readAll(sparse), /unsupported entry type "S"/);
});
