// What every component asks of a pod: its phase (terminal, active), its conditions (Ready, available
// for minReadySeconds), and whether an init container is a sidecar. Upstream's podutil predicates.
import type { Container, Pod, PodCondition } from 'kubernetes-types/core/v1.js';

/** A pod as far as these predicates read it (the controllers' mutable pod types fit). */
type PodLike = Pick<Pod, 'status'> & { metadata?: { deletionTimestamp?: string } };

/** The condition of `type` in a conditions list (pods, nodes, workloads), if any. */
export const findCondition = <C extends { type: string }>(conditions: readonly C[] | undefined, type: string): C | undefined =>
  conditions?.find((c) => c.type === type);

export const podCondition = (pod: PodLike, type: string): PodCondition | undefined => findCondition(pod.status?.conditions, type);

/** Succeeded and Failed are final: nothing runs again. */
export const isTerminalPhase = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';

export const isPodTerminal = (pod: PodLike): boolean => isTerminalPhase(pod.status?.phase);

/** Not finished and not being deleted (upstream's IsPodActive). */
export const isPodActive = (pod: PodLike): boolean => !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp;

export const isPodReady = (pod: PodLike): boolean => podCondition(pod, 'Ready')?.status === 'True';

/** Ready for at least minReadySeconds (upstream's IsPodAvailable). */
export function isPodAvailable(pod: PodLike, minReadySeconds: number, now = Date.now()): boolean {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** A sidecar: an init container with restartPolicy Always, which starts in order and then runs beside the app containers. */
export const isSidecar = (c: Container | undefined): boolean => c?.restartPolicy === 'Always';
