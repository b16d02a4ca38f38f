// Picks the best-scoring feasible node; ties go to a uniformly random one among them, so equal
// nodes share the load instead of the first one taking every pod.
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';
import { leastAllocatedScore } from './scoreleastallocated.js';
import { taintScores, untoleratedPreferNoSchedule } from './scoretaints.js';

/** Upstream's default plugin weights. */
const LEAST_ALLOCATED_WEIGHT = 1;
const TAINT_TOLERATION_WEIGHT = 3;

export function selectNode(pod: PodInfo, feasible: readonly NodeInfo[], random: () => number = Math.random): NodeInfo {
  if (feasible.length === 1) return feasible[0];
  const taints = taintScores(feasible.map((node) => untoleratedPreferNoSchedule(pod, node)));
  let best = -1;
  let ties = 0;
  let chosen = feasible[0];
  feasible.forEach((node, i) => {
    const score = LEAST_ALLOCATED_WEIGHT * leastAllocatedScore(pod, node) + TAINT_TOLERATION_WEIGHT * taints[i];
    if (score > best) {
      best = score;
      ties = 1;
      chosen = node;
    } else if (score === best && random() * ++ties < 1) {
      // Reservoir sampling: the k-th tie replaces the choice with probability 1/k.
      chosen = node;
    }
  });
  return chosen;
}
