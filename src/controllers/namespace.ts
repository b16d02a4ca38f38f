// Namespace lifecycle: when a namespace is deleted (Terminating), delete every namespaced object in
// it through the API, wait until they are gone, then clear spec.finalizers via /finalize, which
// lets the API server remove the namespace. Level-triggered: any pass may be interrupted and rerun.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/strategy.js';
import { KUBERNETES_FINALIZER } from '../api/resources/namespaces.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { WorkQueue } from '../client/workqueue.js';

interface DiscoveredResource { path: string; name: string }

/** How long to wait before checking again whether a terminating namespace is empty. */
const RECHECK_MS = 500;

export class NamespaceController {
  private readonly queue = new WorkQueue();
  private readonly informer: Informer;

  constructor(private readonly client: RestClient) {
    this.informer = new Informer(client, '/api/v1/namespaces', (_type, ns) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    void this.queue.run((name) => this.reconcile(name));
  }

  stop(): void {
    this.informer.stop();
    this.queue.stop();
  }

  /** Namespaced resources that can be listed and deleted, found through discovery as upstream does. */
  private async namespacedResources(): Promise<DiscoveredResource[]> {
    const groups = await this.client.get<{ groups: { preferredVersion: { groupVersion: string } }[] }>('/apis');
    const gvs = ['v1', ...groups.groups.map((g) => g.preferredVersion.groupVersion)];
    const out: DiscoveredResource[] = [];
    for (const gv of gvs) {
      const base = gv === 'v1' ? '/api/v1' : `/apis/${gv}`;
      const list = await this.client.get<{ resources: { name: string; namespaced: boolean; verbs: string[] }[] }>(base);
      for (const r of list.resources) {
        if (r.namespaced && !r.name.includes('/') && r.verbs.includes('list') && r.verbs.includes('delete')) out.push({ path: base, name: r.name });
      }
    }
    return out;
  }

  private async reconcile(name: string): Promise<void> {
    const ns = this.informer.items.get(name) as (KubeObject & Namespace) | undefined;
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const r of await this.namespacedResources()) {
      const url = `${r.path}/namespaces/${name}/${r.name}`;
      const list = await this.client.get<{ items: KubeObject[] }>(url);
      remaining += list.items.length;
      for (const item of list.items) {
        if (item.metadata.deletionTimestamp) continue;
        await this.client.delete(`${url}/${item.metadata.name}`, { propagationPolicy: 'Background' }).catch((e) => {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        });
      }
    }
    if (remaining > 0) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
    await this.client.put(`/api/v1/namespaces/${name}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers } }).catch((e) => {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    });
  }
}
