// pods/log, pods/exec, pods/attach and pods/portforward: the API server checks the request against
// the pod (as upstream's LogLocation / streamLocation do), then proxies it to the streaming server
// of the pod's node agent over mutual TLS. Upgraded streams (SPDY, WebSocket) are piped byte for
// byte after the request head, so every protocol kubectl negotiates ends at the agent.
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, badRequest, notFound } from '../api/errors.js';
import { STATS_PATH, streamPath, type StatsReport } from '../api/nodecontract.js';
import type { Registry } from './registry.js';
import type { ResourceRequest } from './requestinfo.js';

export const POD_STREAM_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward']);

/** The client credential the API server presents to node agents, and the CA their certificates chain to. */
export interface NodeClientTls { ca: string; cert: string; key: string }

interface Target { nodeName: string; host: string; port: number; path: string }

/** A node's streaming server in this process (paths as on its HTTPS port; requests already authorized). */
export interface NodeStreams {
  serveRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void;
  stats(): Promise<StatsReport>;
}

/** How long the metrics API waits for one node's resource usage. */
const STATS_TIMEOUT_MS = 5000;

const LOG_PARAMS = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

export const isPodStream = (info: ResourceRequest): boolean =>
  info.group === '' && info.resource === 'pods' && !!info.name && !!info.subresource && POD_STREAM_SUBRESOURCES.has(info.subresource);

const names = (cs: readonly Container[] | undefined): string => (cs ?? []).map((c) => c.name).join(' ');

/** The container a request means: the named one (which must exist) or the only one (upstream's validateContainer). */
export function chooseContainer(pod: Pod, requested: string | null): string {
  const name = pod.metadata!.name!;
  const spec = pod.spec!;
  if (requested) {
    const all = [...spec.containers, ...(spec.initContainers ?? []), ...((spec.ephemeralContainers ?? []) as Container[])];
    if (!all.some((c) => c.name === requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  if (spec.containers.length === 1) return spec.containers[0].name;
  let message = `a container name must be specified for pod ${name}, choose one of: [${names(spec.containers)}]`;
  if (spec.initContainers?.length) message += ` or one of the init containers: [${names(spec.initContainers)}]`;
  throw badRequest(message);
}

/** The address the API server reaches a node at: InternalIP first, as upstream's default preference. */
export function nodeAddress(node: Node): string | undefined {
  const addresses = node.status?.addresses ?? [];
  for (const type of ['InternalIP', 'Hostname', 'ExternalIP']) {
    const a = addresses.find((x) => x.type === type);
    if (a) return a.address;
  }
  return undefined;
}

/** An error answer on a connection that asked for an upgrade (there is no ServerResponse for it). */
export function rawError(socket: Duplex, e: ApiError): void {
  const body = JSON.stringify(e.toStatus());
  const reason = e.code === 400 ? 'Bad Request' : e.code === 404 ? 'Not Found' : e.code === 403 ? 'Forbidden' : 'Error';
  socket.end(`HTTP/1.1 ${e.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Request headers to pass on: all but the ones about this hop and the client's own credentials. */
function forwardedHeaders(req: IncomingMessage, host: string): string {
  const skip = new Set(['host', 'authorization', 'proxy-authorization']);
  let out = `Host: ${host}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (!skip.has(req.rawHeaders[i].toLowerCase())) out += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  }
  return out;
}

export class PodStreams {
  /** Nodes whose agent runs in this process (`tinykube up`): called directly, without the TLS hop. */
  private readonly local = new Map<string, NodeStreams>();

  constructor(private readonly pods: Registry, private readonly nodes: Registry, private readonly tls: NodeClientTls) {}

  /** Streams for pods on `nodeName` go straight to `streams` from now on. */
  attachLocalNode(nodeName: string, streams: NodeStreams): void {
    this.local.set(nodeName, streams);
  }

  detachLocalNode(nodeName: string): void {
    this.local.delete(nodeName);
  }

  /** Plain requests: a pod's log; exec/attach/portforward need an upgrade. */
  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    if (info.subresource !== 'log') throw badRequest('Upgrade request required');
    if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const target = this.target(info, query);
    if (!target) {
      // Not on a node yet: upstream answers with an empty log.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end();
      return;
    }
    const local = this.local.get(target.nodeName);
    if (local) return local.serveRequest(req, res, target.path);
    await new Promise<void>((resolve) => {
      const upstream = httpsRequest({ ...this.tlsOptions(target), method: 'GET', path: target.path }, (up) => {
        res.writeHead(up.statusCode ?? 502, { 'Content-Type': up.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache, private' });
        res.flushHeaders();
        up.pipe(res);
        up.on('end', resolve);
        up.on('error', () => { res.destroy(); resolve(); });
      });
      upstream.on('error', (e) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify(this.dialError(e).toStatus()));
        else res.destroy();
        resolve();
      });
      res.on('close', () => upstream.destroy());
      upstream.end();
    });
  }

  /** exec / attach / portforward: checked here, then the connection is handed to the node agent as is. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, info: ResourceRequest, query: URLSearchParams): void {
    let target: Target | undefined;
    try {
      if (info.subresource === 'log') throw badRequest('the log is not an upgradable stream');
      target = this.target(info, query);
      if (!target) throw badRequest(`pod ${info.name} does not have a host assigned`);
    } catch (e) {
      rawError(socket, e instanceof ApiError ? e : badRequest(String(e)));
      return;
    }
    const t = target;
    const local = this.local.get(t.nodeName);
    if (local) return local.serveUpgrade(req, socket, head, t.path);
    const upstream: TLSSocket = tlsConnect({ ...this.tlsOptions(t) }, () => {
      upstream.setNoDelay(true);
      upstream.write(`${req.method} ${t.path} HTTP/1.1\r\n${forwardedHeaders(req, `${t.host}:${t.port}`)}\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    (socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    let connected = false;
    upstream.once('secureConnect', () => { connected = true; });
    upstream.on('error', (e) => {
      if (!connected) rawError(socket, this.dialError(e));
      else socket.destroy();
    });
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  }

  /** A node's resource usage (for the metrics API): in process for a local node, else over mTLS. */
  nodeStats(nodeName: string): Promise<StatsReport> {
    const local = this.local.get(nodeName);
    if (local) return local.stats();
    const { host, port } = this.endpoint(nodeName);
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ ...this.tlsOptions({ nodeName, host, port, path: STATS_PATH }), method: 'GET', path: STATS_PATH, timeout: STATS_TIMEOUT_MS }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => { body += d; });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`node ${nodeName} answered ${res.statusCode}`));
          try { resolve(JSON.parse(body) as StatsReport); } catch (e) { reject(e); }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`node ${nodeName} did not answer in ${STATS_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** The streaming server of a node: its address and published port. */
  private endpoint(nodeName: string): { host: string; port: number } {
    const node = this.nodes.cache.get(`/registry/nodes/${nodeName}`)?.obj as Node | undefined;
    if (!node) throw notFound({ group: '', plural: 'nodes' }, nodeName);
    const host = nodeAddress(node);
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!host || !port) throw new ApiError(500, 'InternalError', `node ${nodeName} does not publish a streaming endpoint`);
    return { host, port };
  }

  private dialError(e: Error): ApiError {
    return new ApiError(500, 'InternalError', `error dialing backend: ${e.message}`);
  }

  private tlsOptions(t: Target) {
    return { host: t.host, port: t.port, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key };
  }

  /** Where on which node the request goes; undefined for a pod not yet on a node. */
  private target(info: ResourceRequest, query: URLSearchParams): Target | undefined {
    const ns = info.namespace!;
    const name = info.name!;
    const cached = this.pods.cache.get(`/registry/pods/${ns}/${name}`);
    if (!cached) throw notFound({ group: '', plural: 'pods' }, name);
    const pod = cached.obj as Pod;
    const sub = info.subresource!;
    const container = sub === 'portforward' ? undefined : chooseContainer(pod, query.get('container'));
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return undefined;
    const { host, port } = this.endpoint(nodeName);
    let path: string;
    if (sub === 'log') {
      const q = new URLSearchParams();
      for (const k of LOG_PARAMS) for (const v of query.getAll(k)) q.append(k, v);
      path = streamPath('containerLogs', ns, name, container, q);
    } else if (sub === 'portforward') {
      path = streamPath('portForward', ns, name, undefined, query);
    } else {
      const q = new URLSearchParams(query);
      q.set('container', container!);
      path = streamPath(sub as 'exec' | 'attach', ns, name, container, q);
    }
    return { nodeName, host, port, path };
  }
}
