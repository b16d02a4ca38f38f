// OCI and Docker v2 manifests and indexes (manifest lists): the media types, parsing with the
// checks that matter before anything is fetched, and picking this node's platform from an index.
import { checkDigest } from './digest.js';
import { ImagePullError } from './errors.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Everything a registry may answer a manifest request with; without the OCI types it refuses OCI images. */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerList, MediaType.dockerManifest].join(', ');

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'image';
  config: Descriptor;
  layers: Descriptor[];
}

export type Manifest = { kind: 'index'; manifests: Descriptor[] } | ImageManifest;

const invalid = (message: string) => new ImagePullError('Invalid', message);

export function parseJson(body: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw invalid(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Parses a manifest or index; `contentType` is the registry's word for it when the body does not say. */
export function parseManifest(body: Buffer, contentType = ''): Manifest {
  const json = parseJson(body, 'manifest');
  if (json.schemaVersion === 1) throw invalid('Docker schema 1 manifests are not supported; push the image again with a current client');
  const mediaType = typeof json.mediaType === 'string' ? json.mediaType : contentType.split(';')[0].trim();
  const isIndex = mediaType === MediaType.ociIndex || mediaType === MediaType.dockerList || (!mediaType && Array.isArray(json.manifests));
  const isImage = mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest || (!mediaType && json.config !== undefined);
  if (isIndex) {
    if (!Array.isArray(json.manifests)) throw invalid('index has no manifests list');
    return { kind: 'index', manifests: json.manifests.map((d, i) => descriptor(d, `index manifests[${i}]`)) };
  }
  if (!isImage) throw invalid(`unsupported manifest media type ${JSON.stringify(mediaType)}`);
  if (!Array.isArray(json.layers)) throw invalid('manifest has no layers list');
  const config = descriptor(json.config, 'manifest config');
  if (config.mediaType !== MediaType.ociConfig && config.mediaType !== MediaType.dockerConfig) {
    throw invalid(`not a container image: config media type is ${JSON.stringify(config.mediaType)}`);
  }
  return { kind: 'image', config, layers: json.layers.map((d, i) => descriptor(d, `manifest layers[${i}]`)) };
}

function descriptor(value: unknown, what: string): Descriptor {
  if (!value || typeof value !== 'object') throw invalid(`${what} is not a descriptor`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string') throw invalid(`${what} has no mediaType`);
  if (!Number.isSafeInteger(d.size) || (d.size as number) < 0) throw invalid(`${what} has a bad size ${JSON.stringify(d.size)}`);
  const p = d.platform as Record<string, unknown> | undefined;
  return {
    mediaType: d.mediaType,
    digest: checkDigest(d.digest, what),
    size: d.size as number,
    ...(p && typeof p.os === 'string' && typeof p.architecture === 'string'
      ? { platform: { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) } }
      : {}),
    ...(d.annotations && typeof d.annotations === 'object' ? { annotations: d.annotations as Record<string, string> } : {}),
  };
}

const GOARCH: Partial<Record<NodeJS.Architecture, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(): Platform {
  return { os: 'linux', architecture: GOARCH[process.arch] ?? process.arch };
}

export const formatPlatform = (p: Platform) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

/** The index entry for `platform` (attestation entries say `unknown/unknown` and never match). */
export function selectPlatform(manifests: readonly Descriptor[], platform = hostPlatform()): Descriptor {
  const chosen = manifests.find((d) => d.platform?.os === platform.os && d.platform.architecture === platform.architecture);
  if (!chosen) {
    const offered = manifests.map((d) => (d.platform ? formatPlatform(d.platform) : 'unknown')).join(', ');
    throw new ImagePullError('NotFound', `no image for ${formatPlatform(platform)} in the index (it has: ${offered || 'nothing'})`);
  }
  return chosen;
}
