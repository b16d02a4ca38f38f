// The rollout arithmetic (upstream's rolling.go and sync.go scaling): maxSurge / maxUnavailable,
// how far the new ReplicaSet may grow and the old ones shrink in one RollingUpdate step, and
// proportional scaling of every ReplicaSet when spec.replicas changes mid-rollout.
import {
  activeReplicaSets, availableOf, byCreation, created, DESIRED_REPLICAS_ANNOTATION, desiredOf, isRolling, MAX_REPLICAS_ANNOTATION, maxSurge, maxUnavailable, replicasOf, sum,
  type DeploymentObj, type RSObj,
} from './util.js';

/**
 * Pods a ReplicaSet has or is about to have: its size, or more while pods it was scaled down from
 * are still reported (not deleted yet).
 */
export const podsOf = (rs: RSObj): number => Math.max(replicasOf(rs), rs.status?.replicas ?? 0);

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
export async function cleanupUnhealthyReplicas(oldRSs: RSObj[], max: number, scale: ScaleFn): Promise<number> {
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
export async function scaleDownOldForRollingUpdate(d: DeploymentObj, all: RSObj[], oldRSs: RSObj[], scale: ScaleFn): Promise<number> {
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

export const annotationInt = (rs: RSObj | undefined, key: string): number | undefined => {
  const v = rs?.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
};

/** Go's math.Round: halves away from zero. */
export const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

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

export const isSaturated = (d: DeploymentObj, rs: RSObj | undefined): boolean =>
  !!rs && replicasOf(rs) === desiredOf(d) && annotationInt(rs, DESIRED_REPLICAS_ANNOTATION) === desiredOf(d) && (rs.status?.availableReplicas ?? 0) === desiredOf(d);
