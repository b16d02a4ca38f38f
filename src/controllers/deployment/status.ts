// Deployment status and conditions (upstream's progress.go and the status half of sync.go):
// replica counts, Available / Progressing, and the progress deadline.
import { omitZeros } from '../controllerutil.js';
import { metaTime } from '../../api/time.js';
import { desiredOf, MAX_INT32, maxUnavailable, REASON, replicasOf, sum, type Condition, type DeploymentObj, type RSObj, type Status } from './util.js';

export function getCondition(status: Status | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now = Date.now()): Condition {
  const t = metaTime(now);
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

export const hasProgressDeadline = (d: DeploymentObj): boolean =>
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
