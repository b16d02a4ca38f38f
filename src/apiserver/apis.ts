// The API group/versions this server serves: for each, its resources (what discovery lists) and
// the handler its requests go to (the REST handler over stored registries, or an API of its own
// such as metrics.k8s.io).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../api/resource.js';
import type { ResourceRequest } from './requestinfo.js';

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, info: ResourceRequest, query: URLSearchParams) => Promise<void>;

const groupVersion = (group: string, version: string): string => `${group}/${version}`;

export class ServedApis {
  private readonly handlers = new Map<string, ApiHandler>();
  private readonly served: ResourceInfo[] = [];

  /** Serves `resources` through `handler`; a group/version has one handler. */
  register(resources: readonly ResourceInfo[], handler: ApiHandler): void {
    for (const r of resources) {
      const gv = groupVersion(r.group, r.version);
      const existing = this.handlers.get(gv);
      if (existing && existing !== handler) throw new Error(`${gv} is already served by another handler`);
      this.handlers.set(gv, handler);
      this.served.push(r);
    }
  }

  handlerFor(group: string, version: string): ApiHandler | undefined {
    return this.handlers.get(groupVersion(group, version));
  }

  /** Every served resource, in the order registered: what discovery lists. */
  get resources(): readonly ResourceInfo[] {
    return this.served;
  }
}
