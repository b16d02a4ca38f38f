import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { unpackLayer } from './layerunpack.js';
import { tarArchive, type TarSpec } from '../../../../test/helpers/imagefixtures.js';
import { ImagePullError } from './errors.js';

const xattr = (path: string, name: string) => execFileSync('getfattr', ['-h', '--only-values', '-n', name, path]).toString();
const hasXattr = (path: string, name: string) => execFileSync('getfattr', ['-h', '-d', '-m', '-', path]).toString().includes(name);

describe('unpackLayer', { skip: process.getuid?.() !== 0 && 'needs root (chown, mknod, trusted.* xattrs)' }, () => {
  let dir: string;
  let dest: string;
  let outside: string;
  const unpack = (entries: TarSpec[]) => unpackLayer(Readable.from([tarArchive(entries)]), dest);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'layer-unpack-'));
    dest = join(dir, 'layer');
    outside = join(dir, 'outside');
    mkdirSync(dest);
    mkdirSync(outside);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('keeps numeric owners, modes, times, links, devices and xattrs', async () => {
    await unpack([
      { path: './', type: 'dir', mode: 0o755, mtime: 1000 },
      { path: './etc/', type: 'dir', mode: 0o750, uid: 5, gid: 6, mtime: 2000 },
      { path: './etc/passwd', data: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644, mtime: 3000 },
      { path: './bin/busybox', data: 'ELF', mode: 0o4755, uid: 1000, gid: 1000 },
      { path: './bin/sh', type: 'hardlink', linkPath: './bin/busybox' },
      { path: './bin/ls', type: 'symlink', linkPath: '/bin/busybox' },
      { path: './bin/up', type: 'symlink', linkPath: '../../../../etc/passwd' },
      { path: './dev/null', type: 'chardev', devMajor: 1, devMinor: 3, mode: 0o666 },
      { path: './run/fifo', type: 'fifo', mode: 0o600, uid: 7, gid: 7 },
      { path: './bin/ping', data: 'ELF', mode: 0o755, xattrs: { 'user.note': 'hello', 'trusted.overlay.redirect': '/etc' } },
      { path: 'tmp/', type: 'dir', mode: 0o1777 },
    ]);
    const st = (p: string) => lstatSync(join(dest, p));
    assert.equal(st('').mode & 0o7777, 0o755);
    assert.deepEqual([st('etc').mode & 0o7777, st('etc').uid, st('etc').gid, st('etc').mtimeMs], [0o750, 5, 6, 2000_000], 'dir metadata survives adding children');
    assert.equal(st('etc/passwd').mtimeMs, 3000_000);
    assert.deepEqual([st('bin/busybox').mode & 0o7777, st('bin/busybox').uid], [0o4755, 1000], 'setuid survives chown');
    assert.equal(st('bin/sh').ino, st('bin/busybox').ino);
    assert.equal(readlinkSync(join(dest, 'bin/ls')), '/bin/busybox');
    assert.equal(readlinkSync(join(dest, 'bin/up')), '../../../../etc/passwd', 'symlink targets are resolved in the container, so any is kept');
    assert.ok(st('dev/null').isCharacterDevice());
    assert.equal(st('dev/null').rdev, (1 << 8) | 3);
    assert.ok(st('run/fifo').isFIFO());
    assert.deepEqual([st('run/fifo').uid, st('run/fifo').mode & 0o777], [7, 0o600]);
    assert.equal(xattr(join(dest, 'bin/ping'), 'user.note'), 'hello');
    assert.ok(!hasXattr(join(dest, 'bin/ping'), 'trusted.overlay'), 'a layer may not set overlay xattrs');
    assert.equal(st('tmp').mode & 0o7777, 0o1777);
  });

  test('converts whiteouts to overlay form: 0/0 char devices and opaque dirs', async () => {
    await unpack([
      { path: 'bin/.wh.vi', uid: 3, gid: 4 },
      { path: 'root/.wh..wh..opq' },
      { path: 'root/upper.txt', data: 'from upper' },
      { path: '.wh..wh.plnk/', type: 'dir' },
      { path: 'gone', data: 'written, then whited out by the same layer' },
      { path: '.wh.gone' },
    ]);
    const vi = lstatSync(join(dest, 'bin/vi'));
    assert.ok(vi.isCharacterDevice());
    assert.deepEqual([vi.rdev, vi.uid, vi.gid], [0, 3, 4]);
    assert.equal(xattr(join(dest, 'root'), 'trusted.overlay.opaque'), 'y');
    assert.deepEqual(readdirSync(join(dest, 'root')), ['upper.txt']);
    assert.ok(lstatSync(join(dest, 'gone')).isCharacterDevice());
    assert.deepEqual(readdirSync(dest).sort(), ['bin', 'gone', 'root'], 'no .wh. file is materialised');
  });

  test('later entries replace earlier ones', async () => {
    await unpack([
      { path: 'a', data: 'file first' },
      { path: 'a/', type: 'dir' },
      { path: 'a/x', data: 'x' },
      { path: 'b/c', data: 'c' },
      { path: 'b', type: 'symlink', linkPath: 'a' },
      { path: 'f', data: 'old' },
      { path: 'f', data: 'new' },
    ]);
    assert.ok(lstatSync(join(dest, 'a')).isDirectory());
    assert.ok(lstatSync(join(dest, 'b')).isSymbolicLink());
    assert.equal(readFileSync(join(dest, 'f'), 'utf8'), 'new');
  });

  const hostile: [string, TarSpec[], RegExp][] = [
    ['an absolute path', [{ path: '/etc/evil', data: 'x' }], /absolute/],
    ['a .. path', [{ path: 'a/../../outside/evil', data: 'x' }], /'\.\.'/],
    ['a write through an absolute symlink', [{ path: 'esc', type: 'symlink', linkPath: '/OUTSIDE' }, { path: 'esc/evil', data: 'x' }], /is a symlink/],
    ['a write through a relative symlink', [{ path: 'd/esc', type: 'symlink', linkPath: '../../outside' }, { path: 'd/esc/evil', data: 'x' }], /is a symlink/],
    ['a symlink swapped in for a directory', [{ path: 'd/', type: 'dir' }, { path: 'd', type: 'symlink', linkPath: '../outside' }, { path: 'd/evil', data: 'x' }], /is a symlink/],
    ['a whiteout through a symlink', [{ path: 'esc', type: 'symlink', linkPath: '../outside' }, { path: 'esc/.wh.evil' }], /is a symlink/],
    ['a hardlink with ..', [{ path: 'h', type: 'hardlink', linkPath: '../outside/secret' }], /'\.\.'/],
    ['a hardlink to an absolute path', [{ path: 'h', type: 'hardlink', linkPath: '/OUTSIDE/secret' }], /absolute/],
    ['a hardlink through a symlink', [{ path: 's', type: 'symlink', linkPath: '/OUTSIDE' }, { path: 'h', type: 'hardlink', linkPath: 's/secret' }], /not inside this layer/],
    ['a hardlink to a missing file', [{ path: 'h', type: 'hardlink', linkPath: 'nope' }], /not in this layer/],
    ['a bad whiteout', [{ path: '.wh...' }], /bad whiteout/],
  ];
  for (const [what, entries, why] of hostile) {
    test(`refuses ${what}`, async () => {
      execFileSync('sh', ['-c', 'echo secret > "$1"', 'sh', join(outside, 'secret')]);
      const resolved = entries.map((e) => ({ ...e, linkPath: e.linkPath?.replace('/OUTSIDE', outside) }));
      await assert.rejects(unpack(resolved), (e: unknown) => e instanceof ImagePullError && e.reason === 'Invalid' && why.test(e.message));
      assert.deepEqual(readdirSync(outside), ['secret'], 'nothing was written outside the layer');
      assert.equal(lstatSync(join(outside, 'secret')).nlink, 1, 'no hardlink to an outside file');
    });
  }
});
