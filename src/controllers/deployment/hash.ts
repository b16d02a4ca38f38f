// The pod-template hash (upstream's ComputeHash): names a deployment's ReplicaSet after its
// template, and compares templates without it.
import { fnv32a, safeEncode } from '../../api/hash.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { Mutable } from '../../api/strategy.js';
import { semanticEqual } from '../../api/resources/workloads.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** JSON with sorted keys and without nulls: the same template always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== null && x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * The pod-template-hash of a template (upstream's ComputeHash): FNV-32a of the template — here of
 * its canonical JSON — then of the collision count's 4 little-endian bytes when there is one, the
 * decimal sum encoded with the safe alphabet.
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(b, h);
  }
  return safeEncode(String(h));
}

export const withoutHash = (t: PodTemplateSpec | undefined): PodTemplateSpec => {
  const copy = structuredClone(t ?? {}) as Mutable<PodTemplateSpec>;
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (!Object.keys(copy.metadata.labels).length) delete copy.metadata.labels;
  }
  return copy;
};

/** Two templates are the same apart from the pod-template-hash label (upstream's EqualIgnoreHash). */
export const equalIgnoreHash = (a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean =>
  semanticEqual(withoutHash(a), withoutHash(b));
