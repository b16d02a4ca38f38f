// ControllerRevisions (upstream's pkg/controller/history), shared by the StatefulSet and DaemonSet
// controllers: a template version stored as a revision named `<owner>-<hash>`, found again by its
// data, numbered, and pruned beyond the owner's history limit.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { fnv32a, safeEncode } from '../api/hash.js';
import type { Mutable } from '../api/strategy.js';
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.js';
import type { RestClient } from '../client/rest.js';
import { R, resource } from '../client/typed.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const HASH_LABEL = 'controller.kubernetes.io/hash';

export type Revision = Mutable<ControllerRevision>;

/** JSON with sorted keys, so equal objects hash alike. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** FNV-1a (32 bit) of the canonical template and the collision count, safe-encoded, as upstream's ComputeHash. */
export function templateHash(template: unknown, collisionCount = 0): string {
  return safeEncode(String(fnv32a(Buffer.from(canonicalJson(template) + (collisionCount ? String(collisionCount) : '')))));
}

/** The revision's data: the template as a patch that replaces the owner's (upstream getPatch). */
export const revisionData = (template: PodTemplateSpec): unknown => ({ spec: { template: { ...structuredClone(template), $patch: 'replace' } } });
export const revisionTemplate = (r: ControllerRevision): PodTemplateSpec | undefined => {
  const t = (r.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined)?.spec?.template;
  if (!t) return undefined;
  const { $patch: _p, ...rest } = t;
  return rest;
};

export interface RevisionOwner { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string; uid?: string } }

/**
 * The revision for `template`: an existing one with equal data (its number raised to the newest if
 * it is an older one being rolled back to), or a new one; on a name collision with different data
 * the collision count grows. Returns the revision and the collision count to store in the status.
 */
export async function ensureRevision(client: RestClient, owner: RevisionOwner, template: PodTemplateSpec, revisions: readonly Revision[], collisionCount: number): Promise<{ revision: Revision; collisionCount: number }> {
  const ns = owner.metadata.namespace!;
  const revs = resource<Revision>(client, R.controllerrevisions, ns);
  const data = revisionData(template);
  const dataKey = canonicalJson(data);
  const newest = revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
  const equal = revisions.filter((r) => canonicalJson(r.data) === dataKey).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
  if (equal.length) {
    const r = equal[0];
    if ((r.revision ?? 0) === newest) return { revision: r, collisionCount };
    const updated = await revs.patch(r.metadata!.name!, { revision: newest + 1 });
    return { revision: updated, collisionCount };
  }
  for (let count = collisionCount; ; count++) {
    const hash = templateHash(template, count);
    const name = `${owner.metadata.name}-${hash}`;
    const body = {
      apiVersion: 'apps/v1', kind: 'ControllerRevision',
      metadata: {
        name, namespace: ns, labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
        ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      data, revision: newest + 1,
    };
    try {
      return { revision: await revs.create(body), collisionCount: count };
    } catch (e) {
      if (!isAlreadyExists(e) && !isConflict(e)) throw e;
      const existing = await revs.get(name);
      const ours = existing.metadata?.ownerReferences?.some((o) => o.uid === owner.metadata.uid);
      if (ours && canonicalJson(existing.data) === dataKey) return { revision: existing, collisionCount: count };
    }
  }
}

/** Deletes the oldest revisions beyond `limit` that no live object still uses. */
export async function truncateHistory(client: RestClient, revisions: readonly Revision[], live: ReadonlySet<string>, limit: number): Promise<void> {
  const old = revisions.filter((r) => !live.has(r.metadata!.name!)).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  for (const r of old.slice(0, Math.max(0, old.length - limit))) {
    await resource(client, R.controllerrevisions, r.metadata!.namespace).delete(r.metadata!.name!).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}
