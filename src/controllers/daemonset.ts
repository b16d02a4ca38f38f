// DaemonSet controller (apps/v1), after upstream's: one pod per node that should run it — the
// node matches the pod's nodeSelector and required node affinity, and every NoSchedule/NoExecute
// taint of the node is tolerated (DaemonSet pods get upstream's default tolerations). Pods are
// created with a required node affinity on metadata.name and left to the scheduler to bind, as
// upstream does since 1.12. Nodes joining, leaving or changing labels/taints are followed; pods
// on nodes that should no longer run one are deleted (a NoSchedule taint alone keeps a running
// pod, a NoExecute one does not); failed pods are replaced after a backoff. Template versions are
// ControllerRevisions; RollingUpdate replaces old pods node by node within maxUnavailable (and
// surges new ones first within maxSurge); OnDelete leaves that to the user.
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, NodeSelectorTerm, Pod, PodTemplateSpec, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import { selectorFromLabelSelector } from '../api/labels.js';
import { requiredNodeAffinityMatches } from '../api/nodeaffinity.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { tolerates } from '../api/taints.js';
import { EventRecorder } from '../client/events.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import {
  availableIn, canonicalJson, ensureRevision, HASH_LABEL, isTerminal, isTerminating, OwnedIndex, REVISION_LABEL, truncateHistory, type RevisionOwner,
} from './statefulset.js';
import { WorkQueue } from '../client/workqueue.js';

export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
type D = Mutable<DaemonSet>;
type Revision = Parameters<typeof truncateHistory>[1][number];

const FAILED_BACKOFF_BASE_MS = 1000;
const FAILED_BACKOFF_MAX_MS = 15 * 60_000;

/** Upstream's AddOrUpdateDaemonPodTolerations. */
export function daemonTolerations(spec: { tolerations?: readonly Toleration[]; hostNetwork?: boolean }): Toleration[] {
  const wanted: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ...(spec.hostNetwork ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : []),
  ];
  const out = [...(spec.tolerations ?? [])];
  // A toleration with the same key, operator, value and effect is replaced (its tolerationSeconds go).
  for (const w of wanted) {
    const i = out.findIndex((t) => (t.key ?? '') === w.key && (t.operator ?? 'Equal') === w.operator && (t.value ?? '') === '' && (t.effect ?? '') === w.effect);
    if (i >= 0) out[i] = w;
    else out.push(w);
  }
  return out;
}

/** Whether a daemon pod should be on `node` (to create one) and may stay there (to keep one), as upstream's NodeShouldRunDaemonPod. */
export function nodeShouldRun(node: Node, template: PodTemplateSpec): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = template.spec!;
  const tolerations = daemonTolerations(spec);
  if (!requiredNodeAffinityMatches(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const untolerated = (effect: string): Taint | undefined => (node.spec?.taints ?? []).find((t) => t.effect === effect && !tolerations.some((x) => tolerates(x, t)));
  if (untolerated('NoExecute')) return { shouldRun: false, shouldContinueRunning: false };
  if (untolerated('NoSchedule')) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: where it is bound, or the metadata.name its affinity requires. */
export function podNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** The daemon pod for `nodeName`: default tolerations and a required node affinity on that node's name. */
export function daemonPod(ds: DaemonSet, template: PodTemplateSpec, hash: string, nodeName: string): Mutable<Pod> {
  const m = ds.metadata!;
  const tpl = structuredClone(template) as Mutable<PodTemplateSpec>;
  const spec = tpl.spec!;
  spec.tolerations = daemonTolerations(spec) as Mutable<Toleration>[];
  const nameTerm: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const na = ((spec.affinity ??= {}).nodeAffinity ??= {});
  const req = na.requiredDuringSchedulingIgnoredDuringExecution;
  // Upstream ReplaceDaemonSetPodNodeNameNodeAffinity: the name requirement replaces any matchFields, kept in every term.
  const terms = req?.nodeSelectorTerms?.length ? req.nodeSelectorTerms.map((t) => ({ ...t, matchFields: nameTerm.matchFields })) : [nameTerm];
  na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: terms as Mutable<NodeSelectorTerm>[] };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${m.name}-`, namespace: m.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}), [REVISION_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(m.generation ?? 1) },
      ...(tpl.metadata?.annotations ? { annotations: tpl.metadata.annotations } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: m.name!, uid: m.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

/** An int-or-percent of `total` (percentages round up for surge and unavailable alike, as upstream). */
export function scaled(v: number | string | undefined, total: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  return m ? Math.ceil((Number(m[1]) * total) / 100) : fallback;
}

export type DaemonAction = { kind: 'create'; node: string } | { kind: 'delete'; pod: string; why: string };

interface NodeState { node: Node; should: ReturnType<typeof nodeShouldRun>; pods: Pod[] }

/**
 * What one pass does (pure, for tests): per node, create the missing pod, delete extras, pods that
 * must not stay and failed ones; then the rolling update within maxUnavailable / maxSurge.
 */
export function planDaemonSet(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, now: number, failedBackoff: (node: string) => number = () => 0): { actions: DaemonAction[]; retryInMs?: number } {
  const template = ds.spec!.template;
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = podNodeName(p);
    if (!n) continue;
    (byNode.get(n) ?? byNode.set(n, []).get(n)!).push(p);
  }
  const actions: DaemonAction[] = [];
  let retryInMs: number | undefined;
  const states: NodeState[] = [];
  const nodeNames = new Set(nodes.map((n) => n.metadata!.name!));
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const should = nodeShouldRun(node, template);
    const mine = (byNode.get(name) ?? []).filter((p) => !isTerminating(p));
    states.push({ node, should, pods: mine });
    if (should.shouldRun && !mine.length) {
      const wait = failedBackoff(name);
      if (wait > 0) retryInMs = Math.min(retryInMs ?? Infinity, wait);
      else actions.push({ kind: 'create', node: name });
      continue;
    }
    if (!should.shouldContinueRunning) {
      for (const p of mine) actions.push({ kind: 'delete', pod: p.metadata!.name!, why: 'node no longer runs it' });
      continue;
    }
    const failed = mine.filter((p) => p.status?.phase === 'Failed');
    for (const p of failed) actions.push({ kind: 'delete', pod: p.metadata!.name!, why: 'failed' });
    const alive = mine.filter((p) => p.status?.phase !== 'Failed');
    // More than one: keep the oldest (running ones first), delete the rest — unless a surge is under way.
    const surging = alive.length === 2 && alive.some((p) => p.metadata?.labels?.[REVISION_LABEL] === hash) && alive.some((p) => p.metadata?.labels?.[REVISION_LABEL] !== hash);
    if (alive.length > 1 && !surging) {
      const sorted = [...alive].sort((a, b) => Number(b.status?.phase === 'Running') - Number(a.status?.phase === 'Running') || (a.metadata!.creationTimestamp ?? '').localeCompare(b.metadata!.creationTimestamp ?? ''));
      for (const p of sorted.slice(1)) actions.push({ kind: 'delete', pod: p.metadata!.name!, why: 'extra' });
    }
  }
  // Unbound pods for nodes that are gone never get a node: delete them.
  for (const [n, list] of byNode) {
    if (nodeNames.has(n)) continue;
    for (const p of list) if (!p.spec?.nodeName && !isTerminating(p)) actions.push({ kind: 'delete', pod: p.metadata!.name!, why: 'node is gone' });
  }
  if (ds.spec?.updateStrategy?.type === 'OnDelete') return { actions, retryInMs };
  // RollingUpdate.
  const desired = states.filter((s) => s.should.shouldRun).length;
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaled(ru?.maxSurge, desired, 0);
  const maxUnavailable = scaled(ru?.maxUnavailable, desired, maxSurge ? 0 : 1);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const touched = new Set(actions.map((a) => (a.kind === 'create' ? a.node : a.pod)));
  let unavailable = 0;
  const candidates: { state: NodeState; old: Pod; newPod?: Pod }[] = [];
  for (const s of states) {
    if (!s.should.shouldRun) continue;
    const alive = s.pods.filter((p) => p.status?.phase !== 'Failed' && !isTerminal(p));
    const old = alive.find((p) => p.metadata?.labels?.[REVISION_LABEL] !== hash);
    const fresh = alive.find((p) => p.metadata?.labels?.[REVISION_LABEL] === hash);
    const available = alive.some((p) => availableIn(p, minReady, now) === 0);
    if (!available) unavailable++;
    if (old) candidates.push({ state: s, old, newPod: fresh });
  }
  if (maxSurge > 0) {
    // Surge: a new pod beside the old one; the old one goes once the new one is available.
    let surging = candidates.filter((c) => c.newPod).length;
    for (const c of candidates) {
      if (c.newPod) {
        if (availableIn(c.newPod, minReady, now) === 0) actions.push({ kind: 'delete', pod: c.old.metadata!.name!, why: 'update' });
        continue;
      }
      const oldAvailable = availableIn(c.old, minReady, now) === 0;
      if (!oldAvailable) { actions.push({ kind: 'delete', pod: c.old.metadata!.name!, why: 'update' }); continue; }
      if (surging < maxSurge && !touched.has(c.state.node.metadata!.name!)) {
        actions.push({ kind: 'create', node: c.state.node.metadata!.name! });
        surging++;
      }
    }
    return { actions, retryInMs };
  }
  // maxUnavailable: old pods that are unavailable anyway go first, then available ones within budget.
  let budget = maxUnavailable - unavailable;
  for (const c of candidates) {
    if (touched.has(c.old.metadata!.name!)) continue;
    if (availableIn(c.old, minReady, now) !== 0) actions.push({ kind: 'delete', pod: c.old.metadata!.name!, why: 'update' });
  }
  for (const c of candidates) {
    if (budget <= 0) break;
    if (touched.has(c.old.metadata!.name!) || availableIn(c.old, minReady, now) !== 0) continue;
    actions.push({ kind: 'delete', pod: c.old.metadata!.name!, why: 'update' });
    budget--;
  }
  return { actions, retryInMs };
}

export function daemonSetStatus(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, collisionCount: number, now: number): Mutable<DaemonSetStatus> {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    if (isTerminating(p)) continue;
    const n = podNodeName(p);
    if (n) (byNode.get(n) ?? byNode.set(n, []).get(n)!).push(p);
  }
  const s = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const { shouldRun } = nodeShouldRun(node, ds.spec!.template);
    const mine = byNode.get(name) ?? [];
    if (shouldRun) {
      s.desiredNumberScheduled++;
      if (!mine.length) { s.numberUnavailable++; continue; }
      s.currentNumberScheduled++;
      // The newest pod on the node speaks for it.
      const p = [...mine].sort((a, b) => (b.metadata!.creationTimestamp ?? '').localeCompare(a.metadata!.creationTimestamp ?? ''))[0];
      const ready = availableIn(p, 0, now) === 0;
      if (ready) s.numberReady++;
      if (availableIn(p, minReady, now) === 0) s.numberAvailable++;
      else s.numberUnavailable++;
      if (mine.some((x) => x.metadata?.labels?.[REVISION_LABEL] === hash)) s.updatedNumberScheduled++;
    } else if (mine.length) {
      s.numberMisscheduled++;
    }
  }
  const out: Mutable<DaemonSetStatus> = { ...s, observedGeneration: ds.metadata?.generation };
  if (collisionCount) out.collisionCount = collisionCount;
  if (!out.numberAvailable) delete out.numberAvailable;
  if (!out.numberUnavailable) delete out.numberUnavailable;
  if (!out.updatedNumberScheduled) delete out.updatedNumberScheduled;
  return out;
}

export class DaemonSetController {
  private readonly queue = new WorkQueue();
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly revisions: Informer;
  private readonly podIndex = new OwnedIndex<KubeObject>('DaemonSet');
  private readonly revisionIndex = new OwnedIndex<KubeObject>('DaemonSet');
  private readonly recorder: EventRecorder;
  /** Failed-pod backoff per daemon set uid / node: consecutive failures and when the last was seen. */
  private readonly failures = new Map<string, { count: number; at: number; podUid: string }>();

  constructor(private readonly client: RestClient, private readonly now: () => number = Date.now) {
    this.recorder = new EventRecorder(client, 'daemonset-controller');
    this.sets = new Informer(client, '/apis/apps/v1/daemonsets', (_t, d) => this.queue.add(`${d.metadata.namespace}/${d.metadata.name}`));
    this.pods = new Informer(client, '/api/v1/pods', (type, p) => {
      const owner = this.podIndex.apply(type, p);
      if (owner) this.queue.add(`${p.metadata.namespace}/${owner}`);
    });
    this.revisions = new Informer(client, '/apis/apps/v1/controllerrevisions', (type, r) => { this.revisionIndex.apply(type, r); });
    // Any node change may change where daemons run.
    this.nodes = new Informer(client, '/api/v1/nodes', (type, n, ) => this.onNode(type, n));
  }

  private readonly nodeSignatures = new Map<string, string>();

  private onNode(type: string, n: KubeObject): void {
    const node = n as unknown as Node;
    const name = node.metadata!.name!;
    // Heartbeats change only the status: look at what decides placement (labels, taints, Ready).
    const sig = type === 'DELETED' ? '' : canonicalJson([node.metadata?.labels, node.spec?.taints, node.spec?.unschedulable]);
    if (this.nodeSignatures.get(name) === sig) return;
    if (type === 'DELETED') this.nodeSignatures.delete(name);
    else this.nodeSignatures.set(name, sig);
    for (const d of this.sets.items.values()) this.queue.add(`${d.metadata.namespace}/${d.metadata.name}`);
  }

  async start(): Promise<void> {
    await Promise.all([this.pods.start(), this.revisions.start(), this.nodes.start()]);
    await this.sets.start();
    void this.queue.run((key) => this.reconcile(key), 2);
  }

  stop(): void {
    for (const i of [this.sets, this.pods, this.nodes, this.revisions]) i.stop();
    this.queue.stop();
  }

  private failedBackoff(uid: string, pods: readonly Pod[], now: number): (node: string) => number {
    for (const p of pods) {
      if (p.status?.phase !== 'Failed' || !p.spec?.nodeName) continue;
      const key = `${uid}/${p.spec.nodeName}`;
      const f = this.failures.get(key);
      if (f?.podUid === p.metadata!.uid) continue;
      this.failures.set(key, { count: (f?.count ?? 0) + 1, at: now, podUid: p.metadata!.uid! });
    }
    return (node) => {
      const f = this.failures.get(`${uid}/${node}`);
      if (!f) return 0;
      return Math.max(0, f.at + Math.min(FAILED_BACKOFF_MAX_MS, FAILED_BACKOFF_BASE_MS * 2 ** (f.count - 1)) - now);
    };
  }

  async reconcile(key: string): Promise<void> {
    const ds = this.sets.items.get(key) as unknown as D | undefined;
    if (!ds || ds.metadata?.deletionTimestamp) return;
    const uid = ds.metadata!.uid!;
    const ns = ds.metadata!.namespace!;
    let selector;
    try {
      selector = selectorFromLabelSelector(ds.spec?.selector);
    } catch {
      return;
    }
    const now = this.now();
    const pods = (this.podIndex.of(uid) as unknown as Pod[]).filter((p) => selector.matches(p.metadata?.labels));
    const nodes = [...this.nodes.items.values()] as unknown as Node[];
    const revisions = this.revisionIndex.of(uid) as unknown as Revision[];
    const owner: RevisionOwner = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata! };
    const { revision, collisionCount } = await ensureRevision(this.client, owner, ds.spec!.template, revisions, ds.status?.collisionCount ?? 0);
    const hash = revision.metadata!.labels?.[HASH_LABEL] ?? revision.metadata!.name!.slice(ds.metadata!.name!.length + 1);
    const { actions, retryInMs } = planDaemonSet(ds, nodes, pods, hash, now, this.failedBackoff(uid, pods, now));
    const results = await Promise.allSettled(actions.map((a) => this.act(ds, a, hash)));
    if (retryInMs !== undefined) this.queue.addAfter(key, retryInMs + 50);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady) this.queue.addAfter(key, minReady * 1000);
    const all = revisions.some((r) => r.metadata!.name === revision.metadata!.name) ? revisions : [...revisions, revision];
    const live = new Set([revision.metadata!.name!, ...all.filter((r) => pods.some((p) => p.metadata?.labels?.[REVISION_LABEL] === r.metadata?.labels?.[HASH_LABEL])).map((r) => r.metadata!.name!)]);
    await truncateHistory(this.client, all, live, ds.spec?.revisionHistoryLimit ?? 10);
    const status = daemonSetStatus(ds, nodes, (this.podIndex.of(uid) as unknown as Pod[]).filter((p) => selector.matches(p.metadata?.labels)), hash, collisionCount, now);
    if (canonicalJson(status) !== canonicalJson(ds.status ?? {})) {
      await this.client.put(`/apis/apps/v1/namespaces/${ns}/daemonsets/${ds.metadata!.name}/status`, { ...ds, status });
    }
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
  }

  private async act(ds: D, a: DaemonAction, hash: string): Promise<void> {
    const m = ds.metadata!;
    if (a.kind === 'create') {
      const pod = daemonPod(ds, ds.spec!.template, hash, a.node);
      try {
        const made = await this.client.post<Pod>(`/api/v1/namespaces/${m.namespace}/pods`, pod);
        this.podIndex.apply('ADDED', made as unknown as KubeObject); // so the next pass does not create it again
        this.recorder.record(ds as unknown as KubeObject, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata!.name}`);
      } catch (e) {
        this.recorder.record(ds as unknown as KubeObject, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
      return;
    }
    await this.client.delete(`/api/v1/namespaces/${m.namespace}/pods/${a.pod}`).then(
      () => this.recorder.record(ds as unknown as KubeObject, 'Normal', 'SuccessfulDelete', `Deleted pod: ${a.pod}`),
      (e) => { if (!(e instanceof ApiError && e.code === 404)) throw e; },
    );
  }
}
