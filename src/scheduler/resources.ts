// What a pod requests and what a node offers, as upstream's scheduler counts them: cpu in
// millicores, everything else in base units.
import type { Container, Node, PodSpec } from 'kubernetes-types/core/v1.js';
import { quantityMilliValue, quantityValue } from '../api/quantity.js';

/** Amounts by resource name: `cpu` in millicores, the rest (memory, pods, extended) in base units. */
export type ResourceAmounts = Record<string, number>;

export interface PodRequests {
  /** Requested amounts in the order the fit filter checks them, zero entries left out. */
  readonly amounts: ResourceAmounts;
  /** cpu and memory with upstream's defaults (100m, 200Mi) for containers that request none, so scoring spreads best-effort pods too. */
  readonly nonZeroMilliCpu: number;
  readonly nonZeroMemory: number;
}

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

type QuantityMap = Readonly<Record<string, string | number>> | undefined;

function toAmounts(list: QuantityMap): ResourceAmounts {
  const out: ResourceAmounts = {};
  for (const [name, q] of Object.entries(list ?? {})) out[name] = name === 'cpu' ? quantityMilliValue(q) : quantityValue(q);
  return out;
}

function addInto(target: ResourceAmounts, more: ResourceAmounts): void {
  for (const [name, v] of Object.entries(more)) target[name] = (target[name] ?? 0) + v;
}

function maxInto(target: ResourceAmounts, other: ResourceAmounts): void {
  for (const [name, v] of Object.entries(other)) target[name] = Math.max(target[name] ?? 0, v);
}

/**
 * The pod's effective request: its containers run together; init containers run one at a time
 * beside the sidecars (restartPolicy Always init containers) started before them, so the pod needs
 * the larger of the two phases, plus its overhead.
 */
function effectiveRequest(spec: PodSpec, perContainer: (c: Container) => ResourceAmounts): ResourceAmounts {
  const total: ResourceAmounts = {};
  for (const c of spec.containers ?? []) addInto(total, perContainer(c));
  const sidecars: ResourceAmounts = {};
  const initPeak: ResourceAmounts = {};
  for (const c of spec.initContainers ?? []) {
    const own = perContainer(c);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      const phase = { ...sidecars };
      addInto(phase, own);
      maxInto(initPeak, phase);
    }
  }
  addInto(total, sidecars);
  maxInto(total, initPeak);
  addInto(total, toAmounts(spec.overhead));
  return total;
}

function nonZeroCpuMemory(c: Container): ResourceAmounts {
  const requests = c.resources?.requests ?? {};
  return {
    cpu: requests.cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : quantityMilliValue(requests.cpu),
    memory: requests.memory === undefined ? DEFAULT_MEMORY_REQUEST : quantityValue(requests.memory),
  };
}

/** Upstream's NodeResourcesFit checks (and reports) these first, then the rest in request order. */
const CHECKED_FIRST = ['cpu', 'memory', 'ephemeral-storage'];

export function podRequests(spec: PodSpec): PodRequests {
  const requested = effectiveRequest(spec, (c) => toAmounts(c.resources?.requests));
  const names = [...CHECKED_FIRST.filter((n) => n in requested), ...Object.keys(requested).filter((n) => !CHECKED_FIRST.includes(n))];
  const amounts: ResourceAmounts = {};
  for (const name of names) if (requested[name] !== 0) amounts[name] = requested[name];
  const nonZero = effectiveRequest(spec, nonZeroCpuMemory);
  return { amounts, nonZeroMilliCpu: nonZero.cpu ?? 0, nonZeroMemory: nonZero.memory ?? 0 };
}

/** What the node offers pods: status.allocatable, including the `pods` count. */
export const nodeAllocatable = (node: Node): ResourceAmounts => toAmounts(node.status?.allocatable);
