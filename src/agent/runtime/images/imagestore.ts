// The node's images: pulled from registries or imported from archives into a content store,
// each layer unpacked once into its own directory for overlay mounts. This is the API the agent
// and the CLI use.
import { join } from 'node:path';
import { readArchive } from './archive.js';
import { forEachLimited, SharedLock, SingleFlight } from './concurrency.js';
import { ContentStore } from './contentstore.js';
import { ImagePullError } from './errors.js';
import { parseImageConfig, type ImageConfig } from './imageconfig.js';
import { ImageRecords, type ImageRecord } from './imagerecords.js';
import { parseManifest, selectPlatform, type Descriptor, type ImageManifest } from './manifest.js';
import { ImageReference } from './reference.js';
import { RegistryClient, registryUrl } from './registryclient.js';

export interface StoredImage {
  /** The normalized reference it was asked for, pulled or imported as, e.g. 'docker.io/library/busybox:1.36'. */
  ref: string;
  /** 'docker.io/library/busybox@sha256:…' (the top manifest's digest): containerStatus.imageID. */
  repoDigest: string;
  /** 'sha256:…' of the image config. */
  id: string;
  config: ImageConfig;
  /** Unpacked layer directories, bottom → top (an overlay lowerdir is their reverse joined by ':'). */
  layers: string[];
  /** Bytes of the config and the compressed layers, as the registry counts them. */
  size: number;
}

export interface ImageStoreOptions {
  /** Registries (host[:port]) reached over plain HTTP; loopback ones always are. */
  insecureRegistries?: string[];
}

export interface PullProgress {
  /** The layer blob's digest. */
  layer: string;
  done: number;
  total: number;
}

type Emit = (p: PullProgress) => void;

interface Match {
  /** Absent when looked up by ID. */
  reference?: ImageReference;
  records: ImageRecord[];
}

/** Layers fetched and unpacked at once per pull, as Docker does. */
const LAYER_CONCURRENCY = 3;
const ID = /^(?:sha256:)?([a-f0-9]{64})$/;

export class ImageStore {
  private readonly content: ContentStore;
  private readonly records: ImageRecords;
  private readonly clients = new Map<string, RegistryClient>();
  private readonly pulls = new SingleFlight<StoredImage, PullProgress>();
  private readonly unpacks = new SingleFlight<void>();
  private readonly lock = new SharedLock();

  constructor(root: string, private readonly opts: ImageStoreOptions = {}) {
    this.content = new ContentStore(root);
    this.records = new ImageRecords(join(root, 'images.json'), () => this.content.tempPath());
  }

  /** By reference (tag or digest, normalized) or by image ID (`sha256:…`, or its 64 hex digits). */
  get(ref: string): StoredImage | undefined {
    let match: Match;
    try {
      match = this.match(ref);
    } catch {
      return undefined; // not a valid reference: not here
    }
    const [record] = match.records;
    return record && this.stored(record, match.reference?.toString() ?? record.tags[0] ?? record.repoDigest);
  }

  list(): StoredImage[] {
    return this.records.all().flatMap((r) => (r.tags.length ? r.tags : [r.repoDigest]).map((ref) => this.stored(r, ref)));
  }

  /** Pulls from the registry; concurrent pulls of one reference share a single download. */
  async pull(ref: string, onProgress?: (p: PullProgress) => void): Promise<StoredImage> {
    const parsed = ImageReference.parse(ref);
    return this.pulls.run(parsed.toString(), (emit) => this.lock.shared(() => this.fetch(parsed, emit)), onProgress);
  }

  /** Imports a `docker save` archive or an OCI layout tarball (plain or gzipped); returns one image per tag. */
  async importArchive(tarPath: string): Promise<StoredImage[]> {
    try {
      return await this.lock.shared(async () => {
        const imported: StoredImage[] = [];
        for (const image of await readArchive(tarPath, this.content)) {
          for (const tag of image.tags) imported.push(await this.install(tag, image.topDigest, image.manifest, image.blobs));
        }
        return imported;
      });
    } finally {
      await this.collectGarbage(); // layer blobs of other platforms, or of layers already here
    }
  }

  /**
   * By tag: removes the tag, and the image when it was the last. By digest or ID: removes the image.
   * Removing what is not there succeeds, as CRI's RemoveImage does. Layers still mounted are the caller's to keep.
   */
  async remove(ref: string): Promise<void> {
    const { reference, records } = this.match(ref);
    if (reference?.tag) this.records.untag(reference.toString());
    else this.records.delete(records.map((r) => r.repoDigest));
    await this.collectGarbage();
  }

  /** The images an ID, a tag or a digest reference names; throws for an invalid reference. */
  private match(ref: string): Match {
    const all = this.records.all();
    const id = ID.exec(ref)?.[1];
    if (id) return { records: all.filter((r) => r.id === `sha256:${id}`) };
    const reference = ImageReference.parse(ref);
    const key = reference.toString();
    return { reference, records: all.filter((r) => r.tags.includes(key) || r.repoDigest === key) };
  }

  private stored(r: ImageRecord, ref: string): StoredImage {
    return { ref, repoDigest: r.repoDigest, id: r.id, config: r.config, layers: r.diffIds.map((d) => this.content.layerPath(d)), size: r.size };
  }

  private client(domain: string): RegistryClient {
    let client = this.clients.get(domain);
    if (!client) this.clients.set(domain, (client = new RegistryClient(registryUrl(domain, this.opts.insecureRegistries))));
    return client;
  }

  private async fetch(ref: ImageReference, emit: Emit): Promise<StoredImage> {
    const client = this.client(ref.domain);
    const top = await client.manifest(ref.path, ref.tagOrDigest);
    let manifest = parseManifest(top.body, top.contentType);
    const blobs = [await this.content.writeBlob(top.body)];
    if (manifest.kind === 'index') {
      const chosen = await client.manifest(ref.path, selectPlatform(manifest.manifests).digest);
      manifest = parseManifest(chosen.body, chosen.contentType);
      if (manifest.kind !== 'image') throw new ImagePullError('Invalid', `${ref}: an index inside an index is not supported`);
      blobs.push(await this.content.writeBlob(chosen.body));
    }
    if (!this.content.hasBlob(manifest.config.digest)) await this.download(client, ref.path, manifest.config);
    blobs.push(manifest.config.digest);
    return this.install(ref, top.digest, manifest, blobs, (layer) => this.download(client, ref.path, layer, emit), emit);
  }

  private async download(client: RegistryClient, repo: string, blob: Descriptor, emit?: Emit): Promise<void> {
    const progress = (done: number) => emit?.({ layer: blob.digest, done, total: blob.size });
    progress(0);
    const body = await client.blob(repo, blob.digest);
    try {
      await this.content.ingest(body, blob, progress);
    } catch (e) {
      // A connection dropped mid-body surfaces as a bare error from fetch; file system errors have a syscall.
      if (e instanceof ImagePullError || (e as NodeJS.ErrnoException).syscall) throw e;
      throw new ImagePullError('Network', `blob ${blob.digest}: download failed: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Unpacks the layers the node lacks (fetching their blobs if needed) and records the image. Layer blobs
   * are dropped once unpacked: the layer directory, named by its verified diff_id, is the content from then on.
   */
  private async install(ref: ImageReference, topDigest: string, manifest: ImageManifest, blobs: string[], fetchLayer?: (layer: Descriptor) => Promise<void>, emit?: Emit): Promise<StoredImage> {
    const { config, diffIds } = parseImageConfig(await this.content.readBlob(manifest.config.digest));
    if (diffIds.length !== manifest.layers.length) {
      throw new ImagePullError('Invalid', `${ref}: the manifest has ${manifest.layers.length} layers, the config ${diffIds.length} diff_ids`);
    }
    await forEachLimited(manifest.layers, LAYER_CONCURRENCY, async (layer, i) => {
      await this.unpacks.run(diffIds[i], async () => {
        if (this.content.hasLayer(diffIds[i])) return;
        if (!this.content.hasBlob(layer.digest)) {
          if (!fetchLayer) throw new ImagePullError('Invalid', `${ref}: layer ${layer.digest} is missing`);
          await fetchLayer(layer);
        }
        await this.content.unpack(layer.digest, diffIds[i]);
        await this.content.removeBlob(layer.digest);
      });
      emit?.({ layer: layer.digest, done: layer.size, total: layer.size });
    });
    const record = {
      repoDigest: `${ref.name}@${topDigest}`,
      id: manifest.config.digest,
      config,
      diffIds,
      blobs,
      size: manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0),
    };
    this.records.save(record, ref.tag && ref.toString());
    return this.stored({ ...record, tags: [] }, ref.toString());
  }

  /** Deletes blobs and layers no image needs; waits for running pulls and imports, and holds new ones off. */
  private collectGarbage(): Promise<void> {
    return this.lock.exclusive(() => {
      const images = this.records.all();
      return this.content.collect(new Set(images.flatMap((r) => r.blobs)), new Set(images.flatMap((r) => r.diffIds)));
    });
  }
}
