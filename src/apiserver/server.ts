// The API server: HTTPS, authentication, routing to discovery / OpenAPI / health / the served APIs
// (the REST handler over the registries, one per resource over one Store, and the metrics API).
import { createServer, type Server } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { chmod, rm } from 'node:fs/promises';
import { ApiError, forbidden, notAcceptable, notFound } from '../api/errors.js';
import type { ResourceInfo } from '../api/resource.js';
import type { AllocationConfig, KubeObject, Strategy } from '../api/strategy.js';
import { firstServiceIP, parseServiceCidr } from '../api/resources/serviceallocator.js';
import { builtinStrategies } from '../api/resources/index.js';
import type { Store } from '../storage/store.js';
import { Authenticator } from './auth.js';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { sendError, sendJson } from './http.js';
import { acceptsNothingServed, aggregatedDiscoveryVersion, parseAccept } from './negotiation.js';
import { OpenApiRoutes } from './openapiroutes.js';
import { DEFAULT_ALLOCATION_CONFIG, Registry, type NamespaceGate } from './registry.js';
import { parseRequestPath } from './requestinfo.js';
import { RestHandler } from './rest.js';
import { issueClientCert, type ClusterPki } from './pki.js';
import { CACERTS_PATH, CREDENTIALS_PATH } from '../api/nodecontract.js';
import { NodeJoin } from './nodejoin.js';
import { PodStreams, rawError, type NodeStreams } from './podstreams.js';
import { METRICS_RESOURCES, MetricsApi } from './metrics.js';
import { ServedApis } from './apis.js';
import { resourceKey, subresourceTable } from './subresources/index.js';
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
  /** Lets node agents join with this token (`/cacerts`, node credentials); pod CIDRs come from clusterCidr. */
  nodeJoin?: { token: string; clusterCidr: string };
  /** Service cluster IP range and node port range (default 10.43.0.0/16, 30000-32767). */
  allocation?: AllocationConfig;
  /**
   * The address pods reach this API server at: the `kubernetes` Service in `default` (the first
   * address of the service range, port 443) points there, as upstream's --advertise-address.
   */
  advertiseAddress?: string;
}

export class ApiServer {
  readonly auth = new Authenticator();
  readonly registries = new Map<string, Registry>();
  readonly resources: ResourceInfo[];
  private readonly rest: RestHandler;
  private readonly openapi: OpenApiRoutes;
  private server?: Server;
  private localServer?: HttpServer;
  private readonly podStreams?: PodStreams;
  /** What discovery lists and where each group/version's requests go. */
  private readonly apis = new ServedApis();
  private nodeJoin?: NodeJoin;
  private ready = false;
  private kubernetesService?: NodeJS.Timeout;

  constructor(private readonly opts: ApiServerOptions) {
    const strategies = opts.strategies ?? builtinStrategies;
    for (const s of strategies) {
      this.registries.set(resourceKey(s.resource), new Registry(opts.store, s, this.namespaceGate, opts.allocation ?? DEFAULT_ALLOCATION_CONFIG));
    }
    this.resources = strategies.map((s) => s.resource);
    const nodes = this.registries.get('/v1/nodes');
    const pods = this.registries.get('/v1/pods');
    if (nodes) this.podStreams = new PodStreams(nodes);
    this.rest = new RestHandler((info) => this.registryFor(info), (req) => this.auth.authenticate(req), subresourceTable(strategies, this.podStreams));
    this.apis.register(this.resources, (req, res, info, query) => this.rest.handle(req, res, info, query));
    if (pods && this.podStreams) {
      const streams = this.podStreams;
      const metrics = new MetricsApi(pods, nodes!, (node) => streams.nodeStats(node));
      this.apis.register(METRICS_RESOURCES, (req, res, info, query) => metrics.handle(req, res, info, query));
    }
    this.openapi = new OpenApiRoutes(this.resources);
  }

  registry(group: string, version: string, plural: string): Registry {
    const r = this.registries.get(resourceKey({ group, version, plural }));
    if (!r) throw new Error(`no registry for ${group}/${version}/${plural}`);
    return r;
  }

  private registryFor(info: { group: string; version: string; resource: string }): Registry | undefined {
    // Per request: the key without copying the request info.
    return this.registries.get(resourceKey({ group: info.group, version: info.version, plural: info.resource }));
  }

  /** Creating in a missing namespace is NotFound; in a terminating one, Forbidden (as upstream's NamespaceLifecycle). */
  private readonly namespaceGate: NamespaceGate = (namespace, resource, name) => {
    const ns = this.registry('', 'v1', 'namespaces').find(undefined, namespace);
    if (!ns) throw notFound({ group: '', plural: 'namespaces' }, namespace);
    const obj = ns.obj as KubeObject & { status?: { phase?: string } };
    if (obj.metadata.deletionTimestamp || obj.status?.phase === 'Terminating') {
      const msg = `unable to create new content in namespace ${namespace} because it is being terminated`;
      const plural = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
      const e = forbidden(`${plural} "${name}" is forbidden: ${msg}`);
      throw new ApiError(403, 'Forbidden', e.message, { name, group: resource.group || undefined, kind: resource.plural, causes: [{ reason: 'NamespaceTerminating', message: msg, field: 'metadata.namespace' }] });
    }
  };

  /** Pod streams for `nodeName` are served by `streams` in this process instead of over the network. */
  attachLocalNode(nodeName: string, streams: NodeStreams): void {
    this.podStreams!.attachLocalNode(nodeName, streams);
  }

  async start(): Promise<void> {
    await Promise.all([...this.registries.values()].map((r) => r.start()));
    await this.bootstrapNamespaces();
    const { pki } = this.opts;
    // The credential this server shows node agents when it proxies logs, exec and port-forward.
    const nodeClient = await issueClientCert(pki.ca, 'kube-apiserver-kubelet-client', 'system:masters');
    const join = this.opts.nodeJoin;
    if (join) this.nodeJoin = new NodeJoin(join.token, pki.ca, this.registry('', 'v1', 'nodes'), join.clusterCidr);
    this.podStreams?.useClientCredential({ ca: pki.ca.cert, ...nodeClient });
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
    const advertise = this.opts.advertiseAddress;
    if (advertise && this.registries.has('/v1/services')) {
      await this.bootstrapKubernetesService(advertise);
      // Put back if deleted (`kubectl delete svc --all`), as upstream's controller does every 10 s.
      this.kubernetesService = setInterval(() => { this.bootstrapKubernetesService(advertise).catch(() => {}); }, 10_000);
      this.kubernetesService.unref();
    }
    this.ready = true;
  }

  /**
   * The `kubernetes` Service (cluster IP: the first address of the service range, port 443 named
   * https) and its Endpoints and EndpointSlice pointing at this server, as upstream's
   * kubernetesservice controller and endpoint reconciler keep them. The Service has no selector, so
   * the endpoints controllers leave these alone.
   */
  private async bootstrapKubernetesService(address: string): Promise<void> {
    const cidr = (this.opts.allocation ?? DEFAULT_ALLOCATION_CONFIG).serviceCidr;
    const clusterIP = firstServiceIP(parseServiceCidr(cidr));
    const port = this.port;
    const labels = { component: 'apiserver', provider: 'kubernetes' };
    const services = this.registry('', 'v1', 'services');
    const existing = services.find('default', 'kubernetes')?.obj as (KubeObject & { spec?: { clusterIP?: string; ports?: { targetPort?: unknown }[] } }) | undefined;
    const svcPorts = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }];
    if (!existing) {
      await services.create('default', {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', labels },
        spec: { clusterIP, clusterIPs: [clusterIP], ports: svcPorts, sessionAffinity: 'None', type: 'ClusterIP' },
      });
    } else if (existing.spec?.ports?.[0]?.targetPort !== port) {
      await services.guaranteedUpdate('default', 'kubernetes', (o) => ({ ...o, spec: { ...(o.spec as object), ports: svcPorts } }));
    }
    const subsets = [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
    await this.ensureObject(this.registry('', 'v1', 'endpoints'), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets });
    await this.ensureObject(this.registry('discovery.k8s.io', 'v1', 'endpointslices'), {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4', endpoints: [{ addresses: [address], conditions: { ready: true } }], ports: [{ name: 'https', port, protocol: 'TCP' }],
    });
  }

  /** Creates `want`, or updates its content (all but metadata) when it differs. */
  private async ensureObject(registry: Registry, want: KubeObject): Promise<void> {
    const { name, namespace } = want.metadata;
    const current = registry.find(namespace, name!)?.obj as KubeObject | undefined;
    if (!current) { await registry.create(namespace, want); return; }
    const { metadata: _m, ...body } = want;
    const { metadata: _c, apiVersion: _a, kind: _k, ...have } = current;
    const { apiVersion: _wa, kind: _wk, ...wantBody } = body;
    if (JSON.stringify(have) === JSON.stringify(wantBody)) return;
    await registry.guaranteedUpdate(namespace, name!, (o) => ({ ...o, ...wantBody }));
  }

  /**
   * Plain HTTP on a unix socket for the components of this process (controllers, scheduler, the
   * local node agent), so their requests skip TLS on the loopback hop. Only root can open the
   * socket (mode 0600, in the data dir); its clients act as upstream's loopback client.
   */
  async listenLocal(path: string): Promise<void> {
    const local = createHttpServer((req, res) => {
      this.dispatch(req, res).catch((e) => sendError(res, e));
    });
    local.on('connection', (socket) => this.auth.trustLoopback(socket));
    local.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    local.keepAliveTimeout = 65_000;
    local.requestTimeout = 0;
    await rm(path, { force: true });
    await new Promise<void>((resolve, reject) => {
      local.once('error', reject);
      local.listen(path, () => resolve());
    });
    await chmod(path, 0o600);
    this.localServer = local;
  }

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.opts.port;
  }

  async stop(): Promise<void> {
    this.ready = false;
    clearInterval(this.kubernetesService);
    for (const r of this.registries.values()) r.cache.stop();
    if (this.localServer) {
      this.localServer.closeAllConnections();
      await new Promise<void>((resolve) => this.localServer!.close(() => resolve()));
    }
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async bootstrapNamespaces(): Promise<void> {
    const namespaces = this.registry('', 'v1', 'namespaces');
    for (const name of SYSTEM_NAMESPACES) {
      if (!namespaces.find(undefined, name)) {
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
    // Before authentication: a joining agent has only its token (checked there).
    if (this.nodeJoin && (path === CACERTS_PATH || path === CREDENTIALS_PATH) && (await this.nodeJoin.handle(req, res, path))) return;
    this.auth.authenticate(req);
    if (path === '/version') return sendJson(res, 200, SERVER_VERSION);
    if (path.startsWith('/openapi/')) return this.openapi.serve(req, res, path, query);
    const info = parseRequestPath(path);
    if (info.kind === 'resource') {
      const handler = this.apis.handlerFor(info.group, info.version);
      if (!handler) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return handler(req, res, info, query);
    }
    if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return this.discovery(req, res, path);
  }

  /** Upgrade requests (SPDY, WebSocket): only subresource handlers that take upgrades (the pod streams) accept them. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      this.auth.authenticate(req);
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const info = parseRequestPath(q < 0 ? raw : raw.slice(0, q));
      if (info.kind !== 'resource') throw new ApiError(400, 'BadRequest', 'this resource does not take an upgrade');
      this.rest.upgrade(req, socket, head, info, new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)));
    } catch (e) {
      rawError(socket, e instanceof ApiError ? e : new ApiError(500, 'InternalError', String(e)));
    }
  }

  private discovery(req: IncomingMessage, res: ServerResponse, path: string): void {
    const accept = parseAccept(req.headers.accept);
    if (acceptsNothingServed(accept)) throw notAcceptable('only the following media types are accepted: application/json');
    const aggregated = aggregatedDiscoveryVersion(accept);
    if ((path === '/api' || path === '/apis') && aggregated) {
      const body = aggregatedDiscovery(this.apis.resources, path === '/api', aggregated as 'v2' | 'v2beta1');
      return sendJson(res, 200, body, `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`, { Vary: 'Accept' });
    }
    if (path === '/api') return sendJson(res, 200, apiVersions(`${req.socket.localAddress}:${this.port}`), 'application/json', { Vary: 'Accept' });
    if (path === '/apis') return sendJson(res, 200, apiGroupList(this.apis.resources), 'application/json', { Vary: 'Accept' });
    const parts = path.split('/').filter(Boolean);
    let doc: unknown;
    if (parts[0] === 'api' && parts.length === 2) doc = apiResourceList(this.apis.resources, '', parts[1]);
    else if (parts[0] === 'apis' && parts.length === 2) doc = apiGroupDoc(this.apis.resources, parts[1]);
    else if (parts[0] === 'apis' && parts.length === 3) doc = apiResourceList(this.apis.resources, parts[1], parts[2]);
    if (doc) return sendJson(res, 200, doc);
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
}
