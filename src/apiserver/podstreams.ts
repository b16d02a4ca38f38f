// The API server's side of pods/log, exec, attach and portforward: where a pod's stream goes (its
// node's streaming server, as upstream's LogLocation / streamLocation) and the proxy to it over
// mutual TLS, or straight to a node agent in this process. Upgraded streams (SPDY, WebSocket) are
// piped byte for byte after the request head, so every protocol kubectl negotiates ends at the
// agent. The subresource handlers that use this are in ./subresources/podstreams.ts.
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, badRequest, notFound } from '../api/errors.js';
import { STATS_PATH, streamPath, type StatsReport } from '../api/nodecontract.js';
import type { Registry } from './registry.js';

/** The client credential the API server presents to node agents, and the CA their certificates chain to. */
export interface NodeClientTls { ca: string; cert: string; key: string }

/** Where a stream goes: the node, its streaming server, and the path there. */
export interface StreamTarget { nodeName: string; host: string; port: number; path: string }

/** A node's streaming server in this process (paths as on its HTTPS port; requests already authorized). */
export interface NodeStreams {
  serveRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void;
  stats(): Promise<StatsReport>;
}

/** How long the metrics API waits for one node's resource usage. */
const STATS_TIMEOUT_MS = 5000;

const LOG_PARAMS = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

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
  private tls?: NodeClientTls;

  constructor(private readonly nodes: Registry) {}

  /** The credential to show node agents, once the server has issued it. */
  useClientCredential(tls: NodeClientTls): void {
    this.tls = tls;
  }

  /** Streams for pods on `nodeName` go straight to `streams` from now on. */
  attachLocalNode(nodeName: string, streams: NodeStreams): void {
    this.local.set(nodeName, streams);
  }

  detachLocalNode(nodeName: string): void {
    this.local.delete(nodeName);
  }

  /** A plain (not upgraded) request, a log, answered by the node's streaming server. */
  async proxy(req: IncomingMessage, res: ServerResponse, target: StreamTarget): Promise<void> {
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

  /** An upgraded connection (exec / attach / portforward), handed to the node's streaming server as is. */
  pipeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, t: StreamTarget): void {
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
    const node = this.nodes.find(undefined, nodeName)?.obj as Node | undefined;
    if (!node) throw notFound({ group: '', plural: 'nodes' }, nodeName);
    const host = nodeAddress(node);
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!host || !port) throw new ApiError(500, 'InternalError', `node ${nodeName} does not publish a streaming endpoint`);
    return { host, port };
  }

  private dialError(e: Error): ApiError {
    return new ApiError(500, 'InternalError', `error dialing backend: ${e.message}`);
  }

  private tlsOptions(t: StreamTarget) {
    if (!this.tls) throw new ApiError(503, 'ServiceUnavailable', 'the API server has no node client credential yet');
    return { host: t.host, port: t.port, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key };
  }

  /** Where on which node a stream of `pod` goes (`sub`: log, exec, attach, portforward); undefined for a pod not yet on a node. */
  target(pod: Pod, sub: string, query: URLSearchParams): StreamTarget | undefined {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
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
