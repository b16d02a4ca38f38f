// One node as the scheduler sees it: the facts the filters read, and what the pods placed there use,
// kept up to date one pod at a time so a decision never sums over a node's pods.
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { UsedPorts } from './hostports.js';
import type { PodInfo } from './podinfo.js';
import { nodeAllocatable, type ResourceAmounts } from './resources.js';
import { effectiveTaints } from '../api/taints.js';

export class NodeInfo {
  /** Undefined while pods are bound to a node the informer has not shown (or no longer shows). */
  node?: Node;
  labels: Readonly<Record<string, string>> = {};
  taints: readonly Taint[] = [];
  unschedulable = false;
  allocatable: ResourceAmounts = {};
  readonly requested: ResourceAmounts = {};
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  podCount = 0;
  readonly usedPorts = new UsedPorts();
  private signature = '';

  constructor(readonly name: string) {}

  /** Takes a new version of the node; returns whether anything the filters and scores read changed. */
  setNode(node: Node): boolean {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.taints = effectiveTaints(node);
    this.unschedulable = node.spec?.unschedulable === true;
    this.allocatable = nodeAllocatable(node);
    const signature = JSON.stringify([this.labels, this.taints, this.unschedulable, this.allocatable]);
    const changed = signature !== this.signature;
    this.signature = signature;
    return changed;
  }

  addPod(pod: PodInfo): void {
    this.account(pod, 1);
    this.usedPorts.add(pod.hostPorts);
  }

  removePod(pod: PodInfo): void {
    this.account(pod, -1);
    this.usedPorts.remove(pod.hostPorts);
  }

  private account(pod: PodInfo, sign: 1 | -1): void {
    for (const [name, v] of Object.entries(pod.requests.amounts)) this.requested[name] = (this.requested[name] ?? 0) + sign * v;
    this.nonZeroMilliCpu += sign * pod.requests.nonZeroMilliCpu;
    this.nonZeroMemory += sign * pod.requests.nonZeroMemory;
    this.podCount += sign;
  }
}

/** A NodeInfo for `node` with `pods` placed on it. */
export function nodeInfoOf(node: Node, pods: readonly PodInfo[] = []): NodeInfo {
  const info = new NodeInfo(node.metadata?.name ?? '');
  info.setNode(node);
  for (const p of pods) info.addPod(p);
  return info;
}
