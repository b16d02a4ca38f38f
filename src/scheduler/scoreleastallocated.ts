// NodeResourcesLeastAllocated: prefer the node with the most cpu and memory left once the pod is on
// it, each resource scored 0–100 and weighted equally, as upstream's default scoring strategy.
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

export const MAX_NODE_SCORE = 100;

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/**
 * Counts requests with upstream's non-zero defaults, so pods that request nothing still spread out.
 * A resource the node does not report is left out rather than scored 0.
 */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const cpu = node.allocatable.cpu ?? 0;
  const memory = node.allocatable.memory ?? 0;
  const resources = (cpu ? 1 : 0) + (memory ? 1 : 0);
  if (!resources) return 0;
  const sum = leastRequested(node.nonZeroMilliCpu + pod.requests.nonZeroMilliCpu, cpu)
    + leastRequested(node.nonZeroMemory + pod.requests.nonZeroMemory, memory);
  return Math.floor(sum / resources);
}
