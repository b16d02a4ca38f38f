// Keeps this machine's Node object and Lease: registers the node, renews its Lease in
// kube-node-lease every 10 s (the heartbeat the node lifecycle controller watches) and reports the
// Ready condition with its status.
import { isAlreadyExists, isNotFound } from '../api/errors.js';
import type { RestClient } from '../client/rest.js';
import type { NodeFacts } from './nodeinfo.js';
import { metaTime, microTime } from '../api/time.js';

export const LEASE_DURATION_S = 40;
export const LEASE_RENEW_MS = 10_000;
/** Upstream reports unchanged node status every 5 minutes; the Lease carries the heartbeat between. */
const STATUS_REFRESH_MS = 5 * 60_000;

export interface NodeOptions {
  name: string;
  labels: Record<string, string>;
  podCidr: string;
  facts: NodeFacts;
  /** Port of the agent's streaming server (logs, exec, port-forward), published as the kubelet endpoint. */
  streamingPort?: number;
}

export class NodeHeartbeat {
  private timers: NodeJS.Timeout[] = [];
  private readonly readySince = metaTime();

  constructor(private readonly client: RestClient, private readonly opts: NodeOptions) {}

  private conditions() {
    const now = metaTime();
    const condition = (type: string, status: string, reason: string, message: string) =>
      ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: this.readySince });
    return [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ];
  }

  private status() {
    const { facts } = this.opts;
    return { capacity: facts.capacity, allocatable: facts.capacity, addresses: facts.addresses, nodeInfo: facts.nodeInfo, conditions: this.conditions(), daemonEndpoints: { kubeletEndpoint: { Port: this.opts.streamingPort ?? 0 } } };
  }

  /** Creates the Node, or takes over an existing one with this name (labels merged, status replaced). */
  async register(): Promise<void> {
    const { name, labels, podCidr } = this.opts;
    const path = `/api/v1/nodes/${name}`;
    try {
      await this.client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { podCIDR: podCidr, podCIDRs: [podCidr] }, status: this.status() });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      await this.client.patch(path, { metadata: { labels }, spec: { podCIDR: podCidr, podCIDRs: [podCidr] } });
    }
    await this.reportStatus();
    await this.renewLease();
  }

  reportStatus(): Promise<unknown> {
    return this.client.patch(`/api/v1/nodes/${this.opts.name}/status`, { status: this.status() });
  }

  async renewLease(): Promise<void> {
    const { name } = this.opts;
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    const spec = { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime: microTime() };
    try {
      await this.client.patch(path, { spec });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.client.post('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec });
    }
  }

  start(): void {
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch(() => {}), ms);
      t.unref();
      this.timers.push(t);
    };
    every(LEASE_RENEW_MS, () => this.renewLease());
    every(STATUS_REFRESH_MS, () => this.reportStatus());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
