// NodeResourcesFit: one more pod must fit the node's pod count, and each resource the pod requests
// must fit what is allocatable minus what the pods already there request. Every shortfall is a
// reason of its own, in upstream's order (pods first, then the order podRequests gives).
import type { Filter } from './filter.js';

export const resourcesFilter: Filter = (pod, node) => {
  let reasons: string[] | undefined;
  if (node.podCount + 1 > (node.allocatable.pods ?? 0)) reasons = ['Too many pods'];
  const wanted = pod.requests.amounts;
  // for…in, not Object.entries: this runs for every node of every decision and must not allocate.
  for (const name in wanted) {
    if (name !== 'pods' && wanted[name] > (node.allocatable[name] ?? 0) - (node.requested[name] ?? 0)) (reasons ??= []).push(`Insufficient ${name}`);
  }
  return reasons && { reasons, unresolvable: false };
};
