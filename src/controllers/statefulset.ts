// StatefulSet controller (apps/v1), after upstream's: pods with stable names NAME-<ordinal>
// (hostname = pod name, subdomain = serviceName), created in ordinal order and each Running and
// Ready before the next (OrderedReady) or all at once (Parallel), removed highest ordinal first.
// Each template version is a ControllerRevision (also used by the DaemonSet controller, exported
// below); RollingUpdate replaces pods at the old revision from the highest ordinal down to
// `partition`, one at a time, each Ready before the next; OnDelete leaves that to the user.
// volumeClaimTemplates are not supported (there are no PersistentVolumeClaims here): such a set
// gets a FailedCreate event.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import { fnv32a, safeEncode } from '../api/hash.js';
import { selectorFromLabelSelector } from '../api/labels.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { EventRecorder } from '../client/events.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { WorkQueue } from '../client/workqueue.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const HASH_LABEL = 'controller.kubernetes.io/hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

type S = Mutable<StatefulSet>;
type Revision = Mutable<ControllerRevision>;

// ---------- pod state ----------

export const isTerminating = (p: Pod): boolean => !!p.metadata?.deletionTimestamp;
export const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
export const readyCondition = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready');
export const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && readyCondition(p)?.status === 'True';
/** Ready for at least minReadySeconds; returns the ms still to wait (0 = available) or undefined (not ready). */
export function availableIn(p: Pod, minReadySeconds: number, now: number): number | undefined {
  if (!isRunningAndReady(p)) return undefined;
  if (!minReadySeconds) return 0;
  const since = Date.parse(readyCondition(p)?.lastTransitionTime ?? '');
  return Number.isFinite(since) ? Math.max(0, since + minReadySeconds * 1000 - now) : 0;
}

// ---------- ControllerRevisions (upstream pkg/controller/history) ----------

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
  const base = `/apis/apps/v1/namespaces/${ns}/controllerrevisions`;
  const data = revisionData(template);
  const dataKey = canonicalJson(data);
  const newest = revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
  const equal = revisions.filter((r) => canonicalJson(r.data) === dataKey).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
  if (equal.length) {
    const r = equal[0];
    if ((r.revision ?? 0) === newest) return { revision: r, collisionCount };
    const updated = await client.patch<Revision>(`${base}/${r.metadata!.name}`, { revision: newest + 1 });
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
      return { revision: await client.post<Revision>(base, body), collisionCount: count };
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
      const existing = await client.get<Revision>(`${base}/${name}`);
      const ours = existing.metadata?.ownerReferences?.some((o) => o.uid === owner.metadata.uid);
      if (ours && canonicalJson(existing.data) === dataKey) return { revision: existing, collisionCount: count };
    }
  }
}

/** Deletes the oldest revisions beyond `limit` that no live object still uses. */
export async function truncateHistory(client: RestClient, revisions: readonly Revision[], live: ReadonlySet<string>, limit: number): Promise<void> {
  const old = revisions.filter((r) => !live.has(r.metadata!.name!)).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  for (const r of old.slice(0, Math.max(0, old.length - limit))) {
    await client.delete(`/apis/apps/v1/namespaces/${r.metadata!.namespace}/controllerrevisions/${r.metadata!.name}`).catch((e) => {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    });
  }
}

/** Objects of one kind indexed by the UID of their controller (owner of `kind`). */
export class OwnedIndex<T extends KubeObject> {
  readonly byOwner = new Map<string, Map<string, T>>();
  constructor(private readonly kind: string) {}

  owner(o: KubeObject): { name: string; uid: string } | undefined {
    const ref = o.metadata.ownerReferences?.find((r) => r.controller && r.kind === this.kind);
    return ref && { name: ref.name, uid: ref.uid };
  }

  /** Applies an informer event; returns the owner's name (to enqueue). */
  apply(type: string, o: T): string | undefined {
    const owner = this.owner(o);
    if (!owner) return undefined;
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    let m = this.byOwner.get(owner.uid);
    if (type === 'DELETED') {
      m?.delete(key);
      if (m && !m.size) this.byOwner.delete(owner.uid);
    } else {
      if (!m) this.byOwner.set(owner.uid, (m = new Map()));
      m.set(key, o);
    }
    return owner.name;
  }

  of(uid: string): T[] {
    return [...(this.byOwner.get(uid)?.values() ?? [])];
  }
}

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
    if (isTerminal(p) && !isTerminating(p)) {
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

export class StatefulSetController {
  private readonly queue = new WorkQueue();
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly revisions: Informer;
  private readonly podIndex = new OwnedIndex<KubeObject>('StatefulSet');
  private readonly revisionIndex = new OwnedIndex<KubeObject>('StatefulSet');
  private readonly recorder: EventRecorder;

  constructor(private readonly client: RestClient, private readonly now: () => number = Date.now) {
    this.recorder = new EventRecorder(client, 'statefulset-controller');
    this.sets = new Informer(client, '/apis/apps/v1/statefulsets', (_t, s) => this.queue.add(`${s.metadata.namespace}/${s.metadata.name}`));
    this.pods = new Informer(client, '/api/v1/pods', (type, p) => {
      const owner = this.podIndex.apply(type, p);
      if (owner) this.queue.add(`${p.metadata.namespace}/${owner}`);
    });
    this.revisions = new Informer(client, '/apis/apps/v1/controllerrevisions', (type, r) => { this.revisionIndex.apply(type, r); });
  }

  async start(): Promise<void> {
    await Promise.all([this.pods.start(), this.revisions.start()]);
    await this.sets.start();
    void this.queue.run((key) => this.reconcile(key), 2);
  }

  stop(): void {
    this.sets.stop();
    this.pods.stop();
    this.revisions.stop();
    this.queue.stop();
  }

  async reconcile(key: string): Promise<void> {
    const set = this.sets.items.get(key) as unknown as S | undefined;
    if (!set || set.metadata?.deletionTimestamp) return;
    const uid = set.metadata!.uid!;
    const ns = set.metadata!.namespace!;
    let selector;
    try {
      selector = selectorFromLabelSelector(set.spec?.selector);
    } catch {
      return;
    }
    const pods = (this.podIndex.of(uid) as unknown as Pod[]).filter((p) => selector.matches(p.metadata?.labels));
    const revisions = this.revisionIndex.of(uid) as unknown as Revision[];
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
    const status = statefulSetStatus(set, (this.podIndex.of(uid) as unknown as Pod[]).filter((p) => selector.matches(p.metadata?.labels)), currentRevision, updateRevision, collisionCount, this.now());
    const live = new Set([status.currentRevision!, status.updateRevision!, ...pods.map((p) => p.metadata?.labels?.[REVISION_LABEL] ?? '')]);
    await truncateHistory(this.client, all, live, set.spec?.revisionHistoryLimit ?? 10);
    if (canonicalJson(status) !== canonicalJson(set.status ?? {})) {
      await this.client.put(`/apis/apps/v1/namespaces/${ns}/statefulsets/${set.metadata!.name}/status`, { ...set, status });
    }
  }

  private async act(set: S, step: Step, at: { template: PodTemplateSpec; revision: string }): Promise<void> {
    const m = set.metadata!;
    const ignore = (codes: number[]) => (e: unknown): void => { if (!(e instanceof ApiError && codes.includes(e.code))) throw e; };
    if (step.kind === 'create') {
      const pod = statefulPod(set, at.template, at.revision, step.ord);
      try {
        await this.client.post(`/api/v1/namespaces/${m.namespace}/pods`, pod);
        this.recorder.record(set as unknown as KubeObject, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${m.name} successful`);
      } catch (e) {
        if (e instanceof ApiError && e.code === 409) return; // already there: the informer has not shown it yet
        this.recorder.record(set as unknown as KubeObject, 'Warning', 'FailedCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${m.name} failed error: ${(e as Error).message}`);
        throw e;
      }
    } else if (step.kind === 'delete') {
      await this.client.delete(`/api/v1/namespaces/${m.namespace}/pods/${step.name}`).then(
        () => this.recorder.record(set as unknown as KubeObject, 'Normal', 'SuccessfulDelete', `delete Pod ${step.name} in StatefulSet ${m.name} successful`),
        ignore([404]),
      );
    }
  }
}
