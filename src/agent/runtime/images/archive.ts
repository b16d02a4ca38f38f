// Reads image archives in one pass: `docker save` output (manifest.json, config JSON, layer
// tars) and OCI image layouts in a tar (index.json, blobs/sha256/…), plain or gzip-compressed.
// Small members (the JSON) stay in memory, big ones (layers) stream into the content store.
import { posix } from 'node:path';
import { ContentStore } from './contentstore.js';
import { detectCompression, openDecompressed } from './compression.js';
import { digestHex, mismatch, sha256 } from './digest.js';
import { ImagePullError } from './errors.js';
import { MediaType, parseManifest, selectPlatform, type Descriptor, type ImageManifest } from './manifest.js';
import { ImageReference } from './reference.js';
import { readTar } from './tarreader.js';

export interface ArchiveImage {
  /** The tagged references to import the image as. */
  tags: ImageReference[];
  /** Digest of its top manifest (or index): the repoDigest's. */
  topDigest: string;
  manifest: ImageManifest;
  /** Manifests and config, now in the content store, as are the layer blobs. */
  blobs: string[];
}

const IN_MEMORY_LIMIT = 1 << 20;
const MAX_LINK_HOPS = 16;
/** containerd's annotation for the full name; OCI's ref.name is often only a tag. */
const CONTAINERD_NAME = 'io.containerd.image.name';
const OCI_REF_NAME = 'org.opencontainers.image.ref.name';

const invalid = (message: string) => new ImagePullError('Invalid', `archive: ${message}`);

export async function readArchive(path: string, content: ContentStore): Promise<ArchiveImage[]> {
  const members = await ArchiveMembers.read(path, content);
  if (members.has('index.json')) return ociLayoutImages(members);
  if (members.has('manifest.json')) return dockerArchiveImages(members, content);
  throw invalid(`${path} is neither a docker save archive (manifest.json) nor an OCI layout (index.json)`);
}

interface Member {
  digest: string;
  size: number;
  data?: Buffer;
}

class ArchiveMembers {
  private constructor(
    private readonly files: Map<string, Member>,
    private readonly links: Map<string, string>,
    private readonly content: ContentStore,
  ) {}

  static async read(path: string, content: ContentStore): Promise<ArchiveMembers> {
    const files = new Map<string, Member>();
    const links = new Map<string, string>();
    const stream = await openDecompressed(path);
    try {
      for await (const { entry, body } of readTar(stream)) {
        const name = memberName(entry.path);
        if (entry.type === 'file' && entry.size <= IN_MEMORY_LIMIT) {
          const chunks: Buffer[] = [];
          for await (const c of body) chunks.push(c);
          const data = Buffer.concat(chunks);
          files.set(name, { digest: sha256(data), size: data.length, data });
        } else if (entry.type === 'file') {
          files.set(name, await content.ingest(body));
        } else if (entry.type === 'symlink') {
          // docker save links a layer seen twice to its first copy
          links.set(name, memberName(posix.join(posix.dirname(name), entry.linkPath)));
        } else if (entry.type === 'hardlink') {
          links.set(name, memberName(entry.linkPath));
        }
      }
    } finally {
      stream.destroy();
    }
    return new ArchiveMembers(files, links, content);
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  /** The member's bytes; with `digest`, only if they hash to it. */
  async read(name: string, digest?: string): Promise<Buffer> {
    const m = this.get(name, digest);
    return m.data ?? this.content.readBlob(m.digest);
  }

  /** Puts the member into the content store and describes it. */
  async store(name: string, digest?: string): Promise<{ digest: string; size: number }> {
    const m = this.get(name, digest);
    if (m.data) await this.content.writeBlob(m.data);
    return { digest: m.digest, size: m.size };
  }

  private get(name: string, digest?: string): Member {
    const m = this.lookup(name);
    if (!m) throw invalid(`${name} is missing`);
    if (digest && m.digest !== digest) throw mismatch(`archive member ${name}`, digest, m.digest);
    return m;
  }

  private lookup(name: string): Member | undefined {
    for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
      const m = this.files.get(name);
      if (m) return m;
      const target = this.links.get(name);
      if (target === undefined) return undefined;
      name = target;
    }
    return undefined;
  }
}

/** Archive paths compared as plain names: `./a//b` is `a/b`. */
function memberName(path: string): string {
  return posix.normalize(`/${path}`).slice(1);
}

async function ociLayoutImages(members: ArchiveMembers): Promise<ArchiveImage[]> {
  const index = parseManifest(await members.read('index.json'));
  if (index.kind !== 'index') throw invalid('index.json is not an image index');
  const blobName = (d: Descriptor) => `blobs/sha256/${digestHex(d.digest)}`;
  const images: ArchiveImage[] = [];
  for (const top of index.manifests) {
    const tags = ociTags(top);
    let manifest = parseManifest(await members.read(blobName(top), top.digest), top.mediaType);
    const blobs = [(await members.store(blobName(top))).digest];
    if (manifest.kind === 'index') {
      const chosen = selectPlatform(manifest.manifests);
      manifest = parseManifest(await members.read(blobName(chosen), chosen.digest), chosen.mediaType);
      if (manifest.kind !== 'image') throw invalid(`${chosen.digest} is a nested index`);
      blobs.push((await members.store(blobName(chosen))).digest);
    }
    for (const d of [manifest.config, ...manifest.layers]) await members.store(blobName(d), d.digest);
    blobs.push(manifest.config.digest);
    images.push({ tags, topDigest: top.digest, manifest, blobs });
  }
  return images;
}

/** The image's names: containerd's full-name annotation, else an OCI ref.name that is a whole reference rather than a bare tag. */
function ociTags(d: Descriptor): ImageReference[] {
  const full = d.annotations?.[CONTAINERD_NAME];
  const refName = d.annotations?.[OCI_REF_NAME];
  const name = full ?? (refName && /[/:]/.test(refName) ? refName : undefined);
  if (!name) {
    throw invalid(`image ${d.digest} has no name (${refName ? `ref.name ${JSON.stringify(refName)} is only a tag` : 'no annotations'}); `
      + `annotate it with ${CONTAINERD_NAME} or a full ${OCI_REF_NAME}`);
  }
  return [ImageReference.parse(name)];
}

interface DockerArchiveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

async function dockerArchiveImages(members: ArchiveMembers, content: ContentStore): Promise<ArchiveImage[]> {
  const list = JSON.parse((await members.read('manifest.json')).toString('utf8')) as unknown;
  if (!Array.isArray(list)) throw invalid('manifest.json is not a list');
  const images: ArchiveImage[] = [];
  for (const entry of list as DockerArchiveEntry[]) {
    if (typeof entry?.Config !== 'string' || !Array.isArray(entry.Layers)) throw invalid('manifest.json entry without Config and Layers');
    if (!entry.RepoTags?.length) throw invalid(`image ${entry.Config} has no RepoTags (saved by ID?); save it by name`);
    const config = { mediaType: MediaType.dockerConfig, ...(await members.store(entry.Config)) };
    const layers: Descriptor[] = [];
    for (const name of entry.Layers) {
      const blob = await members.store(name);
      const gzip = (await detectCompression(content.blobPath(blob.digest))) === 'gzip';
      layers.push({ mediaType: gzip ? MediaType.dockerLayerGzip : MediaType.dockerLayer, ...blob });
    }
    // The registry form of the same image, so it has a manifest digest (repoDigest) like a pulled one.
    const manifestJson = { schemaVersion: 2, mediaType: MediaType.dockerManifest, config, layers };
    const topDigest = await content.writeBlob(Buffer.from(JSON.stringify(manifestJson)));
    images.push({ tags: entry.RepoTags.map((t) => ImageReference.parse(t)), topDigest, manifest: { kind: 'image', config, layers }, blobs: [topDigest, config.digest] });
  }
  return images;
}
