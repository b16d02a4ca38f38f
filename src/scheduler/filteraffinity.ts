// NodeAffinity: spec.nodeSelector and the required node affinity must both match the node.
import { nodeLabelsMatch, nodeSelectorMatches } from '../api/nodeaffinity.js';
import type { Filter } from './filter.js';

export const AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector";

export const nodeAffinityFilter: Filter = (pod, node) => {
  const ok = (!pod.nodeSelector || nodeLabelsMatch(pod.nodeSelector, node.labels))
    && (!pod.requiredNodeAffinity || nodeSelectorMatches(pod.requiredNodeAffinity, node));
  return ok ? undefined : { reasons: [AFFINITY_REASON], unresolvable: true };
};
