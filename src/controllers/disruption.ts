// The disruption controller, as upstream's (pkg/controller/disruption): the status of every
// PodDisruptionBudget from the pods its selector picks — expected pods, how many are healthy
// (Ready), how many must be (minAvailable, or expected − maxUnavailable; percentages of the expected
// pods, rounded up) and so how many may be disrupted now. Pods an eviction just took (in
// status.disruptedPods) do not count as healthy until they are gone, or for two minutes.
// Simplification: the expected count is the number of matching pods, where upstream asks the
// pods' controllers for their scale.
import { isDeepStrictEqual } from 'node:util';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { selectorFromLabelSelector } from '../api/labels.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { scaledValue } from '../api/resources/workloads.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { isConflict, isNotFound, isPodReady, objectKey, splitKey, type PodObj } from './replicaset.js';
import { WorkQueue } from '../client/workqueue.js';
import { metaTime } from '../api/time.js';

type PdbObj = Mutable<PodDisruptionBudget> & KubeObject;

/** How long an evicted pod stays out of the healthy count while it is still there (upstream's DeletionTimeout). */
const DISRUPTION_TIMEOUT_MS = 2 * 60_000;
const RESYNC_MS = 30_000;

/** The budget's status for these pods (those of its namespace); `now` in ms. */
export function budgetStatus(pdb: PdbObj, pods: PodObj[], now: number): Mutable<PodDisruptionBudgetStatus> {
  const spec = pdb.spec ?? {};
  const selector = spec.selector ? selectorFromLabelSelector(spec.selector) : undefined;
  const matching = selector ? pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && selector.matches(p.metadata.labels ?? {})) : [];
  // Evictions not yet seen through: the pod still there, the entry recent.
  const disrupted: Record<string, string> = {};
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    if (matching.some((p) => p.metadata.name === name) && now - Date.parse(at) < DISRUPTION_TIMEOUT_MS) disrupted[name] = at;
  }
  const expected = matching.length;
  const healthy = matching.filter((p) => isPodReady(p) && !disrupted[p.metadata.name!]).length;
  const desired = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null
    ? Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true))
    : scaledValue(spec.minAvailable ?? 0, expected, true);
  const allowed = Math.max(0, healthy - desired);
  const previous = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const condStatus = allowed > 0 ? 'True' : 'False';
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected,
    conditions: [{
      type: 'DisruptionAllowed', status: condStatus, reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods', message: '',
      observedGeneration: pdb.metadata.generation ?? 1,
      lastTransitionTime: previous?.status === condStatus ? previous.lastTransitionTime : metaTime(now),
    }],
  };
}

export class DisruptionController {
  private readonly queue = new WorkQueue();
  private readonly pdbs: Informer<PdbObj>;
  private readonly pods: Informer<PodObj>;
  private resync?: NodeJS.Timeout;

  constructor(private readonly client: RestClient) {
    this.pdbs = new Informer<PdbObj>(client, '/apis/policy/v1/poddisruptionbudgets', (_type, pdb) => this.queue.add(objectKey(pdb)));
    // Any pod change in a namespace may change its budgets; budgets are few.
    this.pods = new Informer<PodObj>(client, '/api/v1/pods', (_type, pod) => {
      for (const pdb of this.pdbs.items.values()) if (pdb.metadata.namespace === pod.metadata.namespace) this.queue.add(objectKey(pdb));
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.pdbs.start(), this.pods.start()]);
    void this.queue.run((key) => this.reconcile(key), 1);
    // Disrupted-pod entries time out without an event.
    this.resync = setInterval(() => { for (const key of this.pdbs.items.keys()) this.queue.add(key); }, RESYNC_MS);
  }

  stop(): void {
    clearInterval(this.resync);
    this.pdbs.stop();
    this.pods.stop();
    this.queue.stop();
  }

  private async reconcile(key: string): Promise<void> {
    const pdb = this.pdbs.items.get(key);
    if (!pdb) return;
    const [ns, name] = splitKey(key);
    const pods = [...this.pods.items.values()].filter((p) => p.metadata.namespace === ns);
    const status = budgetStatus(pdb, pods, Date.now());
    if (isDeepStrictEqual(status, pdb.status)) return;
    try {
      await this.client.put(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${name}/status`, { ...pdb, status });
    } catch (e) {
      if (isConflict(e)) { this.queue.addAfter(key, 200); return; }
      if (isNotFound(e)) return;
      throw e;
    }
  }
}
