// Hollow nodes: many *simulated* nodes served from one process, for scale tests (as kubemark's
// hollow kubelet and kwok do). Each registers a Node labelled tinykube.io/hollow=true and keeps its
// Lease; one shared watch on bound pods reports the pods on these nodes Running and Ready and
// confirms their graceful deletion. No container, network or process is ever made: the pod IPs
// are invented from 198.18.0.0/15 (the benchmarking range, RFC 2544) and never used.
//
// Every API write goes through one bounded pool, so 5000 nodes register, heartbeat and report
// without opening more requests than the API server can take at once.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound } from '../api/errors.js';
import { cidrSize, nthAddress, parseCidr } from '../api/ipv4.js';
import { isPodTerminal, isSidecar } from '../api/pods.js';
import type { RestClient } from '../client/rest.js';
import { AGENT_VERSION, MAX_PODS } from './nodeinfo.js';
import { CONTAINER_ID_PREFIX, podStatus, type ContainerObservation, type PodObservation } from './podstatus.js';
import { metaTime, microTime } from '../api/time.js';

export const HOLLOW_LABEL = 'tinykube.io/hollow';
export const HOLLOW_CONTAINER_ID_PREFIX = 'hollow://';
export const HOLLOW_RUNTIME_VERSION = 'hollow://0.1.0';
export const DEFAULT_HOLLOW_CAPACITY: Readonly<Record<string, string>> = { cpu: '32', memory: '256Gi', pods: String(MAX_PODS), 'ephemeral-storage': '1Ti' };
const LEASE_DURATION_S = 40;
const DEFAULT_LEASE_RENEW_MS = 10_000;
/** Upstream reports unchanged node status every 5 minutes; the Lease carries the heartbeat between. */
const DEFAULT_STATUS_REFRESH_MS = 5 * 60_000;
const RETRY_MS = 1000;
const LEASES_PATH = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
/** The hollow nodes' addresses: node i is .1+i, pods take the addresses above the nodes. */
const IP_RANGE = parseCidr('198.18.0.0/15');
const IP_COUNT = cidrSize(IP_RANGE);

const podKey = (p: Pod): string => `${p.metadata!.namespace}/${p.metadata!.name}`;

export interface HollowNodesOptions {
  client: RestClient;
  /** How many nodes. */
  count: number;
  /** Node names are `<prefix><index>`, index zero-padded to the width of count-1 (default `hollow-node-`). */
  namePrefix?: string;
  capacity?: Record<string, string>;
  /** Extra labels on every node (kubernetes.io/hostname, os, arch and tinykube.io/hollow are always set). */
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  /** API requests in flight at once, over all nodes (default 32). */
  maxInFlight?: number;
  leaseRenewMs?: number;
  statusRefreshMs?: number;
}

export interface HollowStats {
  nodes: number;
  /** Pods bound to a hollow node that the API still has. */
  pods: number;
  /** Status writes that made a pod Running. */
  reportedRunning: number;
  /** Graceful deletions confirmed (DELETE with grace 0). */
  confirmedDeletions: number;
  leaseRenewals: number;
  /** Writes that failed and were retried. */
  retries: number;
}

/** A counting semaphore: at most `max` tasks run at once; the rest wait in order. */
class Pool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  get busy(): number { return this.active + this.waiting.length; }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * Calls `fn(i)` for i = 0..count-1 once per `periodMs`, spread evenly over the period (node i at
 * offset i/count of it), on one timer. Calls the pool cannot take at once are skipped when a whole
 * period behind, as a late heartbeat is replaced by the next one.
 */
class Spreader {
  private timer?: NodeJS.Timeout;
  private issued = 0;
  private readonly t0 = performance.now();
  constructor(private readonly count: number, private readonly periodMs: number, private readonly fn: (i: number) => void, tickMs = Math.min(100, periodMs / 4)) {
    // The first pass (registration) just happened: start one period later.
    this.issued = count;
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }
  private tick(): void {
    const due = Math.floor(((performance.now() - this.t0) * this.count) / this.periodMs) + this.count;
    if (due - this.issued > this.count) this.issued = due - this.count;
    for (; this.issued < due; this.issued++) this.fn(this.issued % this.count);
  }
  stop(): void { clearInterval(this.timer); }
}

/** What this process remembers about a pod bound to one of its nodes. */
interface Tracked { uid: string; ip?: number }

export class HollowNodes {
  readonly names: string[];
  private readonly index: Map<string, number>;
  private readonly pool: Pool;
  private readonly client: RestClient;
  private readonly abort = new AbortController();
  private spreaders: Spreader[] = [];
  private readonly startedAt = metaTime();
  /** Lease renewals in flight per node, so a slow server never gets two for one node. */
  private readonly renewing = new Set<number>();
  private readonly statusRefreshing = new Set<number>();
  // Pods: the latest object of each pod with work to do, a FIFO of their keys, and the keys being worked on.
  private readonly tracked = new Map<string, Tracked>();
  private readonly pending = new Map<string, Pod>();
  private readonly queue = new Set<string>();
  private readonly active = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private freeIps: number[] = [];
  private nextIp: number;
  private watching?: Promise<void>;
  private idleWaiters: (() => void)[] = [];
  readonly stats: HollowStats;

  constructor(private readonly opts: HollowNodesOptions) {
    if (!Number.isInteger(opts.count) || opts.count < 1) throw new Error(`hollow node count must be a positive integer, not ${opts.count}`);
    if (opts.count >= IP_COUNT / 2) throw new Error(`at most ${IP_COUNT / 2 - 1} hollow nodes per process`);
    this.client = opts.client;
    const prefix = opts.namePrefix ?? 'hollow-node-';
    const width = String(opts.count - 1).length;
    this.names = Array.from({ length: opts.count }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);
    this.index = new Map(this.names.map((n, i) => [n, i]));
    this.pool = new Pool(opts.maxInFlight ?? 32);
    this.nextIp = opts.count + 1;
    this.stats = { nodes: 0, pods: 0, reportedRunning: 0, confirmedDeletions: 0, leaseRenewals: 0, retries: 0 };
  }

  // ---------- nodes ----------

  private nodeIp(i: number): string {
    return nthAddress(IP_RANGE, 1 + i);
  }

  private nodeStatus(i: number) {
    const now = metaTime();
    const condition = (type: string, status: string, reason: string, message: string) =>
      ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: this.startedAt });
    const capacity = { ...DEFAULT_HOLLOW_CAPACITY, ...(this.opts.capacity ?? {}) };
    return {
      capacity, allocatable: capacity,
      addresses: [{ type: 'InternalIP', address: this.nodeIp(i) }, { type: 'Hostname', address: this.names[i] }],
      nodeInfo: {
        machineID: '', systemUUID: '', bootID: '', kernelVersion: 'hollow', osImage: 'tinykube hollow node (simulated)', containerRuntimeVersion: HOLLOW_RUNTIME_VERSION,
        kubeletVersion: AGENT_VERSION, kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64',
      },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'hollow node is posting ready status (simulated, no containers run)'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    };
  }

  private nodeLabels(i: number): Record<string, string> {
    return { ...(this.opts.labels ?? {}), 'kubernetes.io/hostname': this.names[i], 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', [HOLLOW_LABEL]: 'true' };
  }

  /** Creates node i with its status, or takes over an existing one of that name; then its Lease. */
  private async register(i: number): Promise<void> {
    const name = this.names[i];
    const labels = this.nodeLabels(i);
    const spec = this.opts.taints?.length ? { taints: this.opts.taints } : {};
    try {
      await this.client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec, status: this.nodeStatus(i) });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      await this.client.patch(`/api/v1/nodes/${name}`, { metadata: { labels }, spec });
      await this.client.patch(`/api/v1/nodes/${name}/status`, { status: this.nodeStatus(i) });
    }
    await this.writeLease(i);
    this.stats.nodes++;
  }

  private async writeLease(i: number): Promise<void> {
    const name = this.names[i];
    const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime: microTime() };
    try {
      await this.client.patch(`${LEASES_PATH}/${name}`, { spec });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.client.post(LEASES_PATH, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec });
    }
  }

  private renewLease(i: number): void {
    if (this.renewing.has(i) || this.abort.signal.aborted) return;
    this.renewing.add(i);
    void this.pool.run(() => (this.abort.signal.aborted ? Promise.resolve() : this.writeLease(i)))
      .then(() => { this.stats.leaseRenewals++; }, () => { this.stats.retries++; })
      .finally(() => this.renewing.delete(i));
  }

  private refreshStatus(i: number): void {
    if (this.statusRefreshing.has(i) || this.abort.signal.aborted) return;
    this.statusRefreshing.add(i);
    void this.pool.run(() => (this.abort.signal.aborted ? Promise.resolve() : this.client.patch(`/api/v1/nodes/${this.names[i]}/status`, { status: this.nodeStatus(i) })))
      .catch(() => { this.stats.retries++; })
      .finally(() => this.statusRefreshing.delete(i));
  }

  /** Registers every node (bounded concurrency), starts the heartbeats and the pod watch; resolves once pods are listed. */
  async start(): Promise<void> {
    let next = 0;
    const workers = Array.from({ length: Math.min(this.opts.count, (this.opts.maxInFlight ?? 32)) }, async () => {
      while (next < this.opts.count && !this.abort.signal.aborted) {
        const i = next++;
        // A busy server (5xx, timeouts, resets) gets a few more tries; a refusal (4xx) ends start().
        for (let attempt = 1; ; attempt++) {
          try {
            await this.register(i);
            break;
          } catch (e) {
            if (attempt >= 5 || (e instanceof ApiError && e.code < 500)) throw e;
            this.stats.retries++;
            await new Promise((r) => setTimeout(r, RETRY_MS * attempt));
          }
        }
      }
    });
    await Promise.all(workers);
    const n = this.opts.count;
    this.spreaders.push(new Spreader(n, this.opts.leaseRenewMs ?? DEFAULT_LEASE_RENEW_MS, (i) => this.renewLease(i)));
    this.spreaders.push(new Spreader(n, this.opts.statusRefreshMs ?? DEFAULT_STATUS_REFRESH_MS, (i) => this.refreshStatus(i)));
    let synced!: () => void;
    const listed = new Promise<void>((r) => { synced = r; });
    this.watching = this.watchPods(synced);
    await listed;
  }

  /** Stops heartbeats and the watch, and waits for writes in flight. With `deregister`, deletes the Nodes and Leases too. */
  async stop(opts: { deregister?: boolean } = {}): Promise<void> {
    this.abort.abort();
    for (const s of this.spreaders) s.stop();
    this.spreaders = [];
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.queue.clear();
    await this.watching;
    while (this.pool.busy > 0) await new Promise((r) => setTimeout(r, 10));
    if (opts.deregister) {
      await Promise.all(this.names.map((name) => this.pool.run(async () => {
        await this.client.delete(`/api/v1/nodes/${name}`).catch((e) => { if (!isNotFound(e)) throw e; });
        await this.client.delete(`${LEASES_PATH}/${name}`).catch((e) => { if (!isNotFound(e)) throw e; });
      })));
    }
  }

  /** Resolves when no pod work is queued or in flight (for tests and benchmarks). */
  idle(): Promise<void> {
    if (!this.queue.size && !this.active.size && !this.retryTimers.size) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  // ---------- pods ----------

  /** One list + watch of every bound pod (spec.nodeName non-empty), resumed from the last resourceVersion; relists on 410. */
  private async watchPods(synced: () => void): Promise<void> {
    const path = `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName!=')}`;
    let rv = '';
    while (!this.abort.signal.aborted) {
      try {
        if (!rv) rv = await this.relist(path);
        synced();
        await this.client.watch<Pod>(`${path}&watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, (e) => {
          if (e.type === 'ERROR') {
            if ((e.object as { code?: number }).code === 410) rv = '';
            return;
          }
          rv = e.object.metadata?.resourceVersion ?? rv;
          if (e.type !== 'BOOKMARK') this.observe(e.type, e.object);
        }, this.abort.signal);
      } catch (e) {
        if (isGone(e)) rv = '';
        if (!this.abort.signal.aborted) await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  private async relist(path: string): Promise<string> {
    const list = await this.client.get<{ metadata: { resourceVersion: string }; items: Pod[] }>(path);
    const seen = new Set<string>();
    for (const pod of list.items) {
      seen.add(podKey(pod));
      this.observe('MODIFIED', pod);
    }
    for (const key of [...this.tracked.keys()]) if (!seen.has(key)) this.forget(key);
    return list.metadata.resourceVersion;
  }

  private forget(key: string): void {
    const t = this.tracked.get(key);
    if (!t) return;
    if (t.ip !== undefined) this.freeIps.push(t.ip);
    this.tracked.delete(key);
    this.pending.delete(key);
    this.stats.pods = this.tracked.size;
  }

  /** Level-triggered: decides from the pod alone whether it needs a status report or a deletion confirmed. */
  private observe(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod): void {
    const key = podKey(pod);
    if (type === 'DELETED' || !this.index.has(pod.spec?.nodeName ?? '')) { this.forget(key); return; }
    const uid = pod.metadata!.uid!;
    const known = this.tracked.get(key);
    if (known && known.uid !== uid) this.forget(key);
    if (!this.tracked.has(key)) {
      this.tracked.set(key, { uid });
      this.stats.pods = this.tracked.size;
    }
    if (pod.metadata?.deletionTimestamp || (!isPodTerminal(pod) && !this.reportedRunning(pod))) {
      this.pending.set(key, pod);
      this.enqueue(key);
    } else {
      this.pending.delete(key);
    }
  }

  /** Whether the pod already shows what a hollow node reports: Running, every container ready. */
  private reportedRunning(pod: Pod): boolean {
    const s = pod.status;
    return s?.phase === 'Running' && !!s.podIP && (s.containerStatuses?.length ?? 0) === pod.spec!.containers.length && s.containerStatuses!.every((c) => c.ready);
  }

  private enqueue(key: string): void {
    if (this.abort.signal.aborted) return;
    this.queue.add(key);
    this.pump();
  }

  private pump(): void {
    const max = this.opts.maxInFlight ?? 32;
    while (this.active.size < max && this.queue.size) {
      let key: string | undefined;
      for (const k of this.queue) if (!this.active.has(k)) { key = k; break; }
      if (key === undefined) break;
      const k = key;
      this.queue.delete(k);
      const pod = this.pending.get(k);
      this.pending.delete(k);
      if (!pod) continue;
      this.active.add(k);
      void this.pool.run(() => this.work(k, pod)).catch(() => {
        // Retry with the newest object unless a newer event already queued one.
        this.stats.retries++;
        if (!this.pending.has(k) && this.tracked.get(k)?.uid === pod.metadata!.uid) this.pending.set(k, pod);
        const t = setTimeout(() => { this.retryTimers.delete(t); if (this.pending.has(k)) this.enqueue(k); this.checkIdle(); }, RETRY_MS);
        this.retryTimers.add(t);
      }).finally(() => {
        this.active.delete(k);
        this.pump();
        this.checkIdle();
      });
    }
  }

  private checkIdle(): void {
    if (this.queue.size || this.active.size || this.retryTimers.size) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async work(key: string, pod: Pod): Promise<void> {
    if (this.abort.signal.aborted) return;
    const meta = pod.metadata!;
    const path = `/api/v1/namespaces/${meta.namespace}/pods/${meta.name}`;
    if (meta.deletionTimestamp) {
      // Nothing runs, so nothing to stop: confirm at once, if it is still the same pod (as podworker.ts does).
      const done = await this.client.delete(path, { gracePeriodSeconds: 0, preconditions: { uid: meta.uid } }).then(() => true, (e) => {
        if (!(isNotFound(e) || isConflict(e))) throw e;
        return false;
      });
      if (done) this.stats.confirmedDeletions++;
      return;
    }
    const tracked = this.tracked.get(key);
    if (!tracked || tracked.uid !== meta.uid) return;
    tracked.ip ??= this.allocateIp();
    const status = hollowPodStatus(pod, {
      podIP: tracked.ip === undefined ? undefined : nthAddress(IP_RANGE, tracked.ip),
      hostIP: this.nodeIp(this.index.get(pod.spec!.nodeName!)!),
      now: metaTime(),
    });
    const done = await this.client.patch(`${path}/status`, { metadata: { uid: meta.uid }, status }, 'application/strategic-merge-patch+json').then(() => true, (e) => {
      // Gone, or replaced by a pod of the same name: the watch brings what to do next.
      if (!(isNotFound(e) || isConflict(e))) throw e;
      return false;
    });
    if (done && status.phase === 'Running') this.stats.reportedRunning++;
  }

  private allocateIp(): number | undefined {
    const free = this.freeIps.pop();
    if (free !== undefined) return free;
    return this.nextIp < IP_COUNT - 1 ? this.nextIp++ : undefined;
  }
}

/**
 * The status a hollow node reports for `pod`: every init container exited 0, every container
 * running and ready since now, with `hollow://` container IDs. Without a pod IP (the simulated
 * range is used up) the pod stays Pending, as a real node without an address would keep it.
 */
export function hollowPodStatus(pod: Pod, o: { podIP?: string; hostIP: string; now: string }) {
  const uid = pod.metadata?.uid ?? '';
  const startedAt = pod.status?.startTime ?? o.now;
  const observed = (name: string, image: string | undefined, state: 'running' | 'exited'): ContainerObservation => ({
    image: image ?? '', imageID: '',
    latest: { id: `${uid}-${name}`, attempt: 0, state, startedAt, ...(state === 'exited' ? { exitCode: 0, finishedAt: startedAt } : {}) },
  });
  const spec = pod.spec!;
  const obs: PodObservation = {
    podIP: spec.hostNetwork ? o.hostIP : o.podIP, hostIP: o.hostIP, startTime: startedAt,
    init: new Map((spec.initContainers ?? []).map((c) => [c.name, observed(c.name, c.image, isSidecar(c) ? 'running' : 'exited')])),
    containers: new Map(spec.containers.map((c) => [c.name, observed(c.name, c.image, 'running')])),
  };
  const status = podStatus(pod, obs, o.now);
  for (const c of [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])]) {
    const fix = (id?: string) => id?.replace(CONTAINER_ID_PREFIX, HOLLOW_CONTAINER_ID_PREFIX);
    if (c.containerID) c.containerID = fix(c.containerID);
    if (c.state?.terminated?.containerID) c.state.terminated.containerID = fix(c.state.terminated.containerID);
  }
  return status;
}
