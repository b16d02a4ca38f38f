// The one place tinykube's components build API paths: a resource (group, version, plural,
// namespaced) and a small typed client over RestClient, so a caller writes
// `pods(client, ns).patchStatus(name, body)` instead of assembling `/api/v1/namespaces/…`.
import type { KubeObject } from '../api/strategy.js';
import type { RestClient } from './rest.js';

export interface ApiResource {
  group: string;
  version: string;
  /** The lower-case plural in the path, e.g. `pods`, `deployments`. */
  plural: string;
  namespaced: boolean;
}

const res = (group: string, version: string, plural: string, namespaced = true): ApiResource => ({ group, version, plural, namespaced });

/** The built-in resources tinykube's own components read and write. */
export const R = {
  pods: res('', 'v1', 'pods'),
  nodes: res('', 'v1', 'nodes', false),
  namespaces: res('', 'v1', 'namespaces', false),
  services: res('', 'v1', 'services'),
  endpoints: res('', 'v1', 'endpoints'),
  events: res('', 'v1', 'events'),
  configmaps: res('', 'v1', 'configmaps'),
  secrets: res('', 'v1', 'secrets'),
  leases: res('coordination.k8s.io', 'v1', 'leases'),
  endpointslices: res('discovery.k8s.io', 'v1', 'endpointslices'),
  replicasets: res('apps', 'v1', 'replicasets'),
  deployments: res('apps', 'v1', 'deployments'),
  statefulsets: res('apps', 'v1', 'statefulsets'),
  daemonsets: res('apps', 'v1', 'daemonsets'),
  controllerrevisions: res('apps', 'v1', 'controllerrevisions'),
  jobs: res('batch', 'v1', 'jobs'),
  cronjobs: res('batch', 'v1', 'cronjobs'),
  poddisruptionbudgets: res('policy', 'v1', 'poddisruptionbudgets'),
} as const;

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/**
 * The path of a resource's collection (namespace given, or all namespaces / cluster-scoped when
 * not), of one object when `name` is given, and of its subresource.
 */
export function resourcePath(r: ApiResource, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(r.group, r.version);
  if (r.namespaced && namespace !== undefined) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** The path of an object itself (its namespace and name from its metadata). */
export function objectPath(r: ApiResource, obj: { metadata?: { namespace?: string; name?: string } }, subresource?: string): string {
  return resourcePath(r, obj.metadata?.namespace, obj.metadata?.name, subresource);
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

/** `?a=b&…` of the parameters that are set, or ''. */
export function queryString(q: object = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export interface ObjectList<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

export type PatchType = 'application/merge-patch+json' | 'application/strategic-merge-patch+json' | 'application/json-patch+json';

/** The verbs of one resource in one namespace (or cluster-wide). */
export class ResourceClient<T extends object = KubeObject> {
  constructor(readonly client: RestClient, readonly resource: ApiResource, readonly namespace?: string) {}

  /** The collection path, or an object's (and its subresource's) when a name is given. */
  path(name?: string, subresource?: string): string {
    return resourcePath(this.resource, this.namespace, name, subresource);
  }

  list(q?: ListQuery): Promise<ObjectList<T>> { return this.client.get(this.path() + queryString(q)); }
  get(name: string): Promise<T> { return this.client.get(this.path(name)); }
  create(obj: unknown): Promise<T> { return this.client.post(this.path(), obj); }
  update(name: string, obj: unknown): Promise<T> { return this.client.put(this.path(name), obj); }
  updateStatus(name: string, obj: unknown): Promise<T> { return this.client.put(this.path(name, 'status'), obj); }
  patch(name: string, body: unknown, type: PatchType = 'application/merge-patch+json'): Promise<T> { return this.client.patch(this.path(name), body, type); }
  patchStatus(name: string, body: unknown, type: PatchType = 'application/merge-patch+json'): Promise<T> { return this.client.patch(this.path(name, 'status'), body, type); }
  delete(name: string, options?: object): Promise<unknown> { return this.client.delete(this.path(name), options); }
  /** PUT to a subresource other than status (namespaces/finalize). */
  updateSub<U = unknown>(name: string, subresource: string, body: unknown): Promise<U> { return this.client.put(this.path(name, subresource), body); }
  /** POST to a subresource (pods/binding, pods/eviction, serviceaccounts/token). */
  createSub<U = unknown>(name: string, subresource: string, body: unknown): Promise<U> { return this.client.post(this.path(name, subresource), body); }
}

/** A typed client for resource `r` in `namespace` (omit it for cluster-scoped resources or all namespaces). */
export function resource<T extends object = KubeObject>(client: RestClient, r: ApiResource, namespace?: string): ResourceClient<T> {
  return new ResourceClient<T>(client, r, namespace);
}

export const pods = <T extends object = KubeObject>(c: RestClient, ns?: string) => resource<T>(c, R.pods, ns);
export const nodes = <T extends object = KubeObject>(c: RestClient) => resource<T>(c, R.nodes);
