// TaintToleration: a node's NoSchedule and NoExecute taints keep out pods that do not tolerate them.
// PreferNoSchedule only lowers the node's score (scoretaints.ts).
import type { Filter } from './filter.js';
import { tolerated } from '../api/taints.js';

export const taintsFilter: Filter = (pod, node) => {
  const taint = node.taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(pod.tolerations, t));
  if (!taint) return undefined;
  return { reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`], unresolvable: true };
};
