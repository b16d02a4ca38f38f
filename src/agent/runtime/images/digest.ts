// sha256 content digests: computing them, and checking the ones that come from manifests,
// configs and archives before they name a file in the store.
import { createHash, type Hash } from 'node:crypto';
import { ImagePullError } from './errors.js';

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A digest read from untrusted JSON; anything but `sha256:<64 hex>` is refused, as it becomes a file name. */
export function checkDigest(value: unknown, what: string): string {
  if (typeof value !== 'string' || !SHA256_DIGEST.test(value)) throw new ImagePullError('Invalid', `${what}: unsupported or malformed digest ${JSON.stringify(value)}`);
  return value;
}

export function digestHex(digest: string): string {
  return digest.slice('sha256:'.length);
}

/** Passes the chunks through unchanged, feeding each to `hash`. */
export async function* hashing(source: AsyncIterable<Buffer>, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

export function mismatch(what: string, expected: string, actual: string): ImagePullError {
  return new ImagePullError('Invalid', `${what}: digest mismatch, expected ${expected}, got ${actual}`);
}
