import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ContentStore } from './contentstore.js';
import { sha256 } from './digest.js';
import { ImagePullError } from './errors.js';
import { tarArchive } from '../../../../test/helpers/imagefixtures.js';

const invalid = (message: RegExp) => (e: unknown) => e instanceof ImagePullError && e.reason === 'Invalid' && message.test(e.message);

describe('ContentStore', () => {
  let root: string;
  let store: ContentStore;
  const tmpEntries = () => readdirSync(join(root, 'tmp'));
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'content-store-'));
    store = new ContentStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('ingest stores verified content by digest and reports progress', async () => {
    const data = Buffer.from('hello blob');
    const seen: number[] = [];
    const stored = await store.ingest(Readable.from([data.subarray(0, 5), data.subarray(5)]), { digest: sha256(data), size: data.length }, (n) => seen.push(n));
    assert.deepEqual(stored, { digest: sha256(data), size: data.length });
    assert.deepEqual(seen, [5, 10]);
    assert.deepEqual(await store.readBlob(stored.digest), data);
    assert.equal(await store.writeBlob(data), stored.digest);
    assert.deepEqual(await store.ingest(Readable.from([Buffer.from('x')])), { digest: sha256('x'), size: 1 });
  });

  test('ingest refuses content that does not match its digest or size, leaving nothing', async () => {
    const expected = { digest: sha256('good'), size: 4 };
    await assert.rejects(store.ingest(Readable.from([Buffer.from('evil')]), expected), invalid(/digest mismatch, expected sha256:/));
    await assert.rejects(store.ingest(Readable.from([Buffer.from('goo')]), expected), invalid(/3 bytes, the manifest says 4/));
    await assert.rejects(store.ingest(Readable.from([Buffer.from('good'), Buffer.from('and more')]), expected), invalid(/more than the 4 bytes/));
    assert.ok(!store.hasBlob(expected.digest));
    assert.deepEqual(tmpEntries(), []);
  });

  test('unpack checks the uncompressed digest against the diff_id, for gzip and plain layers', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
    const tar = tarArchive([{ path: 'hello.txt', data: 'hi' }]);
    const gz = await store.writeBlob(gzipSync(tar));
    await assert.rejects(store.unpack(gz, sha256('something else')), invalid(/uncompressed: digest mismatch/));
    assert.ok(!store.hasLayer(sha256('something else')));
    assert.deepEqual(tmpEntries(), [], 'the half-made layer is gone');
    await store.unpack(gz, sha256(tar));
    assert.equal(readFileSync(join(store.layerPath(sha256(tar)), 'hello.txt'), 'utf8'), 'hi');
    const plain = tarArchive([{ path: 'plain', data: 'x' }]);
    await store.unpack(await store.writeBlob(plain), sha256(plain));
    assert.ok(store.hasLayer(sha256(plain)));
    const zstd = await store.writeBlob(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]));
    await assert.rejects(store.unpack(zstd, sha256('zstd')), invalid(/zstd/));
  });

  test('a new store sweeps temp files of dead processes only; collect keeps what it is told', async () => {
    for (const name of ['99999999-dead', `${process.pid}-mine`, '1-init']) mkdirSync(join(root, 'tmp', name));
    store = new ContentStore(root);
    assert.deepEqual(tmpEntries().sort(), [`${process.pid}-mine`, '1-init'].sort());
    const keep = await store.writeBlob(Buffer.from('keep'));
    const drop = await store.writeBlob(Buffer.from('drop'));
    mkdirSync(store.layerPath(sha256('layer a')));
    mkdirSync(store.layerPath(sha256('layer b')));
    await store.collect(new Set([keep]), new Set([sha256('layer a')]));
    assert.ok(store.hasBlob(keep));
    assert.ok(!store.hasBlob(drop));
    assert.ok(store.hasLayer(sha256('layer a')));
    assert.ok(!existsSync(store.layerPath(sha256('layer b'))));
  });
});
