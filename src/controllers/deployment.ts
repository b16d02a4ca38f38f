// The Deployment controller: one ReplicaSet per pod template, named `<deployment>-<hash>` with a
// `pod-template-hash` label and selector term; rolls from old ReplicaSets to the new one with
// RollingUpdate (within maxSurge above and maxUnavailable below spec.replicas) or Recreate (all
// old pods gone first); records revisions in `deployment.kubernetes.io/revision` (a template
// rolled back to gets its ReplicaSet back with the next revision); scales proportionally while a
// rollout is under way; honours pause; keeps revisionHistoryLimit old ReplicaSets; and reports
// status and the Available / Progressing / ReplicaFailure conditions `kubectl rollout status` reads.
// Shaped after upstream's pkg/controller/deployment (sync.go, rolling.go, recreate.go, progress.go).
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { fnv32a, safeEncode } from '../api/hash.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { scaledValue, semanticEqual } from '../api/resources/workloads.js';
import { EventRecorder } from '../client/events.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import {
  claimObjects, controllerOf, isConflict, isNotFound, newControllerRef, nowRfc3339, objectKey, omitZeros, parseSelector, recheckOwner,
  writeThrough, type PodObj,
} from './replicaset.js';
import { WorkQueue } from '../client/workqueue.js';

export type DeploymentObj = Mutable<Deployment> & KubeObject;
export type RSObj = Mutable<ReplicaSet> & KubeObject;
type Condition = Mutable<DeploymentCondition>;
type Status = Mutable<DeploymentStatus>;

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Deployment annotations never copied to its ReplicaSets. */
const SKIP_ANNOTATIONS = new Set([LAST_APPLIED, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, 'deprecated.deployment.rollback.to']);
const MAX_REVISION_HISTORY_CHARS = 2000;
const MAX_INT32 = 2147483647;

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

// ---------- template hash ----------

/** JSON with sorted keys and without nulls: the same template always gives the same text. */
function canonicalJson(v: unknown): string {
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

const withoutHash = (t: PodTemplateSpec | undefined): PodTemplateSpec => {
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

// ---------- replica set lists ----------

const replicasOf = (rs: RSObj | undefined): number => rs?.spec?.replicas ?? 0;
/**
 * Pods of a ReplicaSet that are available: its status, but never more than spec.replicas, since
 * a ReplicaSet just scaled down still reports the pods it is about to delete.
 */
export const availableOf = (rs: RSObj | undefined): number => Math.min(rs?.status?.availableReplicas ?? 0, replicasOf(rs));
const sum = (list: (RSObj | undefined)[], f: (rs: RSObj) => number): number => list.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
const created = (rs: RSObj): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

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

// ---------- rollout math ----------

/** maxSurge rounded up and maxUnavailable rounded down against `desired`; never both 0. */
export function resolveFenceposts(surge: number | string | undefined, unavailable: number | string | undefined, desired: number): [number, number] {
  const s = scaledValue(surge ?? 0, desired, true);
  let u = scaledValue(unavailable ?? 0, desired, false);
  if (s === 0 && u === 0) u = 1;
  return [s, u];
}

const isRolling = (d: DeploymentObj): boolean => d.spec?.strategy?.type !== 'Recreate';
const desiredOf = (d: DeploymentObj): number => d.spec?.replicas ?? 1;

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

/**
 * Pods a ReplicaSet has or is about to have: its size, or more while pods it was scaled down from
 * are still reported (not deleted yet).
 */
const podsOf = (rs: RSObj): number => Math.max(replicasOf(rs), rs.status?.replicas ?? 0);

/**
 * How big the new ReplicaSet may be now (upstream's NewRSNewReplicas). Unlike upstream, pods an old
 * ReplicaSet still reports count until it has deleted them, so that pods that exist at the same
 * time, not only the sizes, stay within replicas + maxSurge.
 */
export function newRSNewReplicas(d: DeploymentObj, all: (RSObj | undefined)[], newRS: RSObj): number {
  if (!isRolling(d)) return desiredOf(d);
  const current = sum(all, podsOf);
  const maxTotal = desiredOf(d) + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, desiredOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

export type ScaleFn = (rs: RSObj, replicas: number) => Promise<boolean>;

/** Step 1 of a rolling update: grow (or shrink) the new ReplicaSet within maxSurge. */
export async function reconcileNewReplicaSet(d: DeploymentObj, all: RSObj[], newRS: RSObj, scale: ScaleFn): Promise<boolean> {
  if (replicasOf(newRS) === desiredOf(d)) return false;
  if (replicasOf(newRS) > desiredOf(d)) return scale(newRS, desiredOf(d));
  return scale(newRS, newRSNewReplicas(d, all, newRS));
}

/**
 * Step 2 of a rolling update: shrink old ReplicaSets as far as availability allows — first their
 * pods that are not available, then available ones while at least replicas - maxUnavailable
 * pods stay available (upstream's reconcileOldReplicaSets).
 */
export async function reconcileOldReplicaSets(d: DeploymentObj, all: RSObj[], oldRSs: RSObj[], newRS: RSObj | undefined, scale: ScaleFn): Promise<boolean> {
  const oldPods = sum(oldRSs, replicasOf);
  if (oldPods === 0) return false;
  const allPods = sum(all, replicasOf);
  const minAvailable = desiredOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - availableOf(newRS);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(oldRSs, maxScaledDown, scale);
  const scaled = await scaleDownOldForRollingUpdate(d, [...oldRSs, ...(newRS ? [newRS] : [])], oldRSs, scale);
  return cleaned + scaled > 0;
}

/** Removes old pods that are not available (oldest ReplicaSets first), up to `max` of them. */
async function cleanupUnhealthyReplicas(oldRSs: RSObj[], max: number, scale: ScaleFn): Promise<number> {
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= max) break;
    const replicas = replicasOf(rs);
    if (replicas === 0 || replicas === availableOf(rs)) continue;
    const n = Math.min(max - total, replicas - availableOf(rs));
    await scale(rs, replicas - n);
    total += n;
  }
  return total;
}

/** Scales old ReplicaSets down (oldest first) by what availability above the minimum allows. */
async function scaleDownOldForRollingUpdate(d: DeploymentObj, all: RSObj[], oldRSs: RSObj[], scale: ScaleFn): Promise<number> {
  const minAvailable = desiredOf(d) - maxUnavailable(d);
  const available = sum(all, availableOf);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    const replicas = replicasOf(rs);
    if (replicas === 0) continue;
    const n = Math.min(replicas, target - total);
    await scale(rs, replicas - n);
    total += n;
  }
  return total;
}

const annotationInt = (rs: RSObj | undefined, key: string): number | undefined => {
  const v = rs?.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
};

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** How many replicas of `toAdd` this ReplicaSet should take, by its share of the deployment (upstream's GetProportion). */
export function proportion(rs: RSObj, d: DeploymentObj, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (desiredOf(d) === 0) fraction = -replicasOf(rs);
  else {
    const maxNow = desiredOf(d) + maxSurge(d);
    let maxBefore = annotationInt(rs, MAX_REPLICAS_ANNOTATION) ?? 0;
    if (!maxBefore) maxBefore = d.status?.replicas ?? 0;
    fraction = maxBefore ? roundHalfAway((replicasOf(rs) * maxNow) / maxBefore) - replicasOf(rs) : 0;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * A change of spec.replicas while several ReplicaSets are active: the difference is shared among
 * them in proportion to their size, leftovers going to the largest (upstream's scale()).
 */
export async function scaleDeployment(d: DeploymentObj, newRS: RSObj | undefined, oldRSs: RSObj[], scale: ScaleFn): Promise<void> {
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) !== desiredOf(d)) await scale(activeOrLatest, desiredOf(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const rs of activeReplicaSets(oldRSs)) await scale(rs, 0);
    return;
  }
  if (!isRolling(d)) return;
  const active = activeReplicaSets([...oldRSs, newRS]);
  const allowedSize = desiredOf(d) > 0 ? desiredOf(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - sum(active, replicasOf);
  // Bigger first; equal sizes: newer first when growing, older first when shrinking.
  if (toAdd > 0) active.sort((a, b) => replicasOf(b) - replicasOf(a) || created(b) - created(a));
  else if (toAdd < 0) active.sort((a, b) => replicasOf(b) - replicasOf(a) || created(a) - created(b));
  let added = 0;
  const sizes = new Map<RSObj, number>();
  for (const rs of active) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs, replicasOf(rs) + p);
      added += p;
    } else sizes.set(rs, replicasOf(rs));
  }
  for (let i = 0; i < active.length; i++) {
    const rs = active[i];
    if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
    await scale(rs, sizes.get(rs)!);
  }
}

/** The one active ReplicaSet, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: RSObj | undefined, oldRSs: RSObj[]): RSObj | undefined {
  if (!oldRSs.length && !newRS) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

const isSaturated = (d: DeploymentObj, rs: RSObj | undefined): boolean =>
  !!rs && replicasOf(rs) === desiredOf(d) && annotationInt(rs, DESIRED_REPLICAS_ANNOTATION) === desiredOf(d) && (rs.status?.availableReplicas ?? 0) === desiredOf(d);

// ---------- conditions and status ----------

export function getCondition(status: Status | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now = Date.now()): Condition {
  const t = nowRfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** Upstream's SetDeploymentCondition: no change for the same status and reason; keeps lastTransitionTime while the status holds. */
export function setCondition(status: Status, cond: Condition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  if (current && current.status === cond.status) cond.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), cond];
}

export function removeCondition(status: Status, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
  if (!status.conditions.length) delete status.conditions;
}

const hasProgressDeadline = (d: DeploymentObj): boolean =>
  d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== null && d.spec.progressDeadlineSeconds !== MAX_INT32;

/** Every pod is of the new template and available, and the controller has seen the latest spec. */
export function deploymentComplete(d: DeploymentObj, s: Status): boolean {
  const want = desiredOf(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Something moved since the last status: more updated, fewer old, more ready or more available pods. */
export function deploymentProgressing(d: DeploymentObj, s: Status): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

export function deploymentTimedOut(d: DeploymentObj, s: Status, now = Date.now()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s, 'Progressing');
  if (!cond) return false;
  if (cond.reason === REASON.newRSAvailable) return false;
  if (cond.reason === REASON.timedOut) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + d.spec!.progressDeadlineSeconds! * 1000 < now;
}

/** The status counts from the ReplicaSets, and the Available condition (upstream's calculateStatus). */
export function calculateStatus(all: (RSObj | undefined)[], newRS: RSObj | undefined, d: DeploymentObj, now = Date.now()): Status {
  const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
  const total = sum(all, replicasOf);
  const status: Status = {
    observedGeneration: d.metadata.generation,
    replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    ...(d.status?.conditions?.length ? { conditions: structuredClone(d.status.conditions) as Condition[] } : {}),
  };
  if (available >= desiredOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', REASON.minimumAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', REASON.minimumUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return omitZeros(status, ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']);
}

/** The status after this sync, with the Progressing condition brought up to date (upstream's syncRolloutStatus). */
export function rolloutStatus(all: (RSObj | undefined)[], newRS: RSObj | undefined, d: DeploymentObj, now = Date.now()): Status {
  const status = calculateStatus(all, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const name = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', REASON.newRSAvailable, `${name} has successfully progressed.`, now));
    } else if (deploymentProgressing(d, status)) {
      const cond = newCondition('Progressing', 'True', REASON.rsUpdated, `${name} is progressing.`, now);
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      status.conditions = [...(status.conditions ?? []), cond];
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition('Progressing', 'False', REASON.timedOut, `${name} has timed out progressing.`, now));
    }
  }
  const failure = [newRS, ...all].map((rs) => rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')).find(Boolean);
  if (failure) setCondition(status, newCondition('ReplicaFailure', 'True', failure.reason ?? '', failure.message ?? '', now));
  else if (getCondition(status, 'ReplicaFailure')) removeCondition(status, 'ReplicaFailure');
  return status;
}

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

// ---------- the controller ----------

const APPS = '/apis/apps/v1';
const RESYNC_MS = 60_000;
const deploymentPath = (ns: string, name: string) => `${APPS}/namespaces/${ns}/deployments/${name}`;
const rsCollection = (ns: string) => `${APPS}/namespaces/${ns}/replicasets`;

export class DeploymentController {
  private readonly queue = new WorkQueue();
  private readonly deployments: Informer<DeploymentObj>;
  private readonly replicaSets: Informer<RSObj>;
  private readonly pods: Informer<PodObj>;
  private readonly events: EventRecorder;
  /** When each deployment's progress deadline check is due. */
  private readonly deadlines = new Map<string, number>();
  private resync?: NodeJS.Timeout;

  constructor(private readonly client: RestClient) {
    this.events = new EventRecorder(client, 'deployment-controller');
    this.deployments = new Informer<DeploymentObj>(client, `${APPS}/deployments`, (_t, d) => this.queue.add(objectKey(d)));
    this.replicaSets = new Informer<RSObj>(client, `${APPS}/replicasets`, (type, rs) => this.onReplicaSet(type, rs));
    this.pods = new Informer<PodObj>(client, '/api/v1/pods', (type, pod) => { if (type === 'DELETED') this.onPodDeleted(pod); });
  }

  async start(): Promise<void> {
    await Promise.all([this.deployments.start(), this.replicaSets.start(), this.pods.start()]);
    void this.queue.run((key) => this.reconcile(key), 2);
    this.resync = setInterval(() => { for (const key of this.deployments.items.keys()) this.queue.add(key); }, RESYNC_MS);
  }

  stop(): void {
    clearInterval(this.resync);
    this.deployments.stop();
    this.replicaSets.stop();
    this.pods.stop();
    this.queue.stop();
  }

  private ownerKey(obj: KubeObject): string | undefined {
    const ref = controllerOf(obj);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.items.get(`${obj.metadata.namespace}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? objectKey(d) : undefined;
  }

  private onReplicaSet(type: 'ADDED' | 'MODIFIED' | 'DELETED', rs: RSObj): void {
    const owner = this.ownerKey(rs);
    if (owner) { this.queue.add(owner); return; }
    if (controllerOf(rs) || type === 'DELETED') return;
    // An orphan: the deployments that select it may adopt it.
    for (const d of this.deployments.items.values()) {
      if (d.metadata.namespace !== rs.metadata.namespace) continue;
      if (parseSelector(d.spec?.selector)?.matches(rs.metadata.labels ?? {})) this.queue.add(objectKey(d));
    }
  }

  /** Recreate waits for the old pods to be gone: their deletion wakes the deployment up. */
  private onPodDeleted(pod: PodObj): void {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.items.get(`${pod.metadata.namespace}/${ref.name}`);
    const owner = rs && this.ownerKey(rs);
    if (owner && this.deployments.items.get(owner)?.spec?.strategy?.type === 'Recreate') this.queue.add(owner);
  }

  private async reconcile(key: string): Promise<void> {
    const cached = this.deployments.items.get(key);
    if (!cached) { this.deadlines.delete(key); return; }
    const d = structuredClone(cached);
    const selector = parseSelector(d.spec?.selector);
    if (!selector || selector.empty()) {
      this.events.record(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if (d.status?.observedGeneration !== d.metadata.generation) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await this.updateStatus(d);
      }
      return;
    }
    const rsList = await this.claimReplicaSets(d, selector);
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    await this.checkPausedConditions(d);
    if (d.spec?.paused) return this.sync(d, rsList);
    if (await this.isScalingEvent(d, rsList)) return this.sync(d, rsList);
    if (d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(d, rsList);
    return this.rolloutRolling(d, rsList);
  }

  /** The ReplicaSets this deployment controls, after adopting orphans that match and releasing owned ones that do not. */
  private async claimReplicaSets(d: DeploymentObj, selector: NonNullable<ReturnType<typeof parseSelector>>): Promise<RSObj[]> {
    const ns = d.metadata.namespace!;
    const candidates = [...this.replicaSets.items.values()].filter((rs) => rs.metadata.namespace === ns).map((rs) => structuredClone(rs));
    const claimed = await claimObjects({
      client: this.client, owner: d, ref: newControllerRef(d, 'apps/v1', 'Deployment'), selector, candidates,
      pathOf: (rs) => `${rsCollection(ns)}/${rs.metadata.name}`,
      canAdopt: recheckOwner(this.client, deploymentPath(ns, d.metadata.name!), d),
    });
    return claimed;
  }

  // ---- writes ----

  /** Writes the deployment's status (and annotations, which the status subresource lets through); keeps `d` current. */
  private async updateStatus(d: DeploymentObj): Promise<void> {
    const updated = await this.client.put<DeploymentObj>(`${deploymentPath(d.metadata.namespace!, d.metadata.name!)}/status`, d);
    d.metadata = updated.metadata;
    d.status = updated.status;
    writeThrough(this.deployments, updated);
  }

  /** PUTs a ReplicaSet and updates the object in place with what the server stored. */
  private async updateReplicaSet(rs: RSObj): Promise<void> {
    const updated = await this.client.put<RSObj>(`${rsCollection(rs.metadata.namespace!)}/${rs.metadata.name}`, rs);
    Object.assign(rs, updated);
    writeThrough(this.replicaSets, updated);
  }

  /** Scales a ReplicaSet (and refreshes its replica annotations); records ScalingReplicaSet. Upstream's scaleReplicaSet. */
  private scaler(d: DeploymentObj): ScaleFn {
    return async (rs, replicas) => {
      const old = replicasOf(rs);
      const sizeChanged = old !== replicas;
      const copy = structuredClone(rs);
      const annotationsChanged = setReplicasAnnotations(copy, desiredOf(d), desiredOf(d) + maxSurge(d));
      if (!sizeChanged && !annotationsChanged) return false;
      copy.spec = { ...(copy.spec ?? { selector: {} }), replicas } as RSObj['spec'];
      await this.updateReplicaSet(copy);
      Object.assign(rs, copy);
      if (sizeChanged) {
        this.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > old ? 'up' : 'down'} replica set ${rs.metadata.name} from ${old} to ${replicas}`);
      }
      return sizeChanged;
    };
  }

  // ---- the new ReplicaSet and revisions ----

  /**
   * The new ReplicaSet (created when `create` and missing) and the old ones, with revision
   * annotations brought up to date on both the ReplicaSet and the deployment (upstream's
   * getAllReplicaSetsAndSyncRevision).
   */
  private async newAndOld(d: DeploymentObj, rsList: RSObj[], create: boolean): Promise<[RSObj | undefined, RSObj[]]> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        copy.spec!.minReadySeconds = d.spec?.minReadySeconds;
        if (copy.spec!.minReadySeconds === undefined) delete copy.spec!.minReadySeconds;
        await this.updateReplicaSet(copy);
        Object.assign(existing, copy);
      }
      let needsUpdate = this.setDeploymentRevision(d, existing.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        d.status ??= {};
        setCondition(d.status, newCondition('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${existing.metadata.name}"`));
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateStatus(d);
      return [existing, oldRSs];
    }
    if (!create) return [undefined, oldRSs];
    return [await this.createNewReplicaSet(d, oldRSs, newRevision), oldRSs];
  }

  private setDeploymentRevision(d: DeploymentObj, revision: string): boolean {
    if (!revision || d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return false;
    (d.metadata.annotations ??= {})[REVISION_ANNOTATION] = revision;
    return true;
  }

  private async createNewReplicaSet(d: DeploymentObj, oldRSs: RSObj[], newRevision: number): Promise<RSObj | undefined> {
    const ns = d.metadata.namespace!;
    const hash = computeHash(d.spec!.template, d.status?.collisionCount);
    const template = structuredClone(d.spec!.template!) as Mutable<PodTemplateSpec>;
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')] },
      spec: { replicas: 0, selector, template, ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
    } as RSObj;
    rs.spec!.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: RSObj;
    let alreadyExists = false;
    try {
      created = await this.client.post<RSObj>(rsCollection(ns), rs);
      writeThrough(this.replicaSets, created);
    } catch (e) {
      if (isConflict(e) && (e as { reason?: string }).reason === 'AlreadyExists') {
        const found = await this.client.get<RSObj>(`${rsCollection(ns)}/${rs.metadata.name}`);
        if (controllerOf(found)?.uid === d.metadata.uid && equalIgnoreHash(found.spec?.template, d.spec?.template)) {
          created = found;
          alreadyExists = true;
        } else {
          // A hash collision: another template already has this name. Count it; the next hash differs.
          d.status ??= {};
          d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
          await this.updateStatus(d);
          throw e;
        }
      } else if (e instanceof Error && (e as { details?: { causes?: { reason?: string }[] } }).details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) {
        throw e;
      } else {
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`;
        if (hasProgressDeadline(d)) {
          d.status ??= {};
          setCondition(d.status, newCondition('Progressing', 'False', REASON.failedRSCreate, msg));
          await this.updateStatus(d).catch(() => {});
        }
        this.events.record(d, 'Warning', REASON.failedRSCreate, msg);
        throw e;
      }
    }
    const replicas = replicasOf(created);
    if (!alreadyExists && replicas > 0) this.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    let needsUpdate = this.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      d.status ??= {};
      setCondition(d.status, newCondition('Progressing', 'True', REASON.newRSCreated, `Created new replica set "${created.metadata.name}"`));
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateStatus(d);
    return created;
  }

  // ---- the sync paths ----

  private async syncStatusOnly(d: DeploymentObj, rsList: RSObj[]): Promise<void> {
    const [newRS, oldRSs] = await this.newAndOld(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** Scaling (or a paused deployment): resize the ReplicaSets without rolling. */
  private async sync(d: DeploymentObj, rsList: RSObj[]): Promise<void> {
    const [newRS, oldRSs] = await this.newAndOld(d, rsList, false);
    await scaleDeployment(d, newRS, oldRSs, this.scaler(d));
    if (d.spec?.paused) await this.cleanup(d, oldRSs);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  private async syncDeploymentStatus(all: (RSObj | undefined)[], newRS: RSObj | undefined, d: DeploymentObj): Promise<void> {
    const status = calculateStatus(all, newRS, d);
    if (semanticEqual(d.status ?? {}, status)) return;
    d.status = status;
    await this.updateStatus(d);
  }

  /** Whether spec.replicas changed since the active ReplicaSets were sized (their desired-replicas annotation). */
  private async isScalingEvent(d: DeploymentObj, rsList: RSObj[]): Promise<boolean> {
    const [newRS, oldRSs] = await this.newAndOld(d, rsList, false);
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const desired = annotationInt(rs, DESIRED_REPLICAS_ANNOTATION);
      return desired !== undefined && desired !== desiredOf(d);
    });
  }

  private async checkPausedConditions(d: DeploymentObj): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === REASON.timedOut) return;
    const pausedCond = cond?.reason === REASON.paused;
    d.status ??= {};
    if (d.spec?.paused && !pausedCond) setCondition(d.status, newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused'));
    else if (!d.spec?.paused && pausedCond) setCondition(d.status, newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed'));
    else return;
    await this.updateStatus(d);
  }

  private async rolloutRolling(d: DeploymentObj, rsList: RSObj[]): Promise<void> {
    const [newRS, oldRSs] = await this.newAndOld(d, rsList, true);
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    const scale = this.scaler(d);
    if (newRS && await reconcileNewReplicaSet(d, all, newRS, scale)) return this.syncRolloutStatus(all, newRS, d);
    if (await reconcileOldReplicaSets(d, all, activeReplicaSets(oldRSs), newRS, scale)) return this.syncRolloutStatus(all, newRS, d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    return this.syncRolloutStatus(all, newRS, d);
  }

  private async rolloutRecreate(d: DeploymentObj, rsList: RSObj[]): Promise<void> {
    let [newRS, oldRSs] = await this.newAndOld(d, rsList, false);
    const scale = this.scaler(d);
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (await scale(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus([...oldRSs, newRS], newRS, d);
    if (this.oldPodsRunning(d, newRS, oldRSs)) return this.syncRolloutStatus([...oldRSs, newRS], newRS, d);
    if (!newRS) [newRS, oldRSs] = await this.newAndOld(d, rsList, true);
    if (newRS) await scale(newRS, desiredOf(d));
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    return this.syncRolloutStatus([...oldRSs, newRS], newRS, d);
  }

  /** Recreate: old ReplicaSets still report pods, or pods of theirs have not finished yet. */
  private oldPodsRunning(d: DeploymentObj, newRS: RSObj | undefined, oldRSs: RSObj[]): boolean {
    if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    for (const pod of this.pods.items.values()) {
      if (pod.metadata.namespace !== d.metadata.namespace) continue;
      const ref = controllerOf(pod);
      if (!ref || !oldUids.has(ref.uid) || ref.uid === newRS?.metadata.uid) continue;
      if (pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') return true;
    }
    return false;
  }

  private async syncRolloutStatus(all: (RSObj | undefined)[], newRS: RSObj | undefined, d: DeploymentObj): Promise<void> {
    const status = rolloutStatus(all, newRS, d);
    if (!semanticEqual(d.status ?? {}, status)) {
      d.status = status;
      await this.updateStatus(d);
    }
    this.requeueIfStuck(d, status);
  }

  /** Comes back when the progress deadline of a rollout that is not moving would pass (one timer per deployment and deadline). */
  private requeueIfStuck(d: DeploymentObj, status: Status): void {
    const cond = getCondition(status, 'Progressing');
    if (!hasProgressDeadline(d) || !cond) return;
    if (deploymentComplete(d, status) || cond.reason === REASON.timedOut) return;
    const key = objectKey(d);
    const at = Math.max(Date.now() + 1000, Date.parse(cond.lastUpdateTime ?? '') + d.spec!.progressDeadlineSeconds! * 1000);
    const pending = this.deadlines.get(key);
    if (pending !== undefined && pending > Date.now() && Math.abs(pending - at) < 1000) return;
    this.deadlines.set(key, at);
    this.queue.addAfter(key, at - Date.now());
  }

  /** Deletes the oldest old ReplicaSets beyond revisionHistoryLimit that are empty and settled. */
  private async cleanup(d: DeploymentObj, oldRSs: RSObj[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    alive.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of alive.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      await this.client.delete(`${rsCollection(rs.metadata.namespace!)}/${rs.metadata.name}`, { preconditions: { uid: rs.metadata.uid } })
        .catch((e) => { if (!isNotFound(e)) throw e; });
    }
  }
}

