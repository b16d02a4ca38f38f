// The ReplicaSet controller: keeps spec.replicas active pods matching the selector. It adopts
// matching orphans and releases pods that stop matching (ownerReferences with controller: true),
// creates pods from the template in slow-start batches, deletes the pods that matter least first
// (unscheduled < pending < not ready < ready for less time < more restarts < newer), and reports
// replicas / fullyLabeledReplicas / readyReplicas / availableReplicas / observedGeneration.
// Expectations keep it from acting twice on its own writes before the informer has seen them.
//
// The pieces every workload controller needs (expectations, adoption, pods from a template, pod
// readiness and the deletion ranking) are exported from here, as upstream's controller_utils.go.
import { isDeepStrictEqual } from 'node:util';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import { ApiError } from '../api/errors.js';
import { selectorFromLabelSelector, type Selector } from '../api/labels.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { EventRecorder } from '../client/events.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { WorkQueue } from '../client/workqueue.js';

type Obj = KubeObject;
export type PodObj = Mutable<Pod> & KubeObject;
export type ReplicaSetObj = Mutable<ReplicaSet> & KubeObject;

// ---------- small helpers ----------

export const objectKey = (o: { metadata?: { namespace?: string; name?: string } }): string =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata!.name!;

export const splitKey = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};

export const nowRfc3339 = (ms = Date.now()): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409;

/** The owner reference marked controller: true, if any. */
export function controllerOf(obj: { metadata?: { ownerReferences?: readonly OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** upstream's NewControllerRef: controller and blockOwnerDeletion both true. */
export function newControllerRef(owner: Obj, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** A selector object in parsed form, or undefined when it is invalid (validation keeps that rare). */
export function parseSelector(ls: LabelSelector | undefined): Selector | undefined {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return undefined;
  }
}

/** Puts a just-written object into an informer's cache unless the cache already has a newer one. */
export function writeThrough<T extends Obj>(informer: Informer<T>, obj: T): void {
  const key = objectKey(obj);
  const had = informer.items.get(key);
  if (had && Number(had.metadata.resourceVersion) >= Number(obj.metadata.resourceVersion)) return;
  informer.items.set(key, obj);
}

// ---------- pods ----------

/** Not finished and not being deleted (upstream's IsPodActive). */
export const isPodActive = (p: PodObj): boolean =>
  p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp;

function readyCondition(p: PodObj) {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export const isPodReady = (p: PodObj): boolean => readyCondition(p)?.status === 'True';

/** Ready for at least minReadySeconds (upstream's IsPodAvailable). */
export function isPodAvailable(p: PodObj, minReadySeconds: number, now = Date.now()): boolean {
  const c = readyCondition(p);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** A pod for `owner` from its template (upstream's GetPodFromTemplate): generateName `<owner>-`. */
export function podFromTemplate(template: PodTemplateSpec, owner: Obj, ref: OwnerReference): PodObj {
  const meta = template.metadata ?? {};
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: structuredClone(template.spec),
  };
  return pod as unknown as PodObj;
}

const restartCount = (p: PodObj): number => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
const deletionCost = (p: PodObj): number => {
  const v = Number(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost']);
  return Number.isFinite(v) ? v : 0;
};
const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Which of two pods to delete first when scaling down (negative: `a` first), as upstream's
 * ActivePodsWithRanks: unscheduled before scheduled, Pending before Unknown before Running, not
 * ready before ready, lower pod-deletion-cost first, more pods of the same owner on the node first
 * (`ranks`), ready for less time first, more container restarts first, newer before older.
 */
export function compareForDeletion(a: PodObj, b: PodObj, ranks?: Map<PodObj, number>): number {
  const assigned = (p: PodObj) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: PodObj) => PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: PodObj) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
  if (ranks) {
    const ra = ranks.get(a) ?? 0;
    const rb = ranks.get(b) ?? 0;
    if (ra !== rb) return rb - ra;
  }
  if (ready(a) && ready(b)) {
    const since = (p: PodObj) => Date.parse(readyCondition(p)?.lastTransitionTime ?? '') || 0;
    if (since(a) !== since(b)) return since(b) - since(a); // became ready later: delete first
  }
  if (restartCount(a) !== restartCount(b)) return restartCount(b) - restartCount(a);
  const created = (p: PodObj) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;
  if (created(a) !== created(b)) return created(b) - created(a);
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/**
 * The `count` pods to delete: ranked with, for each pod, how many of `related` (the owner's pods,
 * itself included) share its node, so a doubled-up node gives up a pod first.
 */
export function podsToDelete(pods: PodObj[], related: PodObj[], count: number): PodObj[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) if (p.spec?.nodeName && isPodActive(p)) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const ranks = new Map<PodObj, number>(pods.map((p) => [p, p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0]));
  return [...pods].sort((a, b) => compareForDeletion(a, b, ranks)).slice(0, count);
}

// ---------- expectations ----------

const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expected { adds: number; deletes: Set<string>; at: number }

/**
 * What a controller is waiting to see in its informer after its own creates and deletes
 * (upstream's UIDTrackingControllerExpectations): until they are seen (or 5 minutes pass) the
 * controller does not create or delete again for that owner.
 */
export class Expectations {
  private readonly records = new Map<string, Expected>();

  constructor(private readonly ttlMs = EXPECTATIONS_TTL_MS) {}

  satisfied(key: string, now = Date.now()): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    return (r.adds <= 0 && r.deletes.size === 0) || now - r.at > this.ttlMs;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { adds: n, deletes: new Set(), at: Date.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.records.set(key, { adds: 0, deletes: new Set(podKeys), at: Date.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.deletes.delete(podKey);
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}

// ---------- adoption ----------

export interface ClaimOptions<T extends Obj> {
  client: RestClient;
  owner: Obj;
  ref: OwnerReference;
  selector: Selector;
  candidates: T[];
  /** The API path of a candidate, for the adopt / release patches. */
  pathOf(obj: T): string;
  /** Checked (once) before the first adoption: the owner still exists and is not being deleted. */
  canAdopt(): Promise<void>;
}

/**
 * Upstream's ControllerRefManager.Claim: returns the candidates this owner controls after adopting
 * matching orphans and releasing owned objects that no longer match. Objects another controller
 * owns, or that are being deleted, are left alone.
 */
export async function claimObjects<T extends Obj>(o: ClaimOptions<T>): Promise<T[]> {
  const claimed: T[] = [];
  const ownerUid = o.owner.metadata.uid;
  let adoptChecked: Promise<void> | undefined;
  for (const obj of o.candidates) {
    const ref = controllerOf(obj);
    const matches = o.selector.matches(obj.metadata.labels ?? {});
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) { claimed.push(obj); continue; }
      if (o.owner.metadata.deletionTimestamp) continue;
      // Owned but no longer selected: release it.
      await o.client.patch(o.pathOf(obj), { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } }, 'application/strategic-merge-patch+json')
        .catch((e) => { if (!isNotFound(e) && !(e instanceof ApiError && e.code === 422)) throw e; });
      continue;
    }
    if (!matches || obj.metadata.deletionTimestamp || o.owner.metadata.deletionTimestamp) continue;
    adoptChecked ??= o.canAdopt();
    await adoptChecked;
    try {
      const adopted = await o.client.patch<T>(o.pathOf(obj), { metadata: { ownerReferences: [o.ref], uid: obj.metadata.uid } }, 'application/strategic-merge-patch+json');
      claimed.push(adopted);
    } catch (e) {
      // Gone, or it can no longer be adopted (e.g. being deleted): ignore it.
      if (!isNotFound(e) && !(e instanceof ApiError && e.code === 422)) throw e;
    }
  }
  return claimed;
}

/** Upstream's RecheckDeletionTimestamp: a fresh read of the owner, which must be the same object and not be going away. */
export function recheckOwner(client: RestClient, path: string, owner: Obj): () => Promise<void> {
  return async () => {
    const fresh = await client.get<Obj>(path);
    if (fresh.metadata.uid !== owner.metadata.uid) {
      throw new Error(`original ${owner.kind} ${objectKey(owner)} is gone: got uid ${fresh.metadata.uid}, wanted ${owner.metadata.uid}`);
    }
    if (fresh.metadata.deletionTimestamp) throw new Error(`${owner.kind} ${objectKey(owner)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}

/** Runs `fn` `count` times in batches of 1, 2, 4...; stops after a batch with a failure. Returns the successes and the first error. */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}

// ---------- the controller ----------

const BURST_REPLICAS = 500;
const RESYNC_MS = 60_000;
const RS_API = '/apis/apps/v1';
const podsPath = (ns: string) => `/api/v1/namespaces/${ns}/pods`;
const rsPath = (ns: string, name: string) => `${RS_API}/namespaces/${ns}/replicasets/${name}`;

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
    const cond: Mutable<ReplicaSetCondition> = { type: 'ReplicaFailure', status: 'True', lastTransitionTime: nowRfc3339(now), reason, message: manageError instanceof Error ? manageError.message : String(manageError) };
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

/** Drops fields upstream marks omitempty when they are 0, so statuses read as a real cluster's do. */
export function omitZeros<T extends object>(status: T, fields: string[]): T {
  const s = status as Record<string, unknown>;
  for (const f of fields) if (s[f] === 0) delete s[f];
  return status;
}

export class ReplicaSetController {
  private readonly queue = new WorkQueue();
  private readonly expectations = new Expectations();
  private readonly replicaSets: Informer<ReplicaSetObj>;
  private readonly pods: Informer<PodObj>;
  private readonly events: EventRecorder;
  private resync?: NodeJS.Timeout;

  constructor(private readonly client: RestClient) {
    this.events = new EventRecorder(client, 'replicaset-controller');
    this.replicaSets = new Informer<ReplicaSetObj>(client, `${RS_API}/replicasets`, (type, rs) => {
      if (type === 'DELETED') this.expectations.delete(objectKey(rs));
      this.queue.add(objectKey(rs));
    });
    this.pods = new Informer<PodObj>(client, '/api/v1/pods', (type, pod) => this.onPod(type, pod));
  }

  async start(): Promise<void> {
    await Promise.all([this.replicaSets.start(), this.pods.start()]);
    void this.queue.run((key) => this.reconcile(key), 2);
    this.resync = setInterval(() => { for (const key of this.replicaSets.items.keys()) this.queue.add(key); }, RESYNC_MS);
  }

  stop(): void {
    clearInterval(this.resync);
    this.replicaSets.stop();
    this.pods.stop();
    this.queue.stop();
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
      if (type === 'DELETED' || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, objectKey(pod));
      else if (type === 'ADDED') this.expectations.creationObserved(key);
      this.queue.add(key);
      // A pod that just became ready turns available only after minReadySeconds.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && isPodReady(pod) && !isPodAvailable(pod, minReady)) this.queue.addAfter(key, minReady * 1000 + 100);
      return;
    }
    if (controllerOf(pod) || type === 'DELETED' || pod.metadata.deletionTimestamp) return;
    // An orphan: every ReplicaSet that selects it may want to adopt it.
    for (const candidate of this.replicaSets.items.values()) {
      if (candidate.metadata.namespace !== pod.metadata.namespace) continue;
      if (parseSelector(candidate.spec?.selector)?.matches(pod.metadata.labels ?? {})) this.queue.add(objectKey(candidate));
    }
  }

  private async reconcile(key: string): Promise<void> {
    const cached = this.replicaSets.items.get(key);
    if (!cached) { this.expectations.delete(key); return; }
    const rs = structuredClone(cached);
    const [ns, name] = splitKey(key);
    const needsSync = this.expectations.satisfied(key);
    const selector = parseSelector(rs.spec?.selector);
    if (!selector) return;
    const active = [...this.pods.items.values()].filter((p) => p.metadata.namespace === ns && isPodActive(p));
    const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    const owned = await claimObjects({
      client: this.client, owner: rs, ref, selector, candidates: active,
      pathOf: (p) => `${podsPath(ns)}/${p.metadata.name}`,
      canAdopt: recheckOwner(this.client, rsPath(ns, name), rs),
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

  private async manageReplicas(key: string, rs: ReplicaSetObj, pods: PodObj[], ref: OwnerReference): Promise<void> {
    const ns = rs.metadata.namespace!;
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, n);
      const { successes, error } = await slowStartBatch(n, 1, async () => {
        try {
          const pod = await this.client.post<PodObj>(podsPath(ns), podFromTemplate(rs.spec!.template!, rs, ref));
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
      const victims = podsToDelete(pods, pods, n);
      this.expectations.expectDeletions(key, victims.map(objectKey));
      const errors: unknown[] = [];
      await Promise.all(victims.map(async (pod) => {
        try {
          await this.client.delete(`${podsPath(ns)}/${pod.metadata.name}`, { preconditions: { uid: pod.metadata.uid } });
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
        const updated = await this.client.put<ReplicaSetObj>(`${rsPath(current.metadata.namespace!, current.metadata.name!)}/status`, body);
        writeThrough(this.replicaSets, updated);
        return updated;
      } catch (e) {
        if (!isConflict(e) || attempt >= 1) throw e;
        current = await this.client.get<ReplicaSetObj>(rsPath(current.metadata.namespace!, current.metadata.name!));
      }
    }
  }
}
