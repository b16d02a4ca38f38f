// The flat pod network across machines: each node routes the other nodes' pod CIDRs through their
// InternalIP (as flannel's host-gw backend does). Level-triggered: every Node change recomputes the
// whole wanted set, and the runtime applies the difference. Simulated (hollow) nodes are left out.
import type { Node } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../client/rest.js';
import { Informer } from '../client/informer.js';
import type { KubeObject } from '../api/strategy.js';
import type { NodeRoute } from './runtime/hostnet.js';
import { HOLLOW_LABEL } from './hollow.js';

/** The route to each other real node's pods: its pod CIDR through its InternalIP. */
export function wantedRoutes(nodes: Iterable<Node>, self: string): NodeRoute[] {
  const out: NodeRoute[] = [];
  for (const n of nodes) {
    if (n.metadata?.name === self || n.metadata?.labels?.[HOLLOW_LABEL] === 'true') continue;
    const via = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const cidr = n.spec?.podCIDR;
    if (via && cidr) out.push({ cidr, via });
  }
  return out.sort((a, b) => a.cidr.localeCompare(b.cidr));
}

export class NodeRoutes {
  private informer?: Informer<KubeObject>;
  private syncing?: Promise<void>;
  private again = false;
  private last = '';

  constructor(private readonly client: RestClient, private readonly self: string, private readonly apply: (routes: NodeRoute[]) => Promise<unknown>) {}

  async start(): Promise<void> {
    this.informer = new Informer<KubeObject>(this.client, '/api/v1/nodes', () => this.kick());
    await this.informer.start();
    this.kick();
  }

  stop(): void {
    this.informer?.stop();
  }

  private kick(): void {
    if (this.syncing) { this.again = true; return; }
    this.syncing = this.sync().finally(() => {
      this.syncing = undefined;
      if (this.again) { this.again = false; this.kick(); }
    });
  }

  private async sync(): Promise<void> {
    const wanted = wantedRoutes([...(this.informer?.items.values() ?? [])] as unknown as Node[], this.self);
    const text = JSON.stringify(wanted);
    if (text === this.last) return;
    try {
      await this.apply(wanted);
      this.last = text;
    } catch {
      // the next Node event tries again
    }
  }
}
