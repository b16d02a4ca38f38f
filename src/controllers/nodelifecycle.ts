// Node lifecycle, as upstream's node lifecycle + taint eviction + pod GC (orphans) controllers:
// - a node whose agent stops renewing its Lease (and posting status) for gracePeriod gets every
//   condition Unknown (NodeStatusUnknown), its pods Ready=False;
// - conditions drive the taints: Ready=Unknown → node.kubernetes.io/unreachable, Ready=False →
//   node.kubernetes.io/not-ready, each NoSchedule and NoExecute (timeAdded), removed again once the
//   agent reports Ready=True;
// - NoExecute taints evict (gracefully delete) pods that do not tolerate them, at once or when
//   their tolerationSeconds run out; no tainting for NoExecute while a whole zone is down (upstream's
//   FullDisruption: the control plane is more likely cut off than every node dead);
// - a pod bound to a node that no longer exists is force-deleted (upstream's pod GC), which is what
//   ends the Terminating state of pods evicted from a node that never comes back; so is a
//   terminating pod on a not-Ready node tainted node.kubernetes.io/out-of-service.
// Times are the controller's own observations (when it saw the Lease change), never the agent's clock.
import type { Node, NodeCondition, Pod, PodCondition, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/strategy.js';
import { tolerates } from '../api/taints.js';
import { EventRecorder } from '../client/events.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { metaTime } from '../api/time.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
/** Set by an operator on a node known to be down for good: its terminating pods may go at once (upstream pod GC). */
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';
const LIFECYCLE_KEYS = new Set([TAINT_UNREACHABLE, TAINT_NOT_READY]);
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const REGION_LABEL = 'topology.kubernetes.io/region';

export interface NodeLifecycleOptions {
  /** How long a node may go without renewing its Lease or posting status before it is Unknown (upstream --node-monitor-grace-period, 50 s). */
  gracePeriodMs?: number;
  /** How often nodes are checked (upstream --node-monitor-period, 5 s). */
  monitorPeriodMs?: number;
  /** How long a pod's node must be missing before the pod is force-deleted (upstream pod GC quarantine, 40 s). */
  orphanQuarantineMs?: number;
  /** Share of not-ready nodes (of more than 2) at which a zone counts as partially disrupted (0.55). */
  unhealthyZoneThreshold?: number;
  now?: () => number;
}

/** Options from TINYKUBE_NODE_LIFECYCLE (JSON of NodeLifecycleOptions), for tests that need short times. */
export function nodeLifecycleOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): NodeLifecycleOptions {
  const raw = env.TINYKUBE_NODE_LIFECYCLE;
  if (!raw) return {};
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    const num = (k: string): number | undefined => (typeof o[k] === 'number' && (o[k] as number) > 0 ? (o[k] as number) : undefined);
    return { gracePeriodMs: num('gracePeriodMs'), monitorPeriodMs: num('monitorPeriodMs'), orphanQuarantineMs: num('orphanQuarantineMs') };
  } catch {
    return {};
  }
}

const readyOf = (node: Node): NodeCondition | undefined => node.status?.conditions?.find((c) => c.type === 'Ready');

// ---------- pure rules ----------

/** The lifecycle taints a node should carry for its Ready status (NoExecute only when evictions may run). */
export function lifecycleTaints(readyStatus: string | undefined, noExecute: boolean): { key: string; effect: 'NoSchedule' | 'NoExecute' }[] {
  const key = readyStatus === 'False' ? TAINT_NOT_READY : readyStatus === 'True' ? undefined : TAINT_UNREACHABLE;
  if (!key) return [];
  return noExecute ? [{ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute' }] : [{ key, effect: 'NoSchedule' }];
}

/** The node's taints with the lifecycle ones replaced by `wanted` (kept as they are when already there); undefined when nothing changes. */
export function reconcileTaints(current: readonly Taint[], wanted: readonly { key: string; effect: string }[], now: number): Taint[] | undefined {
  const isLifecycle = (t: Taint): boolean => LIFECYCLE_KEYS.has(t.key) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const keep = current.filter((t) => !isLifecycle(t) || wanted.some((w) => w.key === t.key && w.effect === t.effect));
  const add = wanted.filter((w) => !current.some((t) => t.key === w.key && t.effect === w.effect))
    .map((w) => (w.effect === 'NoExecute' ? { key: w.key, effect: w.effect, timeAdded: metaTime(now) } : { key: w.key, effect: w.effect }));
  if (keep.length === current.length && !add.length) return undefined;
  return [...keep, ...add];
}

/**
 * When a pod on a node with these NoExecute taints must go: 0 = now (a taint it does not
 * tolerate), a time in ms, or undefined = never (tolerated without tolerationSeconds).
 */
export function evictionTime(tolerations: readonly Toleration[], taints: readonly Taint[], firstSeen: (t: Taint) => number): number | undefined {
  let due: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (!matching.length) return 0;
    // The toleration that lasts longest wins for this taint; the taint that runs out first decides.
    let longest: number | undefined = -1;
    for (const t of matching) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) { longest = undefined; break; }
      longest = Math.max(longest!, Math.max(0, t.tolerationSeconds));
    }
    if (longest === undefined) continue;
    const at = firstSeen(taint) + longest * 1000;
    due = due === undefined ? at : Math.min(due, at);
  }
  return due;
}

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export function zoneState(ready: number, notReady: number, threshold = 0.55): ZoneState {
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (ready + notReady) >= threshold) return 'PartialDisruption';
  return 'Normal';
}

export const zoneOf = (node: Node): string => {
  const l = node.metadata?.labels ?? {};
  return `${l[REGION_LABEL] ?? ''}:\u0000:${l[ZONE_LABEL] ?? ''}`;
};

/** Conditions of a node whose agent went silent: all Unknown, heartbeat kept, transition now. */
export function unknownConditions(node: Node, now: number): NodeCondition[] {
  const neverPosted = !readyOf(node);
  const reason = neverPosted ? 'NodeStatusNeverUpdated' : 'NodeStatusUnknown';
  const message = neverPosted ? 'Kubelet never posted node status.' : 'Kubelet stopped posting node status.';
  const ts = metaTime(now);
  const conditions = (node.status?.conditions ?? []).map((c) => (c.status === 'Unknown' ? c : { ...c, status: 'Unknown', reason, message, lastTransitionTime: ts, lastHeartbeatTime: c.lastHeartbeatTime ?? ts }));
  for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
    if (!conditions.some((c) => c.type === type)) conditions.push({ type, status: 'Unknown', reason, message, lastTransitionTime: ts, lastHeartbeatTime: ts });
  }
  return conditions;
}

// ---------- the controller ----------

interface Health { probeAt: number; renewTime?: string; heartbeat?: string }

export class NodeLifecycleController {
  private readonly nodes: Informer;
  /** What of each node triggers a pass (see the node handler). */
  private readonly nodeSeen = new Map<string, string>();
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly health = new Map<string, Health>();
  /** Pods whose node was missing, since when (quarantine). */
  private readonly orphanSince = new Map<string, number>();
  /** When the controller first saw each NoExecute taint (node/key), if the taint has no timeAdded. */
  private readonly taintSeen = new Map<string, number>();
  private readonly nodeEvents: EventRecorder;
  private readonly evictionEvents: EventRecorder;
  private readonly gcEvents: EventRecorder;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  readonly opts: Required<NodeLifecycleOptions>;

  constructor(private readonly client: RestClient, opts: NodeLifecycleOptions = {}) {
    this.opts = {
      gracePeriodMs: opts.gracePeriodMs ?? 50_000,
      monitorPeriodMs: opts.monitorPeriodMs ?? 5_000,
      orphanQuarantineMs: opts.orphanQuarantineMs ?? 40_000,
      unhealthyZoneThreshold: opts.unhealthyZoneThreshold ?? 0.55,
      now: opts.now ?? Date.now,
    };
    // Lease renewals are only looked at by the periodic pass (as upstream); node changes and pods
    // bound to a node that is not Ready (or missing) are looked at at once.
    // Heartbeat-only status updates (thousands a minute with many nodes) wait for the periodic pass;
    // a node added or deleted, or a change of its Ready status, taints, unschedulable or labels, passes now.
    this.nodes = new Informer(client, '/api/v1/nodes', (type, obj) => {
      const node = obj as unknown as Node;
      const name = node.metadata?.name ?? '';
      if (type === 'DELETED') {
        this.nodeSeen.delete(name);
        this.kick();
        return;
      }
      const seen = JSON.stringify([readyOf(node)?.status, node.spec?.taints ?? [], !!node.spec?.unschedulable, node.metadata?.labels ?? {}]);
      if (this.nodeSeen.get(name) === seen) return;
      this.nodeSeen.set(name, seen);
      this.kick();
    });
    this.leases = new Informer(client, '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', () => {});
    this.pods = new Informer(client, '/api/v1/pods', (type, obj) => {
      const nodeName = (obj as unknown as Pod).spec?.nodeName;
      if (type === 'DELETED' || !nodeName || obj.metadata.deletionTimestamp) return;
      const node = this.nodes.items.get(nodeName) as unknown as Node | undefined;
      if (!node || readyOf(node)?.status !== 'True' || node.spec?.taints?.some((t) => t.effect === 'NoExecute')) this.kick();
    });
    this.nodeEvents = new EventRecorder(client, 'node-controller');
    this.evictionEvents = new EventRecorder(client, 'taint-eviction-controller');
    this.gcEvents = new EventRecorder(client, 'pod-garbage-collector');
  }

  async start(): Promise<void> {
    await Promise.all([this.nodes.start(), this.leases.start(), this.pods.start()]);
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.nodes.stop();
    this.leases.stop();
    this.pods.stop();
  }

  /** Runs a pass now (passes never overlap); one always follows within monitorPeriod. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    clearTimeout(this.timer);
    void this.loop();
  }

  private async loop(): Promise<void> {
    let next = this.opts.monitorPeriodMs;
    do {
      this.again = false;
      try {
        next = Math.min(this.opts.monitorPeriodMs, await this.pass());
      } catch {
        next = Math.min(next, 1000);
      }
    } while (this.again && !this.stopped);
    this.running = false;
    if (this.stopped) return;
    this.timer = setTimeout(() => this.kick(), Math.max(50, next));
    this.timer.unref();
  }

  private nodeList(): Node[] {
    return [...this.nodes.items.values()] as unknown as Node[];
  }

  private podsByNode(): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    for (const obj of this.pods.items.values()) {
      const pod = obj as unknown as Pod;
      const n = pod.spec?.nodeName;
      if (!n) continue;
      const list = out.get(n);
      if (list) list.push(pod);
      else out.set(n, [pod]);
    }
    return out;
  }

  /** One monitor pass; returns the ms until the next eviction or quarantine end it knows of. */
  async pass(): Promise<number> {
    const now = this.opts.now();
    let wake = Infinity;
    const nodes = this.nodeList();
    const byName = new Map(nodes.map((n) => [n.metadata!.name!, n]));
    for (const name of this.health.keys()) if (!byName.has(name)) this.health.delete(name);
    // 1. health: conditions Unknown after the grace period without a sign of life.
    const current = new Map<string, Node>();
    for (const node of nodes) current.set(node.metadata!.name!, await this.checkHealth(node, now));
    // 2. zones: while a whole zone is down, NoExecute taints stay off.
    const zones = new Map<string, { ready: number; notReady: number }>();
    for (const node of current.values()) {
      const z = zones.get(zoneOf(node)) ?? { ready: 0, notReady: 0 };
      if (readyOf(node)?.status === 'True') z.ready++;
      else z.notReady++;
      zones.set(zoneOf(node), z);
    }
    const pods = this.podsByNode();
    for (const node of current.values()) {
      const z = zones.get(zoneOf(node))!;
      const evictions = zoneState(z.ready, z.notReady, this.opts.unhealthyZoneThreshold) === 'Normal';
      const tainted = await this.reconcileNodeTaints(node, evictions, now);
      const on = pods.get(node.metadata!.name!) ?? [];
      if (readyOf(tainted)?.status !== 'True') await this.markPodsNotReady(on, now);
      wake = Math.min(wake, await this.evict(tainted, on, now));
      if (readyOf(tainted)?.status !== 'True' && tainted.spec?.taints?.some((t) => t.key === TAINT_OUT_OF_SERVICE)) {
        for (const pod of on) if (pod.metadata?.deletionTimestamp) await this.deletePod(pod, 'DeletionByPodGC', 'PodGC: node is out of service', now, true);
      }
    }
    // 3. pods bound to nodes that do not exist.
    wake = Math.min(wake, await this.collectOrphans(byName, now));
    return wake === Infinity ? this.opts.monitorPeriodMs : Math.max(0, wake - now);
  }

  private async checkHealth(node: Node, now: number): Promise<Node> {
    const name = node.metadata!.name!;
    const lease = this.leases.items.get(`kube-node-lease/${name}`) as { spec?: { renewTime?: string } } | undefined;
    const renewTime = lease?.spec?.renewTime;
    const ready = readyOf(node);
    const heartbeat = ready?.lastHeartbeatTime;
    let h = this.health.get(name);
    if (!h) {
      // A node seen for the first time (or after a controller restart) gets a full grace period.
      h = { probeAt: now, renewTime, heartbeat };
      this.health.set(name, h);
    } else if (h.renewTime !== renewTime || h.heartbeat !== heartbeat) {
      if ((renewTime && renewTime !== h.renewTime) || (heartbeat && heartbeat !== h.heartbeat)) h.probeAt = now;
      h.renewTime = renewTime;
      h.heartbeat = heartbeat;
    }
    if (now - h.probeAt <= this.opts.gracePeriodMs) return node;
    if (ready?.status === 'Unknown' && (node.status?.conditions ?? []).every((c) => c.status === 'Unknown')) return node;
    const conditions = unknownConditions(node, now);
    const updated = await this.client.patch<Node>(`/api/v1/nodes/${name}/status`, { metadata: { resourceVersion: node.metadata!.resourceVersion }, status: { conditions } }).catch((e) => {
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return undefined;
      throw e;
    });
    if (!updated) return node;
    if (ready?.status !== 'Unknown') this.nodeEvents.record(updated as unknown as KubeObject, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    this.nodes.items.set(name, updated as unknown as KubeObject);
    return updated;
  }

  private async reconcileNodeTaints(node: Node, evictions: boolean, now: number): Promise<Node> {
    const name = node.metadata!.name!;
    const wanted = lifecycleTaints(readyOf(node)?.status, evictions);
    const taints = reconcileTaints(node.spec?.taints ?? [], wanted, now);
    if (!taints) return node;
    const updated = await this.client.patch<Node>(`/api/v1/nodes/${name}`, { metadata: { resourceVersion: node.metadata!.resourceVersion }, spec: { taints: taints.length ? taints : null } }).catch((e) => {
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return undefined;
      throw e;
    });
    if (!updated) return node;
    this.nodes.items.set(name, updated as unknown as KubeObject);
    return updated;
  }

  /** Upstream MarkPodsNotReady: the Ready condition of every pod on the node goes False. */
  private async markPodsNotReady(pods: readonly Pod[], now: number): Promise<void> {
    for (const pod of pods) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False' || pod.metadata?.deletionTimestamp) continue;
      const cond: PodCondition = { ...ready, status: 'False', lastTransitionTime: metaTime(now) };
      const m = pod.metadata!;
      await this.client.patch(`/api/v1/namespaces/${m.namespace}/pods/${m.name}/status`, { metadata: { uid: m.uid }, status: { conditions: [cond] } }, 'application/strategic-merge-patch+json').then(
        () => this.nodeEvents.record(pod as unknown as KubeObject, 'Warning', 'NodeNotReady', 'Node is not ready'),
        (e) => { if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e; },
      );
    }
  }

  /** Taint eviction: deletes pods whose tolerations of the node's NoExecute taints ran out; returns the next due time. */
  private async evict(node: Node, pods: readonly Pod[], now: number): Promise<number> {
    const name = node.metadata!.name!;
    const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    for (const k of this.taintSeen.keys()) if (k.startsWith(`${name}/`) && !taints.some((t) => k === `${name}/${t.key}`)) this.taintSeen.delete(k);
    if (!taints.length) return Infinity;
    const firstSeen = (t: Taint): number => {
      const added = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
      if (Number.isFinite(added)) return added;
      const k = `${name}/${t.key}`;
      if (!this.taintSeen.has(k)) this.taintSeen.set(k, now);
      return this.taintSeen.get(k)!;
    };
    let wake = Infinity;
    for (const pod of pods) {
      if (pod.metadata?.deletionTimestamp) continue;
      const due = evictionTime(pod.spec?.tolerations ?? [], taints, firstSeen);
      if (due === undefined) continue;
      if (due > now) { wake = Math.min(wake, due); continue; }
      await this.deletePod(pod, 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint', now);
      this.evictionEvents.record(pod as unknown as KubeObject, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata!.namespace}/${pod.metadata!.name}`);
    }
    return wake;
  }

  /** Adds the DisruptionTarget condition, then deletes (gracefully, or at once with `force`). */
  private async deletePod(pod: Pod, reason: string, message: string, now: number, force = false): Promise<void> {
    const m = pod.metadata!;
    const path = `/api/v1/namespaces/${m.namespace}/pods/${m.name}`;
    const ignore = (e: unknown): void => { if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e; };
    const condition = { type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: metaTime(now) };
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const status = force && !terminal ? { phase: 'Failed', conditions: [condition] } : { conditions: [condition] };
    await this.client.patch(`${path}/status`, { metadata: { uid: m.uid }, status }, 'application/strategic-merge-patch+json').catch(ignore);
    await this.client.delete(path, { ...(force ? { gracePeriodSeconds: 0 } : {}), preconditions: { uid: m.uid } }).catch(ignore);
  }

  /** Pod GC of orphans: pods bound to a node that has been gone for the quarantine are force-deleted. */
  private async collectOrphans(nodes: Map<string, Node>, now: number): Promise<number> {
    let wake = Infinity;
    const seen = new Set<string>();
    for (const obj of this.pods.items.values()) {
      const pod = obj as unknown as Pod;
      const nodeName = pod.spec?.nodeName;
      if (!nodeName || nodes.has(nodeName)) continue;
      const key = `${pod.metadata!.namespace}/${pod.metadata!.name}/${pod.metadata!.uid}`;
      seen.add(key);
      const since = this.orphanSince.get(key) ?? now;
      this.orphanSince.set(key, since);
      if (now - since < this.opts.orphanQuarantineMs) { wake = Math.min(wake, since + this.opts.orphanQuarantineMs); continue; }
      // The informer may lag: ask the API whether the node is really gone.
      const exists = await this.client.get(`/api/v1/nodes/${nodeName}`).then(() => true, (e) => {
        if (e instanceof ApiError && e.code === 404) return false;
        throw e;
      });
      if (exists) continue;
      await this.deletePod(pod, 'DeletionByPodGC', 'PodGC: node no longer exists', now, true);
      this.gcEvents.record(pod as unknown as KubeObject, 'Normal', 'PodGCOrphaned', `Deleted pod ${pod.metadata!.namespace}/${pod.metadata!.name} bound to the deleted node ${nodeName}`);
    }
    for (const k of this.orphanSince.keys()) if (!seen.has(k)) this.orphanSince.delete(k);
    return wake;
  }
}
