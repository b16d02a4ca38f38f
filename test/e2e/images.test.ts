// The image store against a real registry (Debian's docker-registry, on 127.0.0.1 only): pulls by
// tag, digest and through an index, digest checks, bearer tokens with blob redirects, archive
// imports (a docker-archive written by skopeo, an OCI tarball), a pull killed mid-unpack, and the
// unpacked layers mounted with overlayfs. Needs root, docker-registry, busybox-static, attr (setfattr); skopeo for the
// docker-archive case. Skips with the reason otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImagePullError, ImageStore, type PullProgress } from '../../src/agent/runtime/images/index.js';
import { BUSYBOX, WHITEOUT_LAYER, buildBusyboxImage, pushImage, startRegistry, type BuiltImage, type TestRegistry } from './fixtures/images.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = [['docker-registry', 'docker-registry'], ['setfattr', 'attr'], ['mknod', 'coreutils'], ['mount', 'mount']].filter(([t]) => !has(t));
if (!existsSync(BUSYBOX)) missing.push([BUSYBOX, 'busybox-static']);
const skip = process.getuid?.() !== 0
  ? 'needs root (layer owners, whiteout devices, trusted.* xattrs, mounts)'
  : missing.length ? `missing ${missing.map(([t]) => t).join(', ')} (apt-get install ${missing.map(([, p]) => p).join(' ')})` : false;

const failsWith = (reason: ImagePullError['reason'], message: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ImagePullError, `expected an ImagePullError, got ${e}`);
  assert.equal(e.reason, reason, e.message);
  assert.match(e.message, message);
  return true;
};

/** Where docker-registry keeps a blob's bytes. */
const registryBlob = (registry: TestRegistry, digest: string) =>
  join(registry.storageDir, 'docker/registry/v2/blobs/sha256', digest.slice(7, 9), digest.slice(7), 'data');

interface AuthFront {
  host: string;
  blobGets: Map<string, number>;
  tokenScopes: string[];
  /** Authorization headers the blob redirect target received. */
  redirectedAuth: (string | undefined)[];
  stop(): Promise<void>;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => handler(req, res).catch((e) => res.writeHead(500).end(String(e))));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

async function relay(target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const upstream = await fetch(target, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } });
  const headers: Record<string, string> = {};
  for (const h of ['content-type', 'content-length', 'docker-content-digest']) if (upstream.headers.has(h)) headers[h] = upstream.headers.get(h)!;
  res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
}

/**
 * A registry front wanting bearer tokens from its own /token realm (refused for `e2e/secret`), which
 * redirects blob downloads to a second server, as registries send clients to a CDN.
 */
async function startAuthFront(registry: TestRegistry): Promise<AuthFront> {
  const front = { blobGets: new Map<string, number>(), tokenScopes: [] as string[], redirectedAuth: [] as (string | undefined)[] };
  const cdn = await listen(async (req, res) => {
    front.redirectedAuth.push(req.headers.authorization);
    await relay(registry.url + req.url, req, res);
  });
  const { server, url } = await listen(async (req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    if (path === '/token') {
      const scope = new URL(req.url!, 'http://x').searchParams.get('scope') ?? '';
      front.tokenScopes.push(scope);
      if (scope.includes('e2e/secret')) return void res.writeHead(403).end('{"details":"no access"}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `token for ${scope}` }));
    }
    const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(path)?.[1];
    const scope = repo ? `repository:${repo}:pull` : '';
    const realm = `Bearer realm="${url}/token",service="tinykube-e2e"${scope ? `,scope="${scope}"` : ''}`;
    const auth = req.headers.authorization;
    if (!auth || (repo && auth !== `Bearer token for ${scope}`)) return void res.writeHead(401, { 'www-authenticate': realm }).end();
    if (path === '/v2/') return void res.writeHead(200).end('{}');
    if (path.includes('/blobs/')) {
      front.blobGets.set(path, (front.blobGets.get(path) ?? 0) + 1);
      return void res.writeHead(307, { location: cdn.url + req.url }).end();
    }
    await relay(registry.url + req.url, req, res);
  });
  const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
  return { ...front, host: new URL(url).host, stop: async () => { await close(server); await close(cdn.server); } };
}

describe('image store with a real registry', { skip }, () => {
  let dir: string;
  let registry: TestRegistry;
  let front: AuthFront;
  let image: BuiltImage;
  let multi: BuiltImage;
  const mounts: string[] = [];
  const newStore = (name: string) => new ImageStore(join(dir, name));
  const uniqueImage = (name: string) =>
    buildBusyboxImage(join(dir, name), { tag: '1', extraLayers: [[{ path: 'unique', data: randomBytes(4096) }]] });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinykube-images-'));
    registry = await startRegistry(join(dir, 'registry'));
    image = buildBusyboxImage(join(dir, 'oci-busybox'), {
      tag: 'tinykube.test/busybox:oci', extraLayers: [WHITEOUT_LAYER], entrypoint: ['/bin/sh', '-c'], cmd: ['httpd -f -p 8080 -h /var/www'],
      env: ['PATH=/bin', 'GREETING=hi'], workingDir: '/var/www', user: '65534', tarball: join(dir, 'busybox-oci.tar'),
    });
    multi = buildBusyboxImage(join(dir, 'oci-multi'), { tag: '1', multiArch: true });
    await pushImage(image, registry.url, 'e2e/busybox', '1');
    await pushImage(multi, registry.url, 'e2e/multi', '1');
    front = await startAuthFront(registry);
  });

  after(async () => {
    for (const m of mounts) spawnSync('umount', [m]);
    await front?.stop();
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('pulls by tag: digests checked, layers unpacked under their diff_ids, config mapped, kept across restarts', async () => {
    const store = newStore('by-tag');
    const progress: PullProgress[] = [];
    const ref = `${registry.host}/e2e/busybox:1`;
    const pulled = await store.pull(ref, (p) => progress.push(p));
    assert.equal(pulled.ref, ref);
    assert.equal(pulled.repoDigest, `${registry.host}/e2e/busybox@${image.digest}`);
    assert.equal(pulled.id, image.configDigest);
    assert.deepEqual(pulled.layers, image.layers.map((l) => join(dir, 'by-tag', 'layers', l.diffId.slice(7))));
    assert.deepEqual(pulled.config, {
      entrypoint: ['/bin/sh', '-c'], cmd: ['httpd -f -p 8080 -h /var/www'], env: ['PATH=/bin', 'GREETING=hi'], workingDir: '/var/www', user: '65534',
    });
    for (const l of image.layers) {
      const events = progress.filter((p) => p.layer === l.digest);
      assert.ok(events.length >= 2, `progress for ${l.digest}`);
      assert.deepEqual(events.at(-1), { layer: l.digest, done: l.size, total: l.size });
    }
    assert.deepEqual(readdirSync(join(dir, 'by-tag', 'blobs', 'sha256')).sort(), [image.digest, image.configDigest].map((d) => d.slice(7)).sort(),
      'manifest and config are kept; layer blobs go once unpacked');
    const bin = join(pulled.layers[0], 'bin');
    assert.equal(lstatSync(join(bin, 'sh')).ino, lstatSync(join(bin, 'busybox')).ino, 'applets are hardlinks');
    assert.equal(lstatSync(join(pulled.layers[0], 'tmp')).mode & 0o7777, 0o1777);

    const reopened = newStore('by-tag');
    assert.deepEqual(reopened.get(ref), pulled);
    assert.equal(reopened.get(image.configDigest)?.ref, ref);
    assert.equal(reopened.get(`${registry.host}/e2e/busybox@${image.digest}`)?.id, image.configDigest);
    assert.equal(reopened.get(`${registry.host}/e2e/busybox:2`), undefined);
    assert.deepEqual(reopened.list().map((i) => i.ref), [ref]);
  });

  test('pulls by digest; a later pull by tag reuses the layers', async () => {
    const store = newStore('by-digest');
    const ref = `${registry.host}/e2e/busybox@${image.manifestDigest}`;
    const pulled = await store.pull(ref);
    assert.equal(pulled.ref, ref);
    assert.equal(pulled.repoDigest, ref);
    assert.equal(pulled.id, image.configDigest);
    assert.deepEqual(store.list().map((i) => i.ref), [ref]);
    const progress: PullProgress[] = [];
    await store.pull(`${registry.host}/e2e/busybox:1`, (p) => progress.push(p));
    assert.deepEqual(progress.map((p) => p.done === p.total), [true, true], 'no layer downloaded again');
    assert.deepEqual(store.list().map((i) => i.ref), [`${registry.host}/e2e/busybox:1`], 'one image, listed by its tag');
    assert.equal(store.get(ref)?.ref, ref);
  });

  test('picks linux/amd64 from a multi-platform index', async () => {
    const pulled = await newStore('multi').pull(`${registry.host}/e2e/multi:1`);
    assert.equal(pulled.repoDigest, `${registry.host}/e2e/multi@${multi.digest}`, 'imageID names the index');
    assert.equal(pulled.id, multi.configDigest, 'the amd64 config, not the arm64 one listed first');
  });

  test('rejects a corrupted layer blob or manifest (digest mismatch) and keeps nothing of it', async () => {
    const store = newStore('corrupt');
    const bad = uniqueImage('oci-corrupt');
    await pushImage(bad, registry.url, 'e2e/corrupt', '1');
    const blob = registryBlob(registry, bad.layers[1].digest);
    const bytes = readFileSync(blob);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(blob, bytes);
    await assert.rejects(store.pull(`${registry.host}/e2e/corrupt:1`), failsWith('Invalid', new RegExp(`blob ${bad.layers[1].digest}: digest mismatch`)));
    assert.equal(store.get(`${registry.host}/e2e/corrupt:1`), undefined);
    assert.ok(!existsSync(join(dir, 'corrupt', 'layers', bad.layers[1].diffId.slice(7))));
    assert.ok(!existsSync(join(dir, 'corrupt', 'blobs', 'sha256', bad.layers[1].digest.slice(7))));
    assert.deepEqual(readdirSync(join(dir, 'corrupt', 'tmp')), [], 'no half-written blob or layer left behind');

    const tampered = uniqueImage('oci-tampered');
    await pushImage(tampered, registry.url, 'e2e/tampered', '1');
    const manifest = registryBlob(registry, tampered.manifestDigest);
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(tampered.layers[1].digest, image.layers[1].digest));
    await assert.rejects(store.pull(`${registry.host}/e2e/tampered:1`), failsWith('Invalid', /manifest e2e\/tampered:1: digest mismatch/));
  });

  test('maps registry failures to reasons: unknown image, unreachable registry, refused token', async () => {
    const store = newStore('failures');
    await assert.rejects(store.pull(`${registry.host}/e2e/busybox:nope`), failsWith('NotFound', /HTTP 404.*MANIFEST_UNKNOWN/));
    await assert.rejects(store.pull(`${registry.host}/e2e/absent:1`), failsWith('NotFound', /HTTP 404/));
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    await assert.rejects(store.pull(`127.0.0.1:${closed}/e2e/busybox:1`), failsWith('Network', /unreachable.*ECONNREFUSED/));
    await assert.rejects(store.pull(`${front.host}/e2e/secret:1`), failsWith('Unauthorized', /token for repository:e2e\/secret:pull.*HTTP 403/));
    await assert.rejects(store.pull('Bad/Name'), failsWith('Invalid', /invalid image reference/));
  });

  test('bearer tokens, blob redirects without the token, and one download for concurrent pulls', async () => {
    const store = newStore('auth');
    const ref = `${front.host}/e2e/busybox:1`;
    front.tokenScopes.length = 0;
    const seen = [new Set<string>(), new Set<string>()];
    const [a, b] = await Promise.all(seen.map((s) => store.pull(ref, (p) => s.add(p.layer))));
    assert.deepEqual(a, b);
    assert.equal(a.id, image.configDigest);
    assert.deepEqual([...seen[0]].sort(), image.layers.map((l) => l.digest).sort(), 'both callers see the progress');
    assert.deepEqual([...seen[1]].sort(), [...seen[0]].sort());
    assert.deepEqual([...front.blobGets.values()], [1, 1, 1], 'config and both layers fetched once');
    assert.deepEqual([...new Set(front.tokenScopes)], ['repository:e2e/busybox:pull']);
    assert.equal(front.redirectedAuth.length, 3);
    assert.ok(front.redirectedAuth.every((h) => h === undefined), 'the token is not sent to the redirect target');
  });

  test('imports an OCI tarball, plain and gzipped', async () => {
    const store = newStore('import');
    const [oci] = await store.importArchive(image.tarball!);
    assert.equal(oci.ref, 'tinykube.test/busybox:oci');
    assert.equal(oci.repoDigest, `tinykube.test/busybox@${image.digest}`);
    assert.equal(oci.id, image.configDigest);
    assert.equal(oci.config.workingDir, '/var/www');
    assert.deepEqual(oci.layers.map((l) => readdirSync(l).length > 0), [true, true]);
    const gz = join(dir, 'busybox-oci.tar.gz');
    writeFileSync(gz, gzipSync(readFileSync(image.tarball!)));
    assert.deepEqual(await store.importArchive(gz), [oci]);
    assert.deepEqual(readdirSync(join(dir, 'import', 'blobs', 'sha256')).sort(), [image.digest, image.configDigest].map((d) => d.slice(7)).sort(),
      'imports keep only manifests and configs');
  });

  test('imports a docker-archive written by skopeo', { skip: !has('skopeo') && 'skopeo is not installed (apt-get install skopeo)' }, async () => {
    const archive = join(dir, 'busybox-docker.tar');
    execFileSync('skopeo', ['copy', '--quiet', `oci:${image.layoutDir}:tinykube.test/busybox:oci`, `docker-archive:${archive}:tinykube.test/busybox:docker`]);
    const fresh = newStore('import-docker');
    const [docker] = await fresh.importArchive(archive);
    assert.equal(docker.ref, 'tinykube.test/busybox:docker');
    assert.equal(docker.id, image.configDigest);
    assert.match(docker.repoDigest, /^tinykube\.test\/busybox@sha256:[a-f0-9]{64}$/);
    assert.deepEqual(docker.layers.map((l) => l.split('/').at(-1)), image.layers.map((l) => l.diffId.slice(7)));
    assert.deepEqual((await fresh.importArchive(archive))[0], docker, 'importing again gives the same image');
  });

  test('the unpacked layers mounted with overlayfs give the image tree, whiteouts and opaque dirs honoured', async () => {
    const pulled = await newStore('overlay').pull(`${registry.host}/e2e/busybox:1`);
    const merged = join(dir, 'merged');
    mkdirSync(merged);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${[...pulled.layers].reverse().join(':')}`, merged]);
    mounts.push(merged);
    try {
      assert.ok(existsSync(join(merged, 'bin/sh')));
      assert.ok(!existsSync(join(merged, 'bin/vi')), 'vi is whited out');
      assert.deepEqual(readdirSync(join(merged, 'root')), ['upper.txt'], '/root is opaque: lower-only.txt is hidden');
      assert.equal(lstatSync(join(merged, 'root')).mode & 0o777, 0o700);
      assert.equal(readFileSync(join(merged, 'var/www/index.html'), 'utf8'), '<h1>hello from layer 2</h1>\n');
      const out = execFileSync('chroot', [merged, '/bin/sh', '-c', 'cat /etc/motd; ls /root; id -un'], { encoding: 'utf8' });
      assert.equal(out, 'welcome (layer 2)\nupper.txt\nroot\n');
    } finally {
      execFileSync('umount', [merged]);
      mounts.pop();
    }
  });

  test('a pull killed mid-unpack leaves no layer that counts as complete; the next start cleans up and pulls', async () => {
    const ref = `${registry.host}/e2e/busybox:1`;
    const expected = (await newStore('crash-reference').pull(ref)).layers.map((l) => readdirSync(l, { recursive: true }).sort());
    const index = new URL('../../src/agent/runtime/images/index.js', import.meta.url).href;
    for (let attempt = 0; ; attempt++) {
      assert.ok(attempt < 10, 'never caught the pull while it was unpacking');
      const root = join(dir, `crash-${attempt}`);
      const child = spawn(process.execPath, ['--input-type=module', '-e', `import { ImageStore } from ${JSON.stringify(index)};
        await new ImageStore(${JSON.stringify(root)}).pull(${JSON.stringify(ref)});`], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let done = false;
      void exited.then(() => (done = true));
      const unpacking = () => {
        try {
          return readdirSync(join(root, 'tmp'), { withFileTypes: true }).some((e) => e.isDirectory());
        } catch {
          return false;
        }
      };
      while (!done && !unpacking()) await new Promise((r) => setImmediate(r));
      if (done) continue; // finished before we could catch it mid-unpack
      child.kill('SIGKILL');
      await exited;
      const layers = readdirSync(join(root, 'layers'));
      for (const [i, l] of image.layers.entries()) {
        if (layers.includes(l.diffId.slice(7))) assert.deepEqual(readdirSync(join(root, 'layers', l.diffId.slice(7)), { recursive: true }).sort(), expected[i]);
      }
      const store = new ImageStore(root);
      assert.deepEqual(readdirSync(join(root, 'tmp')), [], 'the dead pull\'s temp files are swept');
      assert.equal(store.get(ref), undefined);
      const pulled = await store.pull(ref);
      assert.deepEqual(pulled.layers.map((l) => readdirSync(l, { recursive: true }).sort()), expected);
      return;
    }
  });

  test('remove: untags, keeps an image that has other names, collects what no image needs', async () => {
    const store = newStore('remove');
    await pushImage(image, registry.url, 'e2e/busybox', '2');
    const tagged = await store.pull(`${registry.host}/e2e/busybox:1`);
    await store.pull(`${registry.host}/e2e/busybox:2`);
    const other = await store.pull(`${registry.host}/e2e/multi:1`);
    await store.remove(`${registry.host}/e2e/busybox:1`);
    assert.equal(store.get(`${registry.host}/e2e/busybox:1`), undefined);
    assert.equal(store.get(`${registry.host}/e2e/busybox:2`)?.id, image.configDigest, 'still tagged :2, the image stays');
    assert.ok(tagged.layers.every((l) => existsSync(l)));
    await store.remove(image.configDigest);
    assert.equal(store.get(image.configDigest), undefined);
    assert.deepEqual(store.list().map((i) => i.ref), [`${registry.host}/e2e/multi:1`]);
    assert.ok(existsSync(tagged.layers[0]), 'the base layer is shared with the other image');
    assert.ok(!existsSync(tagged.layers[1]), 'the whiteout layer was only this image’s');
    assert.deepEqual(readdirSync(join(dir, 'remove', 'blobs', 'sha256')).sort(), [multi.digest, multi.manifestDigest, other.id].map((d) => d.slice(7)).sort());
    await store.remove(`${registry.host}/e2e/never-pulled:1`);
  });
});
