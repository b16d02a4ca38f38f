// ImageStore without a registry: archive imports, including archives that lie. The registry
// side is covered end to end in test/e2e/images.test.ts.
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256 } from './digest.js';
import { ImagePullError } from './errors.js';
import { ImageStore } from './imagestore.js';
import { ociArchive, ociImage, tarArchive, type OciImageSpec } from '../../../../test/helpers/imagefixtures.js';

const BASE = [{ path: 'etc/', type: 'dir' as const }, { path: 'etc/os-release', data: 'ID=test\n' }];
const TOP = [{ path: 'app', data: 'app', mode: 0o755 }];
const invalid = (message: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ImagePullError && e.reason === 'Invalid', String(e));
  assert.match(e.message, message);
  return true;
};

describe('ImageStore.importArchive', { skip: process.getuid?.() !== 0 && 'needs root (layer owners)' }, () => {
  let dir: string;
  let store: ImageStore;
  const write = (name: string, data: Buffer) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  const oci = (spec: Partial<OciImageSpec> = {}) => ociImage({ layers: [BASE, TOP], config: { Cmd: ['/app'] }, refName: 'registry.test/app:1', ...spec });
  const storeDir = (sub: string) => readdirSync(join(dir, 'store', sub));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'image-store-'));
    store = new ImageStore(join(dir, 'store'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('imports an OCI archive under its ref.name', async () => {
    const image = oci();
    const [imported] = await store.importArchive(write('oci.tar', ociArchive(image)));
    assert.deepEqual(imported, {
      ref: 'registry.test/app:1',
      repoDigest: `registry.test/app@${image.digest}`,
      id: image.configDigest,
      config: { cmd: ['/app'] },
      layers: image.layers.map((l) => join(dir, 'store', 'layers', l.diffId.slice(7))),
      size: image.files.get(`blobs/sha256/${image.configDigest.slice(7)}`)!.length + image.layers.reduce((n, l) => n + l.size, 0),
    });
    assert.deepEqual(store.get('registry.test/app:1'), imported);
    assert.deepEqual(store.list(), [imported]);
  });

  test('a docker save archive: layer tars (one gzipped, one linked twice), RepoTags, a made-up manifest digest', async () => {
    const layers = [tarArchive(BASE), tarArchive(TOP)];
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/app'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l)) } }));
    const archive = tarArchive([
      { path: 'aaa/layer.tar', data: layers[0] },
      { path: 'bbb/layer.tar', data: gzipSync(layers[1]) },
      { path: 'ccc/layer.tar', type: 'symlink', linkPath: '../aaa/layer.tar' },
      { path: 'cfg.json', data: config },
      { path: 'manifest.json', data: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['app:1', 'registry.test/app:2'], Layers: ['ccc/layer.tar', 'bbb/layer.tar'] }]) },
    ]);
    const imported = await store.importArchive(write('docker.tar', archive));
    assert.deepEqual(imported.map((i) => i.ref), ['docker.io/library/app:1', 'registry.test/app:2']);
    assert.equal(imported[0].id, sha256(config));
    assert.deepEqual(imported[0].config, { entrypoint: ['/app'] });
    assert.deepEqual(imported[0].layers, imported[1].layers);
    assert.deepEqual(imported[0].layers.map((l) => l.split('/').at(-1)), layers.map((l) => sha256(l).slice(7)));
    assert.equal(imported[0].repoDigest.split('@')[1], imported[1].repoDigest.split('@')[1]);
    assert.equal((await store.importArchive(write('again.tar', archive)))[0].repoDigest, imported[0].repoDigest, 'the made-up digest is stable');
  });

  test('an image whose config lies about its layers is refused and leaves nothing', async () => {
    const image = oci({ diffIds: [sha256(tarArchive(BASE)), sha256('not the top layer')] });
    await assert.rejects(store.importArchive(write('lie.tar', ociArchive(image))), invalid(/uncompressed: digest mismatch, expected sha256:/));
    assert.deepEqual(store.list(), []);
    assert.deepEqual(storeDir('blobs/sha256'), [], 'garbage collected');
    assert.deepEqual(storeDir('layers'), []);
    assert.deepEqual(storeDir('tmp'), []);
  });

  test('refuses archives it cannot trust or name', async () => {
    await assert.rejects(store.importArchive(write('bare-tag.tar', ociArchive(oci({ refName: '1' })))), invalid(/ref.name "1" is only a tag/));
    const image = oci();
    const [layerPath] = [...image.files.keys()].filter((p) => p.endsWith(image.layers[1].digest.slice(7)));
    const swapped = new Map(image.files).set(layerPath, gzipSync(tarArchive(BASE)));
    await assert.rejects(store.importArchive(write('swapped.tar', ociArchive({ ...image, files: swapped }))), invalid(/archive member blobs\/sha256\/.*: digest mismatch/));
    const missing = new Map(image.files);
    missing.delete(layerPath);
    await assert.rejects(store.importArchive(write('missing.tar', ociArchive({ ...image, files: missing }))), invalid(/blobs\/sha256\/[a-f0-9]+ is missing/));
    await assert.rejects(store.importArchive(write('neither.tar', tarArchive([{ path: 'README', data: 'hi' }]))), invalid(/neither a docker save archive/));
    await assert.rejects(store.importArchive(write('unnamed.tar', tarArchive([{ path: 'manifest.json', data: '[{"Config":"c.json","RepoTags":null,"Layers":[]}]' }]))), invalid(/no RepoTags/));
  });
});
