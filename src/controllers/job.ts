// Job controller (batch/v1), after upstream's: runs pods from the template until `completions`
// succeed (at most `parallelism` at a time), retries failures up to backoffLimit with an
// exponential delay (restartPolicy Never: failed pods count; OnFailure: container restarts of
// running pods count too), fails at activeDeadlineSeconds, and keeps the counters exact with the
// batch.kubernetes.io/job-tracking finalizer: a finished pod's UID goes to
// status.uncountedTerminatedPods first, then its finalizer comes off, then it moves to the counters.
// Conditions as 1.31+: SuccessCriteriaMet / FailureTarget first, Complete / Failed once no pod of
// the job is still terminating. ttlSecondsAfterFinished deletes a finished job (upstream's TTL
// controller). NonIndexed and Indexed completion modes; podFailurePolicy and successPolicy are not
// evaluated.
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { EventRecorder } from '../client/events.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { WorkQueue } from '../client/workqueue.js';
import { metaTime } from '../api/time.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;
/** How long a created pod may stay invisible in the informer before it no longer counts as active. */
const CREATE_EXPECTATION_MS = 60_000;

type J = Mutable<Job>;
type Status = Mutable<JobStatus>;
const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** Upstream isPodFailed for the default pod replacement policy: failed, or deleted before it succeeded. */
export const isPodFailed = (p: Pod): boolean => p.status?.phase === 'Failed' || (!!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded');
export const isPodActive = (p: Pod): boolean => !isTerminal(p) && !p.metadata?.deletionTimestamp;
const isPodReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const condTrue = (job: Job, type: string): JobCondition | undefined => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
export const isJobFinished = (job: Job): boolean => !!(condTrue(job, 'Complete') || condTrue(job, 'Failed'));
const isIndexed = (job: Job): boolean => job.spec?.completionMode === 'Indexed';

export function newCondition(type: string, reason: string, message: string, now: number): JobCondition {
  const ts = metaTime(now);
  return { type, status: 'True', reason, message, lastProbeTime: ts, lastTransitionTime: ts };
}

/** Sum of container restarts of running/pending pods, which OnFailure counts against backoffLimit. */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** The delay before a new pod after `failures` failures in a row (10 s doubling, at most 6 min). */
export const podBackoffMs = (failures: number, baseMs = BACKOFF_BASE_MS): number => (failures <= 0 ? 0 : Math.min(BACKOFF_MAX_MS, baseMs * 2 ** (failures - 1)));

// ---------- completed indexes ("1,3-5") ----------

export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) if (Number.isInteger(i) && i >= 0 && i < completions) out.add(i);
  }
  return out;
}

export function formatIndexes(set: Iterable<number>): string {
  const sorted = [...new Set(set)].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i];
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i] + 1) i++;
    parts.push(start === sorted[i] ? String(start) : `${start}-${sorted[i]}`);
  }
  return parts.join(',');
}

const podIndex = (p: Pod): number | undefined => {
  const v = p.metadata?.annotations?.[COMPLETION_INDEX] ?? p.metadata?.labels?.[COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
};

/** The pod the job runs for a new attempt (at `index` for Indexed jobs). */
export function podFromTemplate(job: Job, index?: number): Mutable<Pod> {
  const meta = job.metadata!;
  const tpl = structuredClone(job.spec!.template) as Mutable<NonNullable<Job['spec']>['template']>;
  const labels: Record<string, string> = {
    ...(tpl.metadata?.labels ?? {}),
    'batch.kubernetes.io/controller-uid': meta.uid!, 'batch.kubernetes.io/job-name': meta.name!, 'controller-uid': meta.uid!, 'job-name': meta.name!,
  };
  const annotations: Record<string, string> = { ...(tpl.metadata?.annotations ?? {}) };
  const spec = tpl.spec!;
  if (index !== undefined) {
    labels[COMPLETION_INDEX] = String(index);
    annotations[COMPLETION_INDEX] = String(index);
    spec.hostname ??= `${meta.name}-${index}`;
    spec.subdomain ??= undefined;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      c.env = [...(c.env ?? []).filter((e) => e.name !== 'JOB_COMPLETION_INDEX'), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } }];
    }
  }
  if (spec.subdomain === undefined) delete spec.subdomain;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${meta.name}-` : `${meta.name}-${index}-`, namespace: meta.namespace, labels, annotations,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: meta.name!, uid: meta.uid!, controller: true, blockOwnerDeletion: true }],
      finalizers: [JOB_TRACKING_FINALIZER],
    },
    spec,
  };
}

const ownerJob = (p: Pod): { name: string; uid: string } | undefined => {
  const ref = p.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'Job' && r.apiVersion.startsWith('batch/'));
  return ref && { name: ref.name, uid: ref.uid };
};

interface BackoffRecord { failures: number; lastFailure: number }

export interface JobControllerOptions {
  now?: () => number;
  /** First delay before replacing a failed pod (upstream 10 s), doubling per failure in a row. */
  backoffBaseMs?: number;
}

export class JobController {
  private readonly queue = new WorkQueue();
  private readonly jobs: Informer;
  private readonly pods: Informer;
  /** Pods per owning job UID (namespace/name → pod). */
  private readonly byJob = new Map<string, Map<string, Pod>>();
  /** Pods created but not yet seen, per job UID: name → when. */
  private readonly pendingCreates = new Map<string, Map<string, number>>();
  /** UIDs whose tracking finalizer this controller removed and the informer may not show yet. */
  private readonly finalizerRemoved = new Set<string>();
  private readonly backoff = new Map<string, BackoffRecord>();
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly backoffBaseMs: number;

  constructor(private readonly client: RestClient, opts: JobControllerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.backoffBaseMs = opts.backoffBaseMs ?? BACKOFF_BASE_MS;
    this.recorder = new EventRecorder(client, 'job-controller');
    this.jobs = new Informer(client, '/apis/batch/v1/jobs', (_t, job) => this.queue.add(`${job.metadata.namespace}/${job.metadata.name}`));
    this.pods = new Informer(client, '/api/v1/pods', (type, obj) => this.onPod(type, obj as unknown as Pod));
  }

  async start(): Promise<void> {
    await this.pods.start();
    await this.jobs.start();
    void this.queue.run((key) => this.reconcile(key), 2);
  }

  stop(): void {
    this.jobs.stop();
    this.pods.stop();
    this.queue.stop();
  }

  private onPod(type: string, pod: Pod): void {
    const owner = ownerJob(pod);
    const m = pod.metadata!;
    if (!owner) {
      // Orphaned (e.g. its job deleted with propagationPolicy Orphan): the finalizer has no one to remove it but us.
      if (type !== 'DELETED' && m.finalizers?.includes(JOB_TRACKING_FINALIZER)) this.queue.add(`pod:${m.namespace}/${m.name}`);
      return;
    }
    const key = `${m.namespace}/${m.name}`;
    let set = this.byJob.get(owner.uid);
    if (type === 'DELETED') {
      set?.delete(key);
      if (set && !set.size) this.byJob.delete(owner.uid);
      this.finalizerRemoved.delete(m.uid!);
    } else {
      if (!set) this.byJob.set(owner.uid, (set = new Map()));
      set.set(key, pod);
      this.pendingCreates.get(owner.uid)?.delete(m.name!);
      if (!m.finalizers?.includes(JOB_TRACKING_FINALIZER)) this.finalizerRemoved.delete(m.uid!);
    }
    this.queue.add(`${m.namespace}/${owner.name}`);
  }

  private hasFinalizer(p: Pod): boolean {
    return !!p.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER) && !this.finalizerRemoved.has(p.metadata!.uid!);
  }

  async reconcile(key: string): Promise<void> {
    if (key.startsWith('pod:')) return this.releaseOrphanPod(key.slice(4));
    const [ns, name] = key.split('/');
    let job: J;
    try {
      job = await this.client.get<J>(`/apis/batch/v1/namespaces/${ns}/jobs/${name}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
      await this.releaseOrphans(ns, name);
      return;
    }
    const uid = job.metadata!.uid!;
    // Pods of an earlier job of the same name still carry finalizers: release them.
    await this.releaseOrphans(ns, name, uid);
    if (isJobFinished(job)) {
      this.backoff.delete(uid);
      await this.removeFinalizers([...(this.byJob.get(uid)?.values() ?? [])].filter((p) => this.hasFinalizer(p)));
      await this.expire(key, job);
      return;
    }
    await this.syncJob(key, job);
  }

  private async releaseOrphanPod(key: string): Promise<void> {
    const pod = this.pods.items.get(key) as unknown as Pod | undefined;
    if (!pod || ownerJob(pod) || !pod.metadata?.finalizers?.includes(JOB_TRACKING_FINALIZER)) return;
    await this.removeFinalizers([pod]);
  }

  /** Removes the tracking finalizer from pods whose job (namespace/name, other than `keepUid`) is gone. */
  private async releaseOrphans(ns: string, name: string, keepUid?: string): Promise<void> {
    for (const [jobUid, pods] of this.byJob) {
      if (jobUid === keepUid) continue;
      const orphans = [...pods.values()].filter((p) => p.metadata?.namespace === ns && ownerJob(p)?.name === name && this.hasFinalizer(p));
      await this.removeFinalizers(orphans);
    }
  }

  private async syncJob(key: string, job: J): Promise<void> {
    const now = this.now();
    const spec = job.spec!;
    const uid = job.metadata!.uid!;
    const status: Status = structuredClone(job.status ?? {});
    const before = JSON.stringify(job.status ?? {});
    status.uncountedTerminatedPods ??= {};
    const uncounted = status.uncountedTerminatedPods;
    const uncSucceeded = new Set(uncounted.succeeded ?? []);
    const uncFailed = new Set(uncounted.failed ?? []);
    const pods = [...(this.byJob.get(uid)?.values() ?? [])];
    const indexed = isIndexed(job);
    const completions = spec.completions ?? undefined;
    const parallelism = spec.parallelism ?? 1;
    const backoffLimit = spec.backoffLimit ?? 6;
    const suspended = !!spec.suspend;

    // Pods created earlier but not in the informer yet count as active (upstream's expectations).
    const pending = this.pendingCreates.get(uid) ?? new Map<string, number>();
    for (const [n, at] of pending) if (now - at > CREATE_EXPECTATION_MS) pending.delete(n);
    const activePods = pods.filter(isPodActive);
    let active = activePods.length + pending.size;
    let ready = activePods.filter(isPodReady).length;
    let terminating = pods.filter((p) => p.metadata?.deletionTimestamp && !isTerminal(p)).length;

    const newSucceeded = pods.filter((p) => this.hasFinalizer(p) && p.status?.phase === 'Succeeded' && !uncSucceeded.has(p.metadata!.uid!) && !uncFailed.has(p.metadata!.uid!));
    const newFailed = pods.filter((p) => this.hasFinalizer(p) && isPodFailed(p) && !uncFailed.has(p.metadata!.uid!) && !uncSucceeded.has(p.metadata!.uid!));
    this.noteBackoff(uid, newSucceeded, newFailed, now);
    let succeededIndexes = new Set<number>();
    let succeeded: number;
    if (indexed) {
      succeededIndexes = parseIndexes(status.completedIndexes, completions ?? 0);
      for (const p of pods) {
        const ix = podIndex(p);
        if (p.status?.phase === 'Succeeded' && ix !== undefined && ix < (completions ?? 0)) succeededIndexes.add(ix);
      }
      succeeded = succeededIndexes.size;
    } else {
      succeeded = (status.succeeded ?? 0) + newSucceeded.length + uncSucceeded.size;
    }
    const failed = (status.failed ?? 0) + newFailed.length + uncFailed.size;
    if (!status.startTime && !suspended) status.startTime = metaTime(now);

    // Failure and success criteria, in upstream's order.
    let finished: JobCondition | undefined = condTrue(job, 'SuccessCriteriaMet');
    if (!finished) {
      const target = condTrue(job, 'FailureTarget');
      if (target) finished = target;
      else if (failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) finished = newCondition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      else if (spec.activeDeadlineSeconds && status.startTime && !suspended) {
        const left = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - now;
        if (left <= 0) finished = newCondition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
        else this.queue.addAfter(key, left + 50);
      }
    }
    if (finished) {
      const deleted = await this.deletePods(job, activePods);
      if (deleted !== activePods.length) finished = undefined;
      active -= deleted;
      terminating += deleted;
      ready -= activePods.filter(isPodReady).length;
      if (ready < 0) ready = 0;
    } else {
      if (!job.metadata!.deletionTimestamp) {
        const r = await this.manageJob(key, job, activePods, pending, { succeeded, succeededIndexes, completions, parallelism, suspended, now });
        active = r.active;
        terminating += r.deleted;
      }
      const complete = completions === undefined ? succeeded > 0 && active === 0 : succeeded >= completions && active === 0;
      if (complete) finished = newCondition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      else this.suspendCondition(job, status, suspended, now);
    }
    status.active = active;
    status.ready = ready;
    status.terminating = terminating;
    if (indexed) {
      status.completedIndexes = formatIndexes(succeededIndexes);
      status.succeeded = succeeded;
    }

    // Counting: finished pods go to uncountedTerminatedPods, lose their finalizer, then are counted.
    const failing = finished?.type === 'FailureTarget';
    const toRelease = pods.filter((p) => this.hasFinalizer(p) && (job.metadata!.deletionTimestamp || finished || p.status?.phase === 'Succeeded' || isPodFailed(p)));
    for (const p of toRelease) {
      const pu = p.metadata!.uid!;
      if (p.status?.phase === 'Succeeded' && !uncFailed.has(pu)) {
        if (!indexed && !uncSucceeded.has(pu)) uncSucceeded.add(pu);
      } else if ((isPodFailed(p) || failing) && !uncSucceeded.has(pu)) {
        uncFailed.add(pu);
      }
    }
    let final: JobCondition | undefined;
    if (finished?.type === 'FailureTarget') {
      if (!condTrue(job, 'FailureTarget')) (status.conditions ??= []).push(finished as Mutable<JobCondition>);
      final = newCondition('Failed', finished.reason!, finished.message!, now);
    } else if (finished?.type === 'SuccessCriteriaMet') {
      if (!condTrue(job, 'SuccessCriteriaMet')) (status.conditions ??= []).push(finished as Mutable<JobCondition>);
      final = newCondition('Complete', finished.reason!, finished.message!, now);
    }
    const withFinalizer = new Set(pods.filter((p) => this.hasFinalizer(p)).map((p) => p.metadata!.uid!));
    const flushCounts = (): void => {
      const moveS = [...uncSucceeded].filter((u) => !withFinalizer.has(u));
      const moveF = [...uncFailed].filter((u) => !withFinalizer.has(u));
      if (!indexed) status.succeeded = (status.succeeded ?? 0) + moveS.length;
      status.failed = (status.failed ?? 0) + moveF.length;
      for (const u of moveS) uncSucceeded.delete(u);
      for (const u of moveF) uncFailed.delete(u);
      setUncounted();
    };
    const setUncounted = (): void => {
      if (uncSucceeded.size) uncounted.succeeded = [...uncSucceeded];
      else delete uncounted.succeeded;
      if (uncFailed.size) uncounted.failed = [...uncFailed];
      else delete uncounted.failed;
    };
    setUncounted();
    // The UIDs must be in the status before any finalizer comes off: a crash in between loses nothing.
    if (toRelease.length || JSON.stringify(status) !== before) job = await this.writeStatus({ ...job, status: structuredClone(status) });
    const released = await this.removeFinalizers(toRelease);
    for (const p of released) withFinalizer.delete(p.metadata!.uid!);
    flushCounts();
    // Finished once nothing is left to count and no pod of the job is still terminating.
    const done = final && !uncSucceeded.size && !uncFailed.size && terminating === 0 && active === 0;
    if (done) {
      (status.conditions ??= []).push(final as Mutable<JobCondition>);
      if (final!.type === 'Complete') status.completionTime = metaTime(now);
      status.active = 0;
      status.ready = 0;
    }
    if (JSON.stringify(status) !== JSON.stringify(job.status ?? {})) job = await this.writeStatus({ ...job, status });
    if (done) {
      if (final!.type === 'Complete') this.recorder.record(job as unknown as KubeObject, 'Normal', 'Completed', 'Job completed');
      else this.recorder.record(job as unknown as KubeObject, 'Warning', final!.reason!, final!.message!);
      await this.expire(key, job);
    } else if (final && terminating > 0) {
      this.queue.addAfter(key, 1000); // wait for the pods' deletion to finish
    }
  }

  private noteBackoff(uid: string, succeeded: Pod[], failed: Pod[], now: number): void {
    if (!succeeded.length && !failed.length) return;
    const rec = this.backoff.get(uid) ?? { failures: 0, lastFailure: 0 };
    if (succeeded.length) rec.failures = 0;
    for (const p of failed) {
      rec.failures++;
      const finishedAt = Math.max(0, ...(p.status?.containerStatuses ?? []).map((s) => Date.parse(s.state?.terminated?.finishedAt ?? '') || 0));
      rec.lastFailure = Math.max(rec.lastFailure, finishedAt || now);
    }
    this.backoff.set(uid, rec);
  }

  private suspendCondition(job: J, status: Status, suspended: boolean, now: number): void {
    const conds = (status.conditions ??= []);
    const cur = conds.find((c) => c.type === 'Suspended');
    if (suspended && cur?.status !== 'True') {
      const c = newCondition('Suspended', 'JobSuspended', 'Job suspended', now) as Mutable<JobCondition>;
      if (cur) Object.assign(cur, c);
      else conds.push(c);
      this.recorder.record(job as unknown as KubeObject, 'Normal', 'Suspended', 'Job suspended');
    } else if (!suspended && cur?.status === 'True') {
      Object.assign(cur, { ...newCondition('Suspended', 'JobResumed', 'Job resumed', now), status: 'False' });
      status.startTime = metaTime(now);
      this.recorder.record(job as unknown as KubeObject, 'Normal', 'Resumed', 'Job resumed');
    }
    if (!conds.length) delete status.conditions;
  }

  /** Creates or deletes pods so that the wanted number run; returns the active count and deletions. */
  private async manageJob(key: string, job: J, activePods: Pod[], pending: Map<string, number>, c: {
    succeeded: number; succeededIndexes: Set<number>; completions?: number; parallelism: number; suspended: boolean; now: number;
  }): Promise<{ active: number; deleted: number }> {
    const uid = job.metadata!.uid!;
    let active = activePods.length + pending.size;
    if (c.suspended) {
      const deleted = await this.deletePods(job, activePods);
      return { active: active - deleted, deleted };
    }
    let want: number;
    if (c.completions === undefined) want = c.succeeded > 0 ? 0 : c.parallelism;
    else want = Math.max(0, Math.min(c.parallelism, c.completions - c.succeeded));
    if (active > want) {
      // Delete the least advanced first: not scheduled, then not running, then not ready; newest first.
      const rank = (p: Pod): number => (!p.spec?.nodeName ? 0 : p.status?.phase === 'Pending' ? 1 : !isPodReady(p) ? 2 : 3);
      const victims = [...activePods].sort((a, b) => rank(a) - rank(b) || (b.metadata!.creationTimestamp ?? '').localeCompare(a.metadata!.creationTimestamp ?? '')).slice(0, active - want);
      const deleted = await this.deletePods(job, victims);
      return { active: active - deleted, deleted };
    }
    if (active >= want) return { active, deleted: 0 };
    const rec = this.backoff.get(uid);
    const wait = rec ? rec.lastFailure + podBackoffMs(rec.failures, this.backoffBaseMs) - c.now : 0;
    if (wait > 0) {
      this.queue.addAfter(key, wait + 50);
      return { active, deleted: 0 };
    }
    let indexes: (number | undefined)[] = Array.from({ length: want - active }, () => undefined);
    if (isIndexed(job)) {
      const busy = new Set(activePods.map(podIndex));
      const free: number[] = [];
      for (let i = 0; i < (c.completions ?? 0) && free.length < want - active; i++) if (!c.succeededIndexes.has(i) && !busy.has(i)) free.push(i);
      indexes = free;
      if (pending.size) indexes = []; // indexes of invisible pods are unknown: wait for the informer
    }
    if (!pending.size) this.pendingCreates.delete(uid);
    // Slow start as upstream: 1, 2, 4, … creations per batch, stopping at the first failure.
    let created = 0;
    for (let batch = 1; created < indexes.length; batch *= 2) {
      const slice = indexes.slice(created, created + batch);
      const results = await Promise.allSettled(slice.map((ix) => this.createPod(job, ix)));
      created += results.filter((r) => r.status === 'fulfilled').length;
      const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      if (failure) {
        this.recorder.record(job as unknown as KubeObject, 'Warning', 'FailedCreate', `Error creating: ${(failure.reason as Error).message}`);
        active += created;
        throw failure.reason;
      }
    }
    return { active: active + created, deleted: 0 };
  }

  private async createPod(job: J, index?: number): Promise<void> {
    const pod = podFromTemplate(job, index);
    const made = await this.client.post<Pod>(`/api/v1/namespaces/${job.metadata!.namespace}/pods`, pod);
    const uid = job.metadata!.uid!;
    if (!this.byJob.get(uid)?.has(`${made.metadata!.namespace}/${made.metadata!.name}`)) {
      let pending = this.pendingCreates.get(uid);
      if (!pending) this.pendingCreates.set(uid, (pending = new Map()));
      pending.set(made.metadata!.name!, this.now());
    }
    this.recorder.record(job as unknown as KubeObject, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata!.name}`);
  }

  /** Deletes pods (gracefully; their finalizers stay until counted); returns how many were deleted. */
  private async deletePods(job: J, pods: readonly Pod[]): Promise<number> {
    const results = await Promise.allSettled(pods.map(async (p) => {
      const m = p.metadata!;
      await this.client.delete(`/api/v1/namespaces/${m.namespace}/pods/${m.name}`, { preconditions: { uid: m.uid } }).catch((e) => {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      });
      this.recorder.record(job as unknown as KubeObject, 'Normal', 'SuccessfulDelete', `Deleted pod: ${m.name}`);
    }));
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  /** Takes the tracking finalizer off; returns the pods it came off (or that are gone). */
  private async removeFinalizers(pods: readonly Pod[]): Promise<Pod[]> {
    const done: Pod[] = [];
    await Promise.all(pods.map(async (p) => {
      const m = p.metadata!;
      // The uid makes it a precondition (409 for a new pod of that name, whose finalizer is not ours to take).
      await this.client.patch(`/api/v1/namespaces/${m.namespace}/pods/${m.name}`, { metadata: { uid: m.uid, [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } }, 'application/strategic-merge-patch+json').catch((e) => {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
      });
      this.finalizerRemoved.add(m.uid!);
      done.push(p);
    }));
    return done;
  }

  private async writeStatus(job: J): Promise<J> {
    const m = job.metadata!;
    return this.client.put<J>(`/apis/batch/v1/namespaces/${m.namespace}/jobs/${m.name}/status`, job);
  }

  /** ttlSecondsAfterFinished: deletes the finished job (and, through the GC, its pods) once due. */
  private async expire(key: string, job: J): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return;
    const cond = condTrue(job, 'Complete') ?? condTrue(job, 'Failed');
    const finishedAt = Date.parse(job.status?.completionTime ?? cond?.lastTransitionTime ?? '');
    if (!Number.isFinite(finishedAt)) return;
    const left = finishedAt + ttl * 1000 - this.now();
    if (left > 0) {
      this.queue.addAfter(key, left + 50);
      return;
    }
    const m = job.metadata!;
    // Upstream's TTL controller deletes in the foreground; Background does not leave the job waiting on a garbage collector.
    await this.client.delete(`/apis/batch/v1/namespaces/${m.namespace}/jobs/${m.name}`, { propagationPolicy: 'Background', preconditions: { uid: m.uid } }).catch((e) => {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    });
  }
}
