// The ReplicaSet controller: keeps spec.replicas active pods matching the selector. It adopts
// matching orphans and releases pods that stop matching (ownerReferences with controller: true),
// creates pods from the template in slow-start batches, deletes the pods that matter least first
// (unscheduled < pending < not ready < ready for less time < more restarts < newer), and reports
// replicas / fullyLabeledReplicas / readyReplicas / availableReplicas / observedGeneration.
// Expectations keep it from acting twice on its own writes before the informer has seen them.
// Its pods are found through the pod cache's owner-UID index, orphans through the orphan index.
import { isDeepStrictEqual } from 'node:util';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import { ApiError, isConflict, isNotFound } from '../api/errors.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { metaTime } from '../api/time.js';
import { isPodActive, isPodAvailable, isPodReady } from '../api/pods.js';
import { ReconcileLoop } from '../client/controller.js';
import { EventRecorder } from '../client/events.js';
import { Expectations } from '../client/expectations.js';
import { byControllerUid, byNamespace } from '../client/indexer.js';
import type { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { pods, R, resource } from '../client/typed.js';
import {
  claimObjects, controllerOf, newControllerRef, objectKey, omitZeros, orphansByNamespace, parseSelector, podFromTemplate, podsToDelete, recheckOwner, slowStartBatch, type PodObj,
} from './controllerutil.js';

export type ReplicaSetObj = Mutable<ReplicaSet> & KubeObject;

const BURST_REPLICAS = 500;
const RESYNC_MS = 60_000;

/** The status a ReplicaSet reports for its active, owned pods (upstream's calculateStatus). */
export function replicaSetStatus(rs: ReplicaSetObj, pods: PodObj[], manageError: unknown, now = Date.now()): Mutable<ReplicaSetStatus> {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const fullyLabeled = pods.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
  const ready = pods.filter(isPodReady);
  const available = ready.filter((p) => isPodAvailable(p, rs.spec?.minReadySeconds ?? 0, now)).length;
  const status: Mutable<ReplicaSetStatus> = { ...(structuredClone(rs.status ?? { replicas: 0 }) as Mutable<ReplicaSetStatus>) };
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const failure = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: Mutable<ReplicaSetCondition> = { type: 'ReplicaFailure', status: 'True', lastTransitionTime: metaTime(now), reason, message: manageError instanceof Error ? manageError.message : String(manageError) };
    conditions.push(cond);
  } else if (manageError && failure) {
    conditions.push(failure as Mutable<ReplicaSetCondition>);
  }
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready.length;
  status.availableReplicas = available;
  return omitZeros(status, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']);
}

export class ReplicaSetController extends ReconcileLoop {
  private readonly expectations = new Expectations();
  private readonly replicaSets: Informer<ReplicaSetObj>;
  private readonly pods: Informer<PodObj>;
  private readonly events: EventRecorder;

  constructor(client: RestClient) {
    super(client, { workers: 2, resyncMs: RESYNC_MS });
    this.events = new EventRecorder(client, 'replicaset-controller');
    this.replicaSets = this.inform<ReplicaSetObj>(R.replicasets, (type, rs) => {
      if (type === 'DELETED') this.expectations.delete(objectKey(rs));
      this.queue.add(objectKey(rs));
    }).addIndex(byNamespace);
    this.pods = this.inform<PodObj>(R.pods, (type, pod) => this.onPod(type, pod)).addIndex(byControllerUid).addIndex(orphansByNamespace);
  }

  /** The ReplicaSet a controller reference points at, if it is one we know (same UID). */
  private ownerOf(pod: PodObj): ReplicaSetObj | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet' || !ref.apiVersion?.startsWith('apps/')) return undefined;
    const rs = this.replicaSets.items.get(`${pod.metadata.namespace}/${ref.name}`);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  private onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: PodObj): void {
    const rs = this.ownerOf(pod);
    if (rs) {
      const key = objectKey(rs);
      this.expectations.observe(key, type, pod);
      this.queue.add(key);
      // A pod that just became ready turns available only after minReadySeconds.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && isPodReady(pod) && !isPodAvailable(pod, minReady)) this.queue.addAfter(key, minReady * 1000 + 100);
      return;
    }
    if (controllerOf(pod) || type === 'DELETED' || pod.metadata.deletionTimestamp) return;
    // An orphan: every ReplicaSet that selects it may want to adopt it.
    for (const candidate of this.replicaSets.byIndex(byNamespace.name, pod.metadata.namespace!)) {
      if (parseSelector(candidate.spec?.selector)?.matches(pod.metadata.labels ?? {})) this.queue.add(objectKey(candidate));
    }
  }

  protected override async reconcile(key: string): Promise<void> {
    const cached = this.replicaSets.items.get(key);
    if (!cached) { this.expectations.delete(key); return; }
    const rs = structuredClone(cached);
    const ns = rs.metadata.namespace!;
    const needsSync = this.expectations.satisfied(key);
    const selector = parseSelector(rs.spec?.selector);
    if (!selector) return;
    const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    const owned = await claimObjects({
      objects: pods<PodObj>(this.client, ns), owner: rs, ref, selector, candidates: this.candidates(rs),
      canAdopt: recheckOwner(resource(this.client, R.replicasets, ns), rs),
    });
    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, owned, ref);
      } catch (e) {
        manageError = e;
      }
    }
    const status = replicaSetStatus(rs, owned, manageError);
    const updated = await this.updateStatus(rs, status);
    const minReady = updated.spec?.minReadySeconds ?? 0;
    const replicas = updated.spec?.replicas ?? 1;
    if (!manageError && minReady > 0 && updated.status?.readyReplicas === replicas && updated.status?.availableReplicas !== replicas) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageError) throw manageError;
  }

  /**
   * The active pods this ReplicaSet may own: its own (owner-UID index) and, when it may adopt, the
   * namespace's orphans; pods of other controllers are never candidates (claimObjects skips them).
   */
  private candidates(rs: ReplicaSetObj): PodObj[] {
    const own = this.pods.byIndex(byControllerUid.name, rs.metadata.uid!).filter(isPodActive);
    if (rs.metadata.deletionTimestamp) return own;
    const orphans = this.pods.byIndex(orphansByNamespace.name, rs.metadata.namespace!).filter(isPodActive);
    return orphans.length ? [...own, ...orphans] : own;
  }

  private async manageReplicas(key: string, rs: ReplicaSetObj, owned: PodObj[], ref: OwnerReference): Promise<void> {
    const podsOfRs = pods<PodObj>(this.client, rs.metadata.namespace);
    const diff = owned.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, n);
      const { successes, error } = await slowStartBatch(n, 1, async () => {
        try {
          const pod = await podsOfRs.create(podFromTemplate(rs.spec!.template!, rs, ref));
          this.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (e) {
          // A terminating namespace takes no new pods; nothing to report.
          if (e instanceof ApiError && e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return;
          this.events.record(rs, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
      });
      // Pods never created will never be observed.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(owned, owned, n);
      this.expectations.expectDeletions(key, victims.map(objectKey));
      const errors: unknown[] = [];
      await Promise.all(victims.map(async (pod) => {
        try {
          await podsOfRs.delete(pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          this.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (e) {
          this.expectations.deletionObserved(key, objectKey(pod));
          if (isNotFound(e)) return;
          this.events.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
          errors.push(e);
        }
      }));
      if (errors.length) throw errors[0];
    }
  }

  /** Writes the status (with observedGeneration) when it changed; one retry on a fresh copy after a conflict. */
  private async updateStatus(rs: ReplicaSetObj, status: Mutable<ReplicaSetStatus>): Promise<ReplicaSetObj> {
    const withGeneration = (generation: number | undefined) => omitZeros({ ...status, observedGeneration: generation }, ['observedGeneration']);
    if (isDeepStrictEqual(rs.status ?? {}, withGeneration(rs.metadata.generation))) return rs;
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      // The generation this sync acted on, even when a retry reads a newer one.
      const body = { ...current, status: withGeneration(rs.metadata.generation) };
      try {
        const updated = await resource<ReplicaSetObj>(this.client, R.replicasets, current.metadata.namespace).updateStatus(current.metadata.name!, body);
        this.replicaSets.writeThrough(updated);
        return updated;
      } catch (e) {
        if (!isConflict(e) || attempt >= 1) throw e;
        current = await resource<ReplicaSetObj>(this.client, R.replicasets, current.metadata.namespace).get(current.metadata.name!);
      }
    }
  }
}
