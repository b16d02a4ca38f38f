// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import type { Filter } from './filter.js';
import { tolerated } from '../api/taints.js';

export const UNSCHEDULABLE_REASON = 'node(s) were unschedulable';
const CORDON_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const unschedulableFilter: Filter = (pod, node) =>
  node.unschedulable && !tolerated(pod.tolerations, CORDON_TAINT) ? { reasons: [UNSCHEDULABLE_REASON], unresolvable: true } : undefined;
