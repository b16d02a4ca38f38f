// The non-cryptographic hashing upstream's controllers name things with: FNV-1a (32 bits), as Go's
// hash/fnv, and rand.SafeEncodeString to turn the number into a label-safe suffix.

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over bytes; `seed` continues an earlier hash (Go's hasher fed more bytes). */
export function fnv32a(bytes: Uint8Array, seed = FNV32_OFFSET): number {
  let h = seed >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, FNV32_PRIME) >>> 0;
  return h;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream's rand.SafeEncodeString: each byte mapped into an alphabet without vowels (no words) or look-alikes. */
export const safeEncode = (s: string): string => [...Buffer.from(s)].map((b) => SAFE_ALPHABET[b % SAFE_ALPHABET.length]).join('');
