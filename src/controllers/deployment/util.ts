// Deployment helpers (upstream's deployment/util): the object types, annotations and condition
// reasons, maxSurge / maxUnavailable, the lists of a deployment's ReplicaSets (new, old, active, by revision), and the
// annotations a new ReplicaSet inherits.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject, Mutable } from '../../api/strategy.js';
import { scaledValue } from '../../api/resources/workloads.js';
import { equalIgnoreHash } from './hash.js';

export type DeploymentObj = Mutable<Deployment> & KubeObject;
export type RSObj = Mutable<ReplicaSet> & KubeObject;
export type Condition = Mutable<DeploymentCondition>;
export type Status = Mutable<DeploymentStatus>;

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Deployment annotations never copied to its ReplicaSets. */
export const SKIP_ANNOTATIONS = new Set([LAST_APPLIED, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, 'deprecated.deployment.rollback.to']);
export const MAX_REVISION_HISTORY_CHARS = 2000;
export const MAX_INT32 = 2147483647;

// Condition reasons, as upstream's deployment util.
export const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  rsUpdated: 'ReplicaSetUpdated',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

// ---------- surge and unavailability (upstream's MaxSurge, MaxUnavailable, ResolveFenceposts) ----------

/** maxSurge rounded up and maxUnavailable rounded down against `desired`; never both 0. */
export function resolveFenceposts(surge: number | string | undefined, unavailable: number | string | undefined, desired: number): [number, number] {
  const s = scaledValue(surge ?? 0, desired, true);
  let u = scaledValue(unavailable ?? 0, desired, false);
  if (s === 0 && u === 0) u = 1;
  return [s, u];
}

export const isRolling = (d: DeploymentObj): boolean => d.spec?.strategy?.type !== 'Recreate';
export const desiredOf = (d: DeploymentObj): number => d.spec?.replicas ?? 1;

export function maxUnavailable(d: DeploymentObj): number {
  const desired = desiredOf(d);
  if (!isRolling(d) || desired === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const [, u] = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desired);
  return Math.min(u, desired);
}

export function maxSurge(d: DeploymentObj): number {
  if (!isRolling(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredOf(d))[0];
}

// ---------- replica set lists ----------

export const replicasOf = (rs: RSObj | undefined): number => rs?.spec?.replicas ?? 0;
/**
 * Pods of a ReplicaSet that are available: its status, but never more than spec.replicas, since
 * a ReplicaSet just scaled down still reports the pods it is about to delete.
 */
export const availableOf = (rs: RSObj | undefined): number => Math.min(rs?.status?.availableReplicas ?? 0, replicasOf(rs));
export const sum = (list: (RSObj | undefined)[], f: (rs: RSObj) => number): number => list.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
export const created = (rs: RSObj): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

export function byCreation(a: RSObj, b: RSObj): number {
  return created(a) - created(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);
}

export function revisionOf(rs: RSObj | undefined): number {
  const v = Number(rs?.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(v) ? v : 0;
}

export const maxRevision = (list: RSObj[]): number => Math.max(0, ...list.map(revisionOf));

/** The oldest ReplicaSet whose template is the deployment's (upstream's FindNewReplicaSet). */
export function findNewReplicaSet(d: DeploymentObj, list: RSObj[]): RSObj | undefined {
  return [...list].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export const activeReplicaSets = (list: (RSObj | undefined)[]): RSObj[] => list.filter((rs): rs is RSObj => !!rs && replicasOf(rs) > 0);

// ---------- annotations ----------

/** Sets desired-replicas and max-replicas on a ReplicaSet; true when that changed anything. */
export function setReplicasAnnotations(rs: RSObj, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  const changed = a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
  a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  a[MAX_REPLICAS_ANNOTATION] = String(max);
  return changed;
}

/**
 * Copies the deployment's annotations to its new ReplicaSet and raises the ReplicaSet's revision
 * to `newRevision` when it is lower, keeping the revisions it had in revision-history (a rollback
 * to this template). Upstream's SetNewReplicaSetAnnotations.
 */
export function setNewReplicaSetAnnotations(d: DeploymentObj, rs: RSObj, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIP_ANNOTATIONS.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const old = a[REVISION_ANNOTATION];
  const oldRevision = old === undefined || old === '' ? 0 : Number(old);
  if (!Number.isInteger(oldRevision)) return changed;
  if (oldRevision < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (old !== undefined) {
      const history = a[REVISION_HISTORY_ANNOTATION];
      const revisions = history ? history.split(',') : [];
      revisions.push(old);
      while (revisions.join(',').length > MAX_REVISION_HISTORY_CHARS && revisions.length > 1) revisions.shift();
      a[REVISION_HISTORY_ANNOTATION] = revisions.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredOf(d), desiredOf(d) + maxSurge(d))) changed = true;
  return changed;
}
