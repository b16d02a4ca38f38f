// The API server: HTTPS, authentication, routing to discovery / OpenAPI / health / the REST
// handler, and the registries (one per resource) over one Store.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, forbidden, notFound } from '../api/errors.js';
import type { ResourceInfo } from '../api/resource.js';
import type { KubeObject, Strategy } from '../api/strategy.js';
import { builtinStrategies } from '../api/resources/index.js';
import type { Store } from '../storage/store.js';
import { Authenticator } from './auth.js';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { sendError, sendJson } from './http.js';
import { aggregatedDiscoveryVersion, parseAccept } from './negotiation.js';
import { OpenApiRoutes } from './openapi-routes.js';
import { Registry, type NamespaceGate } from './registry.js';
import { parseRequestPath, type ResourceRequest } from './requestinfo.js';
import { RestHandler } from './rest.js';
import { issueClientCert, type ClusterPki } from './pki.js';
import { isPodStream, PodStreams, rawError } from './podstreams.js';
import type { Duplex } from 'node:stream';

export const SERVER_VERSION = {
  major: '1', minor: '33', gitVersion: 'v1.33.0+tinykube', gitCommit: '', gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z', goVersion: 'none (Node.js)', compiler: 'tsc', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface ApiServerOptions {
  store: Store;
  pki: ClusterPki;
  host: string;
  port: number;
  strategies?: Strategy[];
}

export class ApiServer {
  readonly auth = new Authenticator();
  readonly registries = new Map<string, Registry>();
  readonly resources: ResourceInfo[];
  private readonly rest: RestHandler;
  private readonly openapi: OpenApiRoutes;
  private server?: Server;
  private podStreams?: PodStreams;
  private ready = false;

  constructor(private readonly opts: ApiServerOptions) {
    const strategies = opts.strategies ?? builtinStrategies;
    for (const s of strategies) {
      const r = s.resource;
      this.registries.set(`${r.group}/${r.version}/${r.plural}`, new Registry(opts.store, s, this.namespaceGate));
    }
    this.resources = strategies.map((s) => s.resource);
    this.rest = new RestHandler((info) => this.registryFor(info));
    this.openapi = new OpenApiRoutes(this.resources);
  }

  registry(group: string, version: string, plural: string): Registry {
    const r = this.registries.get(`${group}/${version}/${plural}`);
    if (!r) throw new Error(`no registry for ${group}/${version}/${plural}`);
    return r;
  }

  private registryFor(info: ResourceRequest): Registry | undefined {
    return this.registries.get(`${info.group}/${info.version}/${info.resource}`);
  }

  /** Creating in a missing namespace is NotFound; in a terminating one, Forbidden (as upstream's NamespaceLifecycle). */
  private readonly namespaceGate: NamespaceGate = (namespace, resource, name) => {
    const ns = this.registry('', 'v1', 'namespaces').cache.get(`/registry/namespaces/${namespace}`);
    if (!ns) throw notFound({ group: '', plural: 'namespaces' }, namespace);
    const obj = ns.obj as KubeObject & { status?: { phase?: string } };
    if (obj.metadata.deletionTimestamp || obj.status?.phase === 'Terminating') {
      const msg = `unable to create new content in namespace ${namespace} because it is being terminated`;
      const plural = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
      const e = forbidden(`${plural} "${name}" is forbidden: ${msg}`);
      throw new ApiError(403, 'Forbidden', e.message, { name, group: resource.group || undefined, kind: resource.plural, causes: [{ reason: 'NamespaceTerminating', message: msg, field: 'metadata.namespace' }] });
    }
  };

  async start(): Promise<void> {
    await Promise.all([...this.registries.values()].map((r) => r.start()));
    await this.bootstrapNamespaces();
    const { pki } = this.opts;
    // The credential this server shows node agents when it proxies logs, exec and port-forward.
    const nodeClient = await issueClientCert(pki.ca, 'kube-apiserver-kubelet-client', 'system:masters');
    this.podStreams = new PodStreams(this.registry('', 'v1', 'pods'), this.registry('', 'v1', 'nodes'), { ca: pki.ca.cert, ...nodeClient });
    this.server = createServer({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      this.dispatch(req, res).catch((e) => sendError(res, e));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 70_000;
    this.server.requestTimeout = 0; // watches and streams are long-lived
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.ready = true;
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.opts.port;
  }

  async stop(): Promise<void> {
    this.ready = false;
    for (const r of this.registries.values()) r.cache.stop();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async bootstrapNamespaces(): Promise<void> {
    const namespaces = this.registry('', 'v1', 'namespaces');
    for (const name of SYSTEM_NAMESPACES) {
      if (!namespaces.cache.get(`/registry/namespaces/${name}`)) {
        await namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      }
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The raw path, not a URL-normalized one: `pods/..` must not turn into the namespace itself.
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    if (path === '/livez' || path === '/healthz' || path === '/readyz') {
      const ok = path !== '/readyz' || this.ready;
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(ok ? 'ok' : 'not ready');
      return;
    }
    this.auth.authenticate(req);
    if (path === '/version') return sendJson(res, 200, SERVER_VERSION);
    if (path.startsWith('/openapi/')) return this.openapi.serve(req, res, path, query);
    const info = parseRequestPath(path);
    if (info.kind === 'resource' && isPodStream(info)) return this.podStreams!.handle(req, res, info, query);
    if (info.kind === 'resource') return this.rest.handle(req, res, info, query);
    if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return this.discovery(req, res, path);
  }

  /** Upgrade requests (SPDY, WebSocket): only the pod streams take them. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      this.auth.authenticate(req);
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const info = parseRequestPath(q < 0 ? raw : raw.slice(0, q));
      if (info.kind !== 'resource' || !isPodStream(info)) throw new ApiError(400, 'BadRequest', 'this resource does not take an upgrade');
      this.podStreams!.upgrade(req, socket, head, info, new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)));
    } catch (e) {
      rawError(socket, e instanceof ApiError ? e : new ApiError(500, 'InternalError', String(e)));
    }
  }

  private discovery(req: IncomingMessage, res: ServerResponse, path: string): void {
    const accept = parseAccept(req.headers.accept);
    const aggregated = aggregatedDiscoveryVersion(accept);
    if ((path === '/api' || path === '/apis') && aggregated) {
      const body = aggregatedDiscovery(this.resources, path === '/api', aggregated as 'v2' | 'v2beta1');
      return sendJson(res, 200, body, `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`, { Vary: 'Accept' });
    }
    if (path === '/api') return sendJson(res, 200, apiVersions(`${req.socket.localAddress}:${this.port}`), 'application/json', { Vary: 'Accept' });
    if (path === '/apis') return sendJson(res, 200, apiGroupList(this.resources), 'application/json', { Vary: 'Accept' });
    const parts = path.split('/').filter(Boolean);
    let doc: unknown;
    if (parts[0] === 'api' && parts.length === 2) doc = apiResourceList(this.resources, '', parts[1]);
    else if (parts[0] === 'apis' && parts.length === 2) doc = apiGroupDoc(this.resources, parts[1]);
    else if (parts[0] === 'apis' && parts.length === 3) doc = apiResourceList(this.resources, parts[1], parts[2]);
    if (doc) return sendJson(res, 200, doc);
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
}
