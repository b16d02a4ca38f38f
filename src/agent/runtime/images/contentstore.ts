// The on-disk content store: verified blobs by digest, unpacked layers by diff_id, and a tmp dir
// for work in progress. Content appears only by rename once complete and verified, so a crash
// leaves nothing but tmp litter (swept on the next start) and a layer directory that exists is
// whole. Layer directories are what the overlay mounts use as lowerdirs.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { digestHex, hashing, mismatch, sha256 } from './digest.js';
import { openDecompressed } from './compression.js';
import { ImagePullError } from './errors.js';
import { unpackLayer } from './layerunpack.js';

export interface Expected {
  digest: string;
  size?: number;
}

export class ContentStore {
  private readonly blobsDir: string;
  private readonly layersDir: string;
  private readonly tmpDir: string;

  constructor(root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.layersDir = join(root, 'layers');
    this.tmpDir = join(root, 'tmp');
    for (const d of [this.blobsDir, this.layersDir, this.tmpDir]) mkdirSync(d, { recursive: true });
    this.sweepTmp();
  }

  blobPath(digest: string): string {
    return join(this.blobsDir, digestHex(digest));
  }

  hasBlob(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  async writeBlob(data: Buffer): Promise<string> {
    const digest = sha256(data);
    if (!this.hasBlob(digest)) {
      const tmp = this.tempPath();
      await writeFile(tmp, data);
      await rename(tmp, this.blobPath(digest));
    }
    return digest;
  }

  /** Streams content in, checks it against `expected` (when known) and stores it by its digest. */
  async ingest(source: AsyncIterable<Buffer>, expected?: Expected, onBytes?: (total: number) => void): Promise<{ digest: string; size: number }> {
    const tmp = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const what = expected ? `blob ${expected.digest}` : 'blob';
    async function* counted(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of chunks) {
        size += chunk.length;
        if (expected?.size !== undefined && size > expected.size) throw new ImagePullError('Invalid', `${what}: more than the ${expected.size} bytes the manifest says`);
        onBytes?.(size);
        yield chunk;
      }
    }
    try {
      await pipeline(hashing(counted(source), hash), createWriteStream(tmp, { flags: 'wx' }));
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected?.size !== undefined && size !== expected.size) throw new ImagePullError('Invalid', `${what}: ${size} bytes, the manifest says ${expected.size}`);
      if (expected && digest !== expected.digest) throw mismatch(what, expected.digest, digest);
      await rename(tmp, this.blobPath(digest));
      return { digest, size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  layerPath(diffId: string): string {
    return join(this.layersDir, digestHex(diffId));
  }

  hasLayer(diffId: string): boolean {
    return existsSync(this.layerPath(diffId));
  }

  /** Unpacks a stored layer blob into the layer directory for `diffId`, checking the uncompressed digest. */
  async unpack(blobDigest: string, diffId: string): Promise<void> {
    if (this.hasLayer(diffId)) return;
    const tar = await openDecompressed(this.blobPath(blobDigest));
    const tmp = this.tempPath();
    try {
      await mkdir(tmp);
      const hash = createHash('sha256');
      await unpackLayer(hashing(tar, hash), tmp);
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== diffId) throw mismatch(`layer ${blobDigest} uncompressed`, diffId, actual);
      await rename(tmp, this.layerPath(diffId)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e; // another process unpacked it first
      });
    } finally {
      tar.destroy();
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async removeBlob(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  /** Deletes every blob and layer not kept. A layer is moved into tmp first, so a crash never leaves a partial one in place. */
  async collect(keepBlobs: ReadonlySet<string>, keepLayers: ReadonlySet<string>): Promise<void> {
    for (const hex of await readdir(this.blobsDir)) if (!keepBlobs.has(`sha256:${hex}`)) await rm(join(this.blobsDir, hex), { force: true });
    for (const hex of await readdir(this.layersDir)) {
      if (keepLayers.has(`sha256:${hex}`)) continue;
      const doomed = this.tempPath();
      await rename(join(this.layersDir, hex), doomed);
      await rm(doomed, { recursive: true, force: true });
    }
  }

  /** Temp names carry the owner's pid, so a second process on the same root leaves live work alone. */
  tempPath(): string {
    return join(this.tmpDir, `${process.pid}-${randomUUID()}`);
  }

  private sweepTmp(): void {
    for (const name of readdirSync(this.tmpDir)) {
      const pid = Number(name.split('-')[0]);
      if (pid !== process.pid && !alive(pid)) rmSync(join(this.tmpDir, name), { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
