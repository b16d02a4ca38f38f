// The scheduler's view of the cluster: every node, and every pod that holds resources on one —
// bound pods from the informer, and "assumed" pods this scheduler has chosen a node for but whose
// binding the informer has not shown yet. Assuming at once keeps concurrent decisions from
// double-booking a node while bindings are in flight.
import type { Node } from 'kubernetes-types/core/v1.js';
import { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

interface Placed {
  readonly nodeName: string;
  readonly info: PodInfo;
  assumed: boolean;
}

export class SchedulerCache {
  private readonly infos = new Map<string, NodeInfo>();
  /** Nodes the informer shows, in a stable order for the rotating search. */
  private readonly listed: NodeInfo[] = [];
  private readonly placed = new Map<string, Placed>();

  get nodes(): readonly NodeInfo[] {
    return this.listed;
  }

  /** Adds or updates a node; returns whether it is new or changed in a way that may fit pods it did not fit before. */
  setNode(node: Node): boolean {
    const name = node.metadata!.name!;
    const info = this.nodeInfo(name);
    if (!info.node) this.listed.push(info);
    return info.setNode(node);
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info?.node) return;
    this.listed.splice(this.listed.indexOf(info), 1);
    info.node = undefined;
    // Pods still bound there keep their accounting until they go, in case the node comes back.
    if (!info.podCount) this.infos.delete(name);
  }

  /** Records that pod `key` runs on `nodeName` (confirming an assumption); `info` is worked out only when needed. */
  setBoundPod(key: string, nodeName: string, info: () => PodInfo): void {
    const prior = this.placed.get(key);
    if (prior?.nodeName === nodeName) {
      prior.assumed = false;
      return;
    }
    if (prior) this.removePod(key);
    this.place(key, { nodeName, info: info(), assumed: false });
  }

  /** Counts `pod` on `nodeName` before its binding is written. */
  assume(pod: PodInfo, nodeName: string): void {
    this.place(pod.key, { nodeName, info: pod, assumed: true });
  }

  isAssumed(key: string): boolean {
    return this.placed.get(key)?.assumed === true;
  }

  /** Drops an assumption whose binding failed; a pod the informer shows bound stays. */
  forget(key: string): void {
    if (this.isAssumed(key)) this.removePod(key);
  }

  /** Stops counting pod `key`; returns whether it held resources on a node, which may now fit other pods. */
  removePod(key: string): boolean {
    const prior = this.placed.get(key);
    if (!prior) return false;
    this.placed.delete(key);
    const info = this.infos.get(prior.nodeName)!;
    info.removePod(prior.info);
    if (!info.node && !info.podCount) this.infos.delete(prior.nodeName);
    return true;
  }

  private place(key: string, placed: Placed): void {
    this.placed.set(key, placed);
    this.nodeInfo(placed.nodeName).addPod(placed.info);
  }

  private nodeInfo(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) this.infos.set(name, (info = new NodeInfo(name)));
    return info;
  }
}
