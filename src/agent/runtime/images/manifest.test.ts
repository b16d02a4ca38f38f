import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaType, parseManifest, selectPlatform, type Descriptor } from './manifest.js';
import { ImagePullError } from './errors.js';

const d = (n: number, extra: Partial<Descriptor> = {}): Descriptor => ({ mediaType: MediaType.ociManifest, digest: `sha256:${String(n).repeat(64)}`, size: 100 + n, ...extra });
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const invalid = (message: RegExp) => (e: unknown) => e instanceof ImagePullError && e.reason === 'Invalid' && message.test(e.message);

test('parses OCI and Docker manifests, taking the media type from the body or the Content-Type', () => {
  const image = { schemaVersion: 2, config: d(1, { mediaType: MediaType.dockerConfig }), layers: [d(2, { mediaType: MediaType.dockerLayerGzip })] };
  assert.deepEqual(parseManifest(body({ ...image, mediaType: MediaType.dockerManifest })), { kind: 'image', config: image.config, layers: image.layers });
  assert.equal(parseManifest(body(image), `${MediaType.ociManifest}; charset=utf-8`).kind, 'image');
  assert.equal(parseManifest(body(image)).kind, 'image', 'an OCI manifest may omit mediaType');
  const list = { schemaVersion: 2, mediaType: MediaType.dockerList, manifests: [d(3, { platform: { os: 'linux', architecture: 'amd64', variant: 'v3' } })] };
  assert.deepEqual(parseManifest(body(list)), { kind: 'index', manifests: list.manifests });
  assert.equal(parseManifest(body({ schemaVersion: 2, manifests: [] })).kind, 'index');
});

test('rejects what is not a container image manifest', () => {
  const layers = [d(2)];
  assert.throws(() => parseManifest(Buffer.from('{')), invalid(/not valid JSON/));
  assert.throws(() => parseManifest(body([])), invalid(/not a JSON object/));
  assert.throws(() => parseManifest(body({ schemaVersion: 1, fsLayers: [] })), invalid(/schema 1/));
  assert.throws(() => parseManifest(body({ mediaType: 'application/vnd.oci.artifact.manifest.v1+json' })), invalid(/unsupported manifest media type/));
  assert.throws(() => parseManifest(body({ mediaType: MediaType.ociManifest, config: d(1, { mediaType: 'application/vnd.cncf.helm.config.v1+json' }), layers })), invalid(/not a container image/));
  assert.throws(() => parseManifest(body({ mediaType: MediaType.ociManifest, config: d(1, { mediaType: MediaType.ociConfig }) })), invalid(/no layers/));
  const badDigest = { mediaType: MediaType.ociManifest, config: { ...d(1), mediaType: MediaType.ociConfig }, layers: [{ ...d(2), digest: 'sha256:../../etc/passwd' }] };
  assert.throws(() => parseManifest(body(badDigest)), invalid(/layers\[0\]: unsupported or malformed digest/));
  assert.throws(() => parseManifest(body({ manifests: [{ ...d(1), size: -1 }] })), invalid(/bad size/));
});

test('selects the platform from an index, skipping other architectures and attestations', () => {
  const amd64 = d(2, { platform: { os: 'linux', architecture: 'amd64' } });
  const index = [d(1, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }), amd64, d(3, { platform: { os: 'unknown', architecture: 'unknown' } })];
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' }), amd64);
  assert.throws(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }), (e: unknown) =>
    e instanceof ImagePullError && e.reason === 'NotFound' && /no image for linux\/s390x.*linux\/arm64\/v8, linux\/amd64, unknown\/unknown/.test(e.message));
});
