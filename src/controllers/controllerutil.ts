// What every workload controller shares (upstream's controller_utils.go): object keys, controller
// references and adoption/release (ControllerRefManager), pods from a template, pod state, the
// ranking of pods to delete first, slow-start batches, and status helpers.
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isInvalid, isNotFound } from '../api/errors.js';
import { selectorFromLabelSelector, type Selector } from '../api/labels.js';
import { isPodActive, isPodReady, podCondition } from '../api/pods.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { byControllerUid, type IndexSpec } from '../client/indexer.js';
import type { Informer } from '../client/informer.js';
import type { ResourceClient } from '../client/typed.js';

type Obj = KubeObject;
export type PodObj = Mutable<Pod> & KubeObject;

// ---------- small helpers ----------

export const objectKey = (o: { metadata?: { namespace?: string; name?: string } }): string =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata!.name!;

export const splitKey = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};


/** The owner reference marked controller: true, if any. */
export function controllerOf(obj: { metadata?: { ownerReferences?: readonly OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** Objects without a controller, by namespace: the candidates a controller may adopt. */
export const orphansByNamespace: IndexSpec = {
  name: 'orphan-namespace',
  values: (o) => (controllerOf(o) || !o.metadata.namespace ? [] : [o.metadata.namespace]),
};

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

/** A cached workload to reconcile and its selector; undefined when it is gone, being deleted, or its selector is invalid. */
export function workloadOf<T>(informer: Informer<KubeObject>, key: string): { obj: T; selector: Selector } | undefined {
  const obj = informer.items.get(key) as (KubeObject & { spec?: { selector?: LabelSelector } }) | undefined;
  if (!obj || obj.metadata.deletionTimestamp) return undefined;
  const selector = parseSelector(obj.spec?.selector);
  return selector && { obj: obj as unknown as T, selector };
}

/** The pods a controller owns (the pod cache's owner-UID index) that its selector still picks. */
export function ownedPods(podInformer: Informer<KubeObject>, uid: string, selector: Selector): Pod[] {
  return (podInformer.byIndex(byControllerUid.name, uid) as unknown as Pod[]).filter((p) => selector.matches(p.metadata?.labels ?? {}));
}

// ---------- pods (the plain predicates are in src/api/pods.ts) ----------

export const isTerminating = (p: Pod): boolean => !!p.metadata?.deletionTimestamp;
export const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);

/** Running, ready and available (minReadySeconds): returns the ms still to wait (0 = available) or undefined (not ready). */
export function availableIn(p: Pod, minReadySeconds: number, now: number): number | undefined {
  if (!isRunningAndReady(p)) return undefined;
  if (!minReadySeconds) return 0;
  const since = Date.parse(podCondition(p, 'Ready')?.lastTransitionTime ?? '');
  return Number.isFinite(since) ? Math.max(0, since + minReadySeconds * 1000 - now) : 0;
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
    const since = (p: PodObj) => Date.parse(podCondition(p, 'Ready')?.lastTransitionTime ?? '') || 0;
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

// ---------- adoption ----------

export interface ClaimOptions<T extends Obj> {
  /** The candidates' resource in the owner's namespace, for the adopt / release patches. */
  objects: ResourceClient<T>;
  owner: Obj;
  ref: OwnerReference;
  selector: Selector;
  candidates: T[];
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
      await o.objects.patch(obj.metadata.name!, { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } }, 'application/strategic-merge-patch+json')
        .catch((e) => { if (!isNotFound(e) && !isInvalid(e)) throw e; });
      continue;
    }
    if (!matches || obj.metadata.deletionTimestamp || o.owner.metadata.deletionTimestamp) continue;
    adoptChecked ??= o.canAdopt();
    await adoptChecked;
    try {
      const adopted = await o.objects.patch(obj.metadata.name!, { metadata: { ownerReferences: [o.ref], uid: obj.metadata.uid } }, 'application/strategic-merge-patch+json');
      claimed.push(adopted);
    } catch (e) {
      // Gone, or it can no longer be adopted (e.g. being deleted): ignore it.
      if (!isNotFound(e) && !isInvalid(e)) throw e;
    }
  }
  return claimed;
}

/** Upstream's RecheckDeletionTimestamp: a fresh read of the owner, which must be the same object and not be going away. */
export function recheckOwner(owners: ResourceClient<Obj>, owner: Obj): () => Promise<void> {
  return async () => {
    const fresh = await owners.get(owner.metadata.name!);
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

/** Drops fields upstream marks omitempty when they are 0, so statuses read as a real cluster's do. */
export function omitZeros<T extends object>(status: T, fields: string[]): T {
  const s = status as Record<string, unknown>;
  for (const f of fields) if (s[f] === 0) delete s[f];
  return status;
}
