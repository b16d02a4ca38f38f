// Test helpers: tar archives written from a list of entries, including the hostile ones
// (absolute paths, `..`, links out of the tree) no well-behaved tar tool makes, and whole OCI
// images built from such layers. Byte-for-byte deterministic: same input, same digests.
import { gzipSync } from 'node:zlib';
import { sha256 } from '../../src/agent/runtime/images/digest.js';
import { MediaType, type Descriptor } from '../../src/agent/runtime/images/manifest.js';
import type { TarEntryType } from '../../src/agent/runtime/images/tarreader.js';

export interface TarSpec {
  path: string;
  type?: TarEntryType;
  data?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkPath?: string;
  devMajor?: number;
  devMinor?: number;
  xattrs?: Record<string, string | Buffer>;
}

const TYPE_FLAGS: Record<TarEntryType, string> = { file: '0', hardlink: '1', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6' };

export function tarArchive(entries: readonly TarSpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = Buffer.from(e.data ?? '');
    const pax: [string, Buffer][] = Object.entries(e.xattrs ?? {}).map(([k, v]) => [`SCHILY.xattr.${k}`, Buffer.from(v)]);
    if (Buffer.byteLength(e.path) > 100) pax.push(['path', Buffer.from(e.path)]);
    if (e.linkPath && Buffer.byteLength(e.linkPath) > 100) pax.push(['linkpath', Buffer.from(e.linkPath)]);
    if (pax.length) {
      const records = Buffer.concat(pax.map(([k, v]) => paxRecord(k, v)));
      blocks.push(header({ path: `PaxHeaders/${e.path.slice(-80)}`, flag: 'x', size: records.length, mode: 0o644 }), padded(records));
    }
    const defaultMode = type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644;
    blocks.push(header({
      path: e.path, flag: TYPE_FLAGS[type], size: data.length, mode: e.mode ?? defaultMode, uid: e.uid, gid: e.gid, mtime: e.mtime,
      linkPath: e.linkPath, devMajor: e.devMajor, devMinor: e.devMinor,
    }), padded(data));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

interface Header {
  path: string;
  flag: string;
  size: number;
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkPath?: string;
  devMajor?: number;
  devMinor?: number;
}

function header(h: Header): Buffer {
  const block = Buffer.alloc(512);
  const text = (offset: number, length: number, value: string) => block.write(value.slice(0, length), offset, length, 'utf8');
  const octal = (offset: number, length: number, value: number) => text(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  text(0, 100, h.path);
  octal(100, 8, h.mode);
  octal(108, 8, h.uid ?? 0);
  octal(116, 8, h.gid ?? 0);
  octal(124, 12, h.size);
  octal(136, 12, h.mtime ?? 0);
  block[156] = h.flag.charCodeAt(0);
  text(157, 100, h.linkPath ?? '');
  text(257, 8, 'ustar\x0000');
  text(265, 32, 'root');
  text(297, 32, 'root');
  octal(329, 8, h.devMajor ?? 0);
  octal(337, 8, h.devMinor ?? 0);
  block.fill(0x20, 148, 156);
  const sum = block.reduce((a, b) => a + b, 0);
  text(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

function padded(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest ? Buffer.concat([data, Buffer.alloc(512 - rest)]) : data;
}

export interface OciImageSpec {
  /** Layer contents, bottom → top. */
  layers: TarSpec[][];
  /** The config's `config` section (Entrypoint, Cmd, Env, …). */
  config?: Record<string, unknown>;
  /** index.json's org.opencontainers.image.ref.name. */
  refName: string;
  /** Makes index.json point at a multi-platform index (an arm64 decoy listed first, then amd64). */
  multiArch?: boolean;
  /** Overrides the config's rootfs.diff_ids, to build an image that lies about its layers. */
  diffIds?: string[];
}

export interface OciImage {
  /** The OCI layout: `oci-layout`, `index.json` and `blobs/sha256/<hex>`, by path. */
  files: Map<string, Buffer>;
  /** What index.json points at: the amd64 manifest, or the multi-platform index. */
  digest: string;
  /** The amd64 image manifest. */
  manifestDigest: string;
  configDigest: string;
  layers: { digest: string; diffId: string; size: number }[];
  /** The manifests (and index) in the layout, children first: the order to push them in. */
  manifests: Descriptor[];
}

export function ociImage(spec: OciImageSpec): OciImage {
  const files = new Map<string, Buffer>();
  const put = (data: Buffer, mediaType: string): Descriptor => {
    const digest = sha256(data);
    files.set(`blobs/sha256/${digest.slice(7)}`, data);
    return { mediaType, digest, size: data.length };
  };
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const layers = spec.layers.map((entries) => {
    const tar = tarArchive(entries);
    return { ...put(gzipSync(tar, { level: 9 }), MediaType.ociLayerGzip), diffId: sha256(tar) };
  });
  const imageFor = (architecture: string) => {
    const config = put(json({
      created: '1970-01-01T00:00:00Z',
      architecture,
      os: 'linux',
      config: spec.config ?? {},
      rootfs: { type: 'layers', diff_ids: spec.diffIds ?? layers.map((l) => l.diffId) },
    }), MediaType.ociConfig);
    const layerDescriptors = layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size }));
    const manifest = put(json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: layerDescriptors }), MediaType.ociManifest);
    return { config, manifest: { ...manifest, platform: { architecture, os: 'linux' } } };
  };
  const amd64 = imageFor('amd64');
  const manifests: Descriptor[] = [amd64.manifest];
  if (spec.multiArch) {
    const decoy = imageFor('arm64');
    manifests.unshift(decoy.manifest);
    manifests.push(put(json({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [decoy.manifest, amd64.manifest] }), MediaType.ociIndex));
  }
  const top = manifests[manifests.length - 1];
  files.set('index.json', json({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': spec.refName } }] }));
  files.set('oci-layout', json({ imageLayoutVersion: '1.0.0' }));
  return {
    files,
    digest: top.digest,
    manifestDigest: amd64.manifest.digest,
    configDigest: amd64.config.digest,
    layers: layers.map(({ digest, diffId, size }) => ({ digest, diffId, size })),
    manifests,
  };
}

/** The image's layout as a tarball: an OCI archive, as `skopeo copy … oci-archive:` writes. */
export function ociArchive(image: OciImage): Buffer {
  const paths = [...image.files.keys()].sort();
  return tarArchive([
    { path: 'blobs/', type: 'dir' },
    { path: 'blobs/sha256/', type: 'dir' },
    ...paths.map((path) => ({ path, data: image.files.get(path) })),
  ]);
}
