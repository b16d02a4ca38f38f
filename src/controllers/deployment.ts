// The Deployment controller: one ReplicaSet per pod template, named `<deployment>-<hash>` with a
// `pod-template-hash` label and selector term; rolls from old ReplicaSets to the new one with
// RollingUpdate (within maxSurge above and maxUnavailable below spec.replicas) or Recreate (all
// old pods gone first); records revisions in `deployment.kubernetes.io/revision` (a template
// rolled back to gets its ReplicaSet back with the next revision); scales proportionally while a
// rollout is under way; honours pause; keeps revisionHistoryLimit old ReplicaSets; and reports
// status and the Available / Progressing / ReplicaFailure conditions `kubectl rollout status` reads.
// Shaped after upstream's pkg/controller/deployment: the controller and its sync paths (sync.go,
// rolling.go, recreate.go) here; the parts in ./deployment/ (util, hash, rollout, status).
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { semanticEqual } from '../api/resources/workloads.js';
import { EventRecorder } from '../client/events.js';
import { ReconcileLoop } from '../client/controller.js';
import { byControllerUid, byNamespace } from '../client/indexer.js';
import type { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { R, resource } from '../client/typed.js';
import { claimObjects, controllerOf, newControllerRef, objectKey, orphansByNamespace, parseSelector, recheckOwner, type PodObj } from './controllerutil.js';
import { isAlreadyExists, isNotFound } from '../api/errors.js';
import { isPodTerminal } from '../api/pods.js';
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from './deployment/hash.js';
import { annotationInt, newRSNewReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets, scaleDeployment, type ScaleFn } from './deployment/rollout.js';
import {
  activeReplicaSets, byCreation, DESIRED_REPLICAS_ANNOTATION, desiredOf, findNewReplicaSet, maxRevision, maxSurge, REASON, REVISION_ANNOTATION,
  replicasOf, revisionOf, setNewReplicaSetAnnotations, setReplicasAnnotations, type DeploymentObj, type RSObj, type Status,
} from './deployment/util.js';
import { calculateStatus, deploymentComplete, getCondition, hasProgressDeadline, newCondition, rolloutStatus, setCondition } from './deployment/status.js';

const RESYNC_MS = 60_000;

export class DeploymentController extends ReconcileLoop {
  private readonly deployments: Informer<DeploymentObj>;
  private readonly replicaSets: Informer<RSObj>;
  private readonly pods: Informer<PodObj>;
  private readonly events: EventRecorder;
  /** When each deployment's progress deadline check is due. */
  private readonly deadlines = new Map<string, number>();

  constructor(client: RestClient) {
    super(client, { workers: 2, resyncMs: RESYNC_MS });
    this.events = new EventRecorder(client, 'deployment-controller');
    this.deployments = this.inform<DeploymentObj>(R.deployments, (_t, d) => this.queue.add(objectKey(d))).addIndex(byNamespace);
    this.replicaSets = this.inform<RSObj>(R.replicasets, (type, rs) => this.onReplicaSet(type, rs)).addIndex(byControllerUid).addIndex(orphansByNamespace);
    this.pods = this.inform<PodObj>(R.pods, (type, pod) => { if (type === 'DELETED') this.onPodDeleted(pod); }).addIndex(byControllerUid);
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
    for (const d of this.deployments.byIndex(byNamespace.name, rs.metadata.namespace!)) {
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

  protected override async reconcile(key: string): Promise<void> {
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
    // Its own (owner-UID index) and the namespace's orphans: other controllers' are never candidates.
    const own = this.replicaSets.byIndex(byControllerUid.name, d.metadata.uid!);
    const orphans = d.metadata.deletionTimestamp ? [] : this.replicaSets.byIndex(orphansByNamespace.name, ns);
    const candidates = [...own, ...orphans].map((rs) => structuredClone(rs));
    const claimed = await claimObjects({
      objects: resource<RSObj>(this.client, R.replicasets, ns), owner: d, ref: newControllerRef(d, 'apps/v1', 'Deployment'), selector, candidates,
      canAdopt: recheckOwner(resource(this.client, R.deployments, ns), d),
    });
    return claimed;
  }

  // ---- writes ----

  /** Writes the deployment's status (and annotations, which the status subresource lets through); keeps `d` current. */
  private async updateStatus(d: DeploymentObj): Promise<void> {
    const updated = await resource<DeploymentObj>(this.client, R.deployments, d.metadata.namespace).updateStatus(d.metadata.name!, d);
    d.metadata = updated.metadata;
    d.status = updated.status;
    this.deployments.writeThrough(updated);
  }

  /** PUTs a ReplicaSet and updates the object in place with what the server stored. */
  private async updateReplicaSet(rs: RSObj): Promise<void> {
    const updated = await resource<RSObj>(this.client, R.replicasets, rs.metadata.namespace).update(rs.metadata.name!, rs);
    Object.assign(rs, updated);
    this.replicaSets.writeThrough(updated);
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
      created = await resource<RSObj>(this.client, R.replicasets, ns).create(rs);
      this.replicaSets.writeThrough(created);
    } catch (e) {
      if (isAlreadyExists(e)) {
        const found = await resource<RSObj>(this.client, R.replicasets, ns).get(rs.metadata.name!);
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
    for (const rs of oldRSs) {
      if (rs.metadata.uid === newRS?.metadata.uid) continue;
      if (this.pods.byIndex(byControllerUid.name, rs.metadata.uid!).some((pod) => !isPodTerminal(pod))) return true;
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
      await resource(this.client, R.replicasets, rs.metadata.namespace).delete(rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } })
        .catch((e) => { if (!isNotFound(e)) throw e; });
    }
  }
}
