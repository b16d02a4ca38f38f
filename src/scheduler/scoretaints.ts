// TaintToleration scoring: fewer untolerated PreferNoSchedule taints is better. Counts become
// 0–100 scores relative to the worst feasible node, as upstream's reverse normalisation.
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';
import { MAX_NODE_SCORE } from './scoreleastallocated.js';
import { tolerated } from '../api/taints.js';

export const untoleratedPreferNoSchedule = (pod: PodInfo, node: NodeInfo): number =>
  node.taints.filter((t) => t.effect === 'PreferNoSchedule' && !tolerated(pod.tolerations, t)).length;

export function taintScores(counts: readonly number[]): number[] {
  const worst = Math.max(0, ...counts);
  if (worst === 0) return counts.map(() => MAX_NODE_SCORE);
  return counts.map((n) => MAX_NODE_SCORE - Math.floor((MAX_NODE_SCORE * n) / worst));
}
