// What the filters and scores need from a pod, worked out once per scheduling attempt (and once per
// pod for the node accounting) instead of once per node.
import type { NodeSelector, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { podHostPorts, type HostPort } from './hostports.js';
import { podRequests, type PodRequests } from './resources.js';

export interface PodInfo {
  /** namespace/name */
  readonly key: string;
  readonly requests: PodRequests;
  readonly hostPorts: readonly HostPort[];
  readonly tolerations: readonly Toleration[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly requiredNodeAffinity?: NodeSelector;
  readonly preemptionPolicy?: string;
}

export const podKey = (pod: Pod): string => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

export function podInfo(pod: Pod): PodInfo {
  const spec = pod.spec ?? { containers: [] };
  return {
    key: podKey(pod),
    requests: podRequests(spec),
    hostPorts: podHostPorts(spec),
    tolerations: spec.tolerations ?? [],
    nodeSelector: spec.nodeSelector,
    requiredNodeAffinity: spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    preemptionPolicy: spec.preemptionPolicy,
  };
}
