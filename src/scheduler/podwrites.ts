// What the scheduler writes about a pod: its binding, and the PodScheduled=False condition.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../client/rest.js';
import { pods } from '../client/typed.js';

/** The API server sets spec.nodeName and PodScheduled=True. */
export async function bindPod(client: RestClient, pod: Pod, nodeName: string): Promise<void> {
  await pods(client, pod.metadata!.namespace).createSub(pod.metadata!.name!, 'binding', {
    apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata!.name },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  });
}

/** The PodScheduled=False condition to write, or undefined when the pod already says exactly that. */
export function podScheduledFalse(pod: Pod, reason: string, message: string, now: string): PodCondition | undefined {
  const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (current?.status === 'False' && current.reason === reason && current.message === message) return undefined;
  const since = current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : now;
  return { type: 'PodScheduled', status: 'False', reason, message, lastTransitionTime: since };
}

/** A strategic merge patch merges conditions by type, so the pod's other conditions stay as they are. */
export async function writePodCondition(client: RestClient, pod: Pod, condition: PodCondition): Promise<void> {
  await pods(client, pod.metadata!.namespace).patchStatus(pod.metadata!.name!, { status: { conditions: [condition] } }, 'application/strategic-merge-patch+json');
}
