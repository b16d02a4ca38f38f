// The unschedulable message as upstream's FitError prints it: a sorted histogram of the filters'
// reasons over all nodes, then the preemption part. tinykube does not preempt, so a node that
// preemption could help (ports, resources) reports what upstream says when it finds no
// lower-priority pod to evict there.
import type { FilterFailure } from './filters.js';

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';
const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';
/** Upstream truncates event messages to the Event note limit. */
const EVENT_MESSAGE_LIMIT = 1024;

function histogram(totalNodes: number, reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  // Go's sort.Strings order, counts included: "10 x" sorts before "2 y".
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${totalNodes} nodes are available: ${parts.join(', ')}.`;
}

export function unschedulableMessage(totalNodes: number, failures: readonly FilterFailure[], preemptionPolicy?: string): string {
  if (totalNodes === 0) return NO_NODES_MESSAGE;
  const filters = histogram(totalNodes, failures.flatMap((f) => f.reasons));
  const preemption = preemptionPolicy === 'Never'
    ? 'not eligible due to preemptionPolicy=Never.'
    : histogram(totalNodes, failures.map((f) => (f.unresolvable ? PREEMPTION_NOT_HELPFUL : NO_PREEMPTION_VICTIMS)));
  return `${filters} preemption: ${preemption}`;
}

export const truncateForEvent = (message: string): string =>
  message.length <= EVENT_MESSAGE_LIMIT ? message : `${message.slice(0, EVENT_MESSAGE_LIMIT - 4)} ...`;
