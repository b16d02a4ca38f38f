// Layer blobs and archives come gzip-compressed or plain; the first bytes tell which, whatever
// the media type claims (docker save writes plain tars, registries mostly gzip).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ImagePullError } from './errors.js';

type Compression = 'gzip' | 'zstd' | 'none';

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

export async function detectCompression(path: string): Promise<Compression> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    const magic = buffer.subarray(0, bytesRead);
    return magic[0] === 0x1f && magic[1] === 0x8b ? 'gzip' : magic.equals(ZSTD_MAGIC) ? 'zstd' : 'none';
  } finally {
    await file.close();
  }
}

/** The file's uncompressed bytes. The caller destroys the stream if it stops reading early. */
export async function openDecompressed(path: string): Promise<Readable> {
  const compression = await detectCompression(path);
  if (compression === 'zstd') throw new ImagePullError('Invalid', 'zstd-compressed layers are not supported (Node 20 has no zstd)');
  if (compression === 'none') return createReadStream(path);
  const gunzip = createGunzip();
  // Errors reach the reader through `gunzip`, which the pipeline destroys with them.
  pipeline(createReadStream(path), gunzip).catch(() => {});
  return gunzip;
}
