// pods/eviction (policy/v1 Eviction), what `kubectl drain` posts: a delete that first asks the pod's
// PodDisruptionBudget. Allowed while the budget has disruptions left, which the eviction takes one
// of (recorded in status.disruptedPods until the disruption controller sees the pod go); refused
// with 429 TooManyRequests otherwise, so the client retries. As upstream's EvictionREST: pods that
// already finished or are being deleted go at once, and a pod with two budgets is an error.
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { ApiError, badRequest } from '../api/errors.js';
import { selectorFromLabelSelector } from '../api/labels.js';
import { isPodActive, isPodReady } from '../api/pods.js';
import type { KubeObject } from '../api/strategy.js';
import type { Registry } from './registry.js';
import { metaTime } from '../api/time.js';

export interface EvictionRequest { metadata?: { name?: string }; deleteOptions?: DeleteOptions }

function refused(message: string, cause: string): ApiError {
  return new ApiError(429, 'TooManyRequests', message, { causes: [{ reason: 'DisruptionBudget', message: cause }] as never });
}

/** The budgets of the pod's namespace whose selector picks it (a budget without selector picks none). */
async function budgetsOf(pdbs: Registry, pod: Pod): Promise<PodDisruptionBudget[]> {
  const out: PodDisruptionBudget[] = [];
  for (const c of (await pdbs.list(pod.metadata!.namespace!, {})).items) {
    const pdb = c.obj as PodDisruptionBudget;
    if (pdb.spec?.selector && selectorFromLabelSelector(pdb.spec.selector).matches(pod.metadata?.labels ?? {})) out.push(pdb);
  }
  return out;
}

/** Evicts the pod `namespace/name` if its budget allows; deletes it with the eviction's delete options. */
export async function evict(pods: Registry, pdbs: Registry | undefined, namespace: string, name: string, eviction: EvictionRequest, dryRun: boolean): Promise<void> {
  if (eviction.metadata?.name && eviction.metadata.name !== name) throw badRequest(`name in URL does not match name in Eviction object`);
  const pod = pods.get(namespace, name).obj as Pod;
  const finished = !isPodActive(pod);
  const budgets = finished || !pdbs ? [] : await budgetsOf(pdbs, pod);
  if (budgets.length > 1) throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const pdb = budgets[0];
  // An unready pod does not count as healthy: evicting it costs the budget nothing, if the budget is met or says so.
  const free = pdb && !isPodReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (pdb.status?.currentHealthy ?? 0) >= (pdb.status?.desiredHealthy ?? 0));
  if (pdb && !free) {
    const pdbName = pdb.metadata!.name!;
    await pdbs!.guaranteedUpdate(namespace, pdbName, (obj) => {
      const current = obj as unknown as PodDisruptionBudget & KubeObject;
      const status = { ...(current.status ?? {}) } as NonNullable<PodDisruptionBudget['status']> & { disruptionsAllowed: number; disruptedPods?: Record<string, string> };
      if ((status.observedGeneration ?? 0) < (current.metadata.generation ?? 1)) {
        throw refused("Cannot evict pod as it would violate the pod's disruption budget.", `The disruption budget ${pdbName} is still being processed by the server.`);
      }
      if ((status.disruptionsAllowed ?? 0) <= 0) {
        throw refused("Cannot evict pod as it would violate the pod's disruption budget.",
          `The disruption budget ${pdbName} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
      }
      status.disruptionsAllowed -= 1;
      status.disruptedPods = { ...(status.disruptedPods ?? {}), [name]: metaTime() };
      return { ...current, status } as unknown as KubeObject;
    }, { dryRun, subresource: 'status' });
  }
  await pods.delete(namespace, name, eviction.deleteOptions ?? {}, { dryRun });
}
