// Taints and tolerations, and the taints a node's conditions imply.
import type { Node, Taint, Toleration } from 'kubernetes-types/core/v1.js';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (!t.operator || t.operator === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

export const tolerated = (tolerations: readonly Toleration[], taint: Taint): boolean => tolerations.some((t) => tolerates(t, taint));

/** Condition → status → the NoSchedule taint upstream's node lifecycle controller puts on such a node. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: 'node.kubernetes.io/not-ready', Unknown: 'node.kubernetes.io/unreachable' },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
};

/**
 * The node's taints plus those its conditions imply. Upstream's scheduler never reads conditions:
 * the kubelet registers a node tainted not-ready and the lifecycle controller keeps condition taints
 * in step. Deriving them here keeps a not-Ready node free of new pods (with the same message) even
 * when nothing maintains those taints; a node that has not reported Ready yet counts as not-ready.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const conditions = node.status?.conditions ?? [];
  const implied = conditions.flatMap((c) => CONDITION_TAINTS[c.type]?.[c.status] ?? []);
  if (!conditions.some((c) => c.type === 'Ready')) implied.push(CONDITION_TAINTS.Ready.False);
  for (const key of implied) {
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}
