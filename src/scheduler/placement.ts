// One scheduling decision: filter nodes starting where the last decision stopped, stop once enough
// feasible nodes are found (upstream's adaptive percentageOfNodesToScore), and score those.
import { runFilters, type FilterFailure } from './filters.js';
import { unschedulableMessage } from './message.js';
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';
import { selectNode } from './selectnode.js';

const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;

/** All of a small cluster; of a large one a share shrinking from 50% towards 5% as it grows, never under 100 nodes. */
export function feasibleNodesToFind(totalNodes: number): number {
  if (totalNodes < MIN_FEASIBLE_NODES) return totalNodes;
  const percentage = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.floor(totalNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES, Math.floor((totalNodes * percentage) / 100));
}

export type Placement =
  /** `evaluated` nodes were filtered from `start` on: where the next search should begin. */
  | { node: NodeInfo; evaluated: number }
  | { message: string };

export function findPlacement(pod: PodInfo, nodes: readonly NodeInfo[], start: number, random?: () => number): Placement {
  const wanted = feasibleNodesToFind(nodes.length);
  const feasible: NodeInfo[] = [];
  const failures: FilterFailure[] = [];
  let evaluated = 0;
  for (; evaluated < nodes.length && feasible.length < wanted; evaluated++) {
    const node = nodes[(start + evaluated) % nodes.length];
    const failure = runFilters(pod, node);
    if (failure) failures.push(failure);
    else feasible.push(node);
  }
  if (!feasible.length) return { message: unschedulableMessage(nodes.length, failures, pod.preemptionPolicy) };
  return { node: selectNode(pod, feasible, random), evaluated };
}
