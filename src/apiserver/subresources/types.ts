// A subresource with its own handler (as upstream's BindingREST, ScaleREST, EvictionREST, LogREST,
// ExecREST): what it serves, and what a request to it gets. `status`, `finalize` and the other
// strategy-declared updates are not handlers: they go through the verbs of rest.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { User } from '../auth.js';
import type { Registry } from '../registry.js';
import type { ResourceRequest } from '../requestinfo.js';

/** What every call gets: the request, its parsed path and query, the parent's registry and the caller. */
export interface SubresourceContext {
  req: IncomingMessage;
  /** Always with `name` and `subresource`. */
  info: ResourceRequest & { name: string; subresource: string };
  query: URLSearchParams;
  /** The registry of the parent resource (pods for pods/binding). */
  registry: Registry;
  /** Another resource's registry, e.g. the PodDisruptionBudgets an eviction asks. */
  registryOf(group: string, version: string, resource: string): Registry | undefined;
  user: User;
}

export interface SubresourceRequest extends SubresourceContext {
  res: ServerResponse;
}

/** An upgraded connection (SPDY, WebSocket): the socket and the bytes read past the request head. */
export interface SubresourceUpgrade extends SubresourceContext {
  socket: Duplex;
  head: Buffer;
}

export interface SubresourceHandler {
  readonly name: string;
  /** The HTTP methods it answers; any other is 405 MethodNotAllowed. */
  readonly methods: readonly string[];
  handle(ctx: SubresourceRequest): Promise<void>;
  /** Only on handlers that take an upgraded connection; throws an ApiError to refuse it. */
  upgrade?(ctx: SubresourceUpgrade): void;
}

/** Which resource has which handlers: `group/version/plural` → subresource name → handler. */
export type SubresourceTable = ReadonlyMap<string, Readonly<Record<string, SubresourceHandler>>>;

export const resourceKey = (r: { group: string; version: string; plural: string }): string => `${r.group}/${r.version}/${r.plural}`;
