// NodePorts: the pod's host ports must be free on the node. Evicting the holder would free them,
// so upstream counts this as resolvable by preemption.
import type { Filter } from './filter.js';

export const PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";

export const hostPortsFilter: Filter = (pod, node) =>
  pod.hostPorts.some((p) => node.usedPorts.conflicts(p)) ? { reasons: [PORTS_REASON], unresolvable: false } : undefined;
