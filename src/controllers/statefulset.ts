// StatefulSet controller (apps/v1), after upstream's: pods with stable names NAME-<ordinal>
// (hostname = pod name, subdomain = serviceName), created in ordinal order and each Running and
// Ready before the next (OrderedReady) or all at once (Parallel), removed highest ordinal first.
// Each template version is a ControllerRevision (./revisions.ts); RollingUpdate replaces pods at the old revision from the highest ordinal down to
// `partition`, one at a time, each Ready before the next; OnDelete leaves that to the user.
// volumeClaimTemplates are not supported (there are no PersistentVolumeClaims here): such a set
// gets a FailedCreate event.
import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { isAlreadyExists, isConflict, isNotFound } from '../api/errors.js';
import { isPodTerminal } from '../api/pods.js';
import { ReconcileLoop } from '../client/controller.js';
import { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { byControllerUid } from '../client/indexer.js';
import type { RestClient } from '../client/rest.js';
import { pods, R, resource } from '../client/typed.js';
import { availableIn, isRunningAndReady, isTerminating, objectKey, ownedPods, workloadOf } from './controllerutil.js';
import { canonicalJson, ensureRevision, REVISION_LABEL, revisionTemplate, truncateHistory, type Revision, type RevisionOwner } from './revisions.js';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

type S = Mutable<StatefulSet>;

// ---------- the StatefulSet rules ----------

/** The ordinal of a pod named `<set>-<n>`, or undefined. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** The pod for ordinal `ord` at revision `revision` (template from that revision). */
export function statefulPod(set: StatefulSet, template: PodTemplateSpec, revision: string, ord: number): Mutable<Pod> {
  const m = set.metadata!;
  const name = `${m.name}-${ord}`;
  const tpl = structuredClone(template) as Mutable<PodTemplateSpec>;
  const spec = tpl.spec!;
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: m.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}), [REVISION_LABEL]: revision, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ord) },
      ...(tpl.metadata?.annotations ? { annotations: tpl.metadata.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: m.name!, uid: m.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

export function statefulSetStatus(set: StatefulSet, pods: readonly Pod[], currentRevision: string, updateRevision: string, collisionCount: number, now: number): Mutable<StatefulSetStatus> {
  const minReady = set.spec?.minReadySeconds ?? 0;
  const s: Mutable<StatefulSetStatus> = {
    observedGeneration: set.metadata?.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
    currentRevision, updateRevision, collisionCount,
  };
  for (const p of pods) {
    s.replicas!++;
    if (isRunningAndReady(p)) {
      s.readyReplicas!++;
      if (availableIn(p, minReady, now) === 0) s.availableReplicas!++;
    }
    if (!isTerminating(p)) {
      const rev = p.metadata?.labels?.[REVISION_LABEL];
      if (rev === currentRevision) s.currentReplicas!++;
      if (rev === updateRevision) s.updatedReplicas!++;
    }
  }
  // A finished rolling update makes the update revision the current one.
  const replicas = set.spec?.replicas ?? 1;
  if (s.updatedReplicas === replicas && s.readyReplicas === replicas && s.replicas === replicas) {
    s.currentRevision = updateRevision;
    s.currentReplicas = s.updatedReplicas;
  }
  return s;
}

/** What one pass should do, decided from the pods alone (pure, for tests). */
export type Step =
  | { kind: 'create'; ord: number; revision: 'current' | 'update' }
  | { kind: 'delete'; name: string; why: 'failed' | 'condemned' | 'update' }
  | { kind: 'wait'; name: string };

export function planStatefulSet(set: StatefulSet, pods: readonly Pod[], currentRevision: string, updateRevision: string): Step[] {
  const name = set.metadata!.name!;
  const start = set.spec?.ordinals?.start ?? 0;
  const replicas = set.spec?.replicas ?? 1;
  const end = start + replicas;
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
  const byOrd = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const p of pods) {
    const ord = ordinalOf(name, p.metadata!.name!);
    if (ord === undefined) continue;
    if (ord >= start && ord < end) byOrd.set(ord, p);
    else condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(name, b.metadata!.name!)! - ordinalOf(name, a.metadata!.name!)!);
  const steps: Step[] = [];
  const partition = set.spec?.updateStrategy?.type === 'OnDelete' ? undefined : set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const currentDiffers = currentRevision !== updateRevision;
  let unhealthy: string | undefined;
  for (let ord = start; ord < end; ord++) {
    const p = byOrd.get(ord);
    if (!p) {
      // Below the partition a rolling update keeps the current revision.
      const revision = currentDiffers && partition !== undefined && ord - start < partition ? 'current' : 'update';
      steps.push({ kind: 'create', ord, revision });
      if (monotonic) return steps;
      continue;
    }
    const podName = p.metadata!.name!;
    if (isPodTerminal(p) && !isTerminating(p)) {
      steps.push({ kind: 'delete', name: podName, why: 'failed' });
      if (monotonic) return steps;
      continue;
    }
    if (isTerminating(p) || !isRunningAndReady(p)) {
      unhealthy ??= podName;
      if (monotonic) return [...steps, { kind: 'wait', name: podName }];
    }
  }
  for (const p of condemned) {
    const podName = p.metadata!.name!;
    if (isTerminating(p)) {
      if (monotonic) return [...steps, { kind: 'wait', name: podName }];
      continue;
    }
    // Scaling down waits while another pod is unhealthy (it may be the one that is needed).
    if (monotonic && unhealthy && unhealthy !== podName) return [...steps, { kind: 'wait', name: unhealthy }];
    steps.push({ kind: 'delete', name: podName, why: 'condemned' });
    if (monotonic) return steps;
  }
  if (partition === undefined) return steps;
  // RollingUpdate: highest ordinal first, down to the partition, one pod at a time.
  for (let ord = end - 1; ord >= start + partition; ord--) {
    const p = byOrd.get(ord);
    if (!p) return steps;
    const podName = p.metadata!.name!;
    if (p.metadata?.labels?.[REVISION_LABEL] !== updateRevision && !isTerminating(p)) {
      steps.push({ kind: 'delete', name: podName, why: 'update' });
      return steps;
    }
    if (!isRunningAndReady(p) || isTerminating(p)) return [...steps, { kind: 'wait', name: podName }];
  }
  return steps;
}

// ---------- the controller ----------

export class StatefulSetController extends ReconcileLoop {
  private readonly sets: Informer<KubeObject>;
  private readonly pods: Informer<KubeObject>;
  private readonly revisions: Informer<KubeObject>;
  private readonly recorder: EventRecorder;

  constructor(client: RestClient, private readonly now: () => number = Date.now) {
    super(client, { workers: 2 });
    this.recorder = new EventRecorder(client, 'statefulset-controller');
    // Pods and revisions are listed before the sets, so the first reconciles see them.
    this.pods = this.inform(R.pods, this.enqueueController('StatefulSet')).addIndex(byControllerUid);
    this.revisions = this.inform(R.controllerrevisions, () => {}).addIndex(byControllerUid);
    this.sets = this.inform(R.statefulsets, (_t, s) => this.queue.add(objectKey(s)));
  }

  override async reconcile(key: string): Promise<void> {
    const w = workloadOf<S>(this.sets, key);
    if (!w) return;
    const { obj: set, selector } = w;
    const uid = set.metadata!.uid!;
    const pods = ownedPods(this.pods, uid, selector);
    const revisions = this.revisions.byIndex(byControllerUid.name, uid) as unknown as Revision[];
    const owner: RevisionOwner = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata! };
    const template = set.spec!.template;
    const { revision: update, collisionCount } = await ensureRevision(this.client, owner, template, revisions, set.status?.collisionCount ?? 0);
    const all = revisions.some((r) => r.metadata!.name === update.metadata!.name) ? revisions : [...revisions, update];
    const updateRevision = update.metadata!.name!;
    const currentRevision = set.status?.currentRevision && all.some((r) => r.metadata!.name === set.status!.currentRevision) ? set.status.currentRevision : updateRevision;
    const currentTemplate = revisionTemplate(all.find((r) => r.metadata!.name === currentRevision)!) ?? template;

    if (set.spec?.volumeClaimTemplates?.length) {
      this.recorder.record(set as unknown as KubeObject, 'Warning', 'FailedCreate', 'volumeClaimTemplates are not supported: this cluster has no PersistentVolumeClaims');
    } else {
      const steps = planStatefulSet(set, pods, currentRevision, updateRevision);
      for (const step of steps) await this.act(set, step, step.kind === 'create' && step.revision === 'current' ? { template: currentTemplate, revision: currentRevision } : { template, revision: updateRevision });
      if (steps.some((s) => s.kind === 'wait')) {
        // minReadySeconds: look again once the waited-for pod may be available.
        const minReady = set.spec?.minReadySeconds ?? 0;
        if (minReady) this.queue.addAfter(key, minReady * 1000);
      }
    }
    const status = statefulSetStatus(set, ownedPods(this.pods, uid, selector), currentRevision, updateRevision, collisionCount, this.now());
    const live = new Set([status.currentRevision!, status.updateRevision!, ...pods.map((p) => p.metadata?.labels?.[REVISION_LABEL] ?? '')]);
    await truncateHistory(this.client, all, live, set.spec?.revisionHistoryLimit ?? 10);
    if (canonicalJson(status) !== canonicalJson(set.status ?? {})) {
      await resource(this.client, R.statefulsets, set.metadata!.namespace).updateStatus(set.metadata!.name!, { ...set, status });
    }
  }

  private async act(set: S, step: Step, at: { template: PodTemplateSpec; revision: string }): Promise<void> {
    const m = set.metadata!;
    const podsOfSet = pods(this.client, m.namespace);
    if (step.kind === 'create') {
      const pod = statefulPod(set, at.template, at.revision, step.ord);
      try {
        await podsOfSet.create(pod);
        this.recorder.record(set as unknown as KubeObject, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${m.name} successful`);
      } catch (e) {
        if (isAlreadyExists(e) || isConflict(e)) return; // already there: the informer has not shown it yet
        this.recorder.record(set as unknown as KubeObject, 'Warning', 'FailedCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${m.name} failed error: ${(e as Error).message}`);
        throw e;
      }
    } else if (step.kind === 'delete') {
      await podsOfSet.delete(step.name).then(
        () => this.recorder.record(set as unknown as KubeObject, 'Normal', 'SuccessfulDelete', `delete Pod ${step.name} in StatefulSet ${m.name} successful`),
        (e) => { if (!isNotFound(e)) throw e; },
      );
    }
  }
}
