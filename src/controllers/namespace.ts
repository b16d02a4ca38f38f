// Namespace lifecycle: when a namespace is deleted (Terminating), delete every namespaced object in
// it through the API, wait until they are gone, then clear spec.finalizers via /finalize, which
// lets the API server remove the namespace. Level-triggered: any pass may be interrupted and rerun.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/strategy.js';
import { KUBERNETES_FINALIZER } from '../api/resources/namespaces.js';
import { isNotFound } from '../api/errors.js';
import { ReconcileLoop } from '../client/controller.js';
import type { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { preferredResources } from '../client/discovery.js';
import { R, resource } from '../client/typed.js';

/** How long to wait before checking again whether a terminating namespace is empty. */
const RECHECK_MS = 500;

export class NamespaceController extends ReconcileLoop {
  private readonly informer: Informer;

  constructor(client: RestClient) {
    super(client);
    this.informer = this.inform(R.namespaces, (_type, ns) => {
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
    });
  }

  protected override async reconcile(name: string): Promise<void> {
    const ns = this.informer.items.get(name) as (KubeObject & Namespace) | undefined;
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    // Namespaced resources that can be listed and deleted, found through discovery as upstream does.
    for (const r of (await preferredResources(this.client, ['list', 'delete'])).filter((d) => d.namespaced)) {
      const objects = resource(this.client, r, name);
      const list = await objects.list();
      remaining += list.items.length;
      for (const item of list.items) {
        if (item.metadata.deletionTimestamp) continue;
        await objects.delete(item.metadata.name!, { propagationPolicy: 'Background' }).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      }
    }
    if (remaining > 0) {
      this.queue.addAfter(name, RECHECK_MS);
      return;
    }
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
    await resource(this.client, R.namespaces).updateSub(name, 'finalize', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers } }).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}
