// The node agent's streaming server (the kubelet's port 10250 counterpart): container logs, exec and
// port-forward for the pods on this node, over HTTPS that only the API server's client certificate
// may use. The API server checks requests against the pod and proxies them here; the protocols
// kubectl negotiates (SPDY, WebSocket) end here, in src/streams.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, badRequest } from '../../api/errors.js';
import { parseStreamPath, STATS_PATH, type StatsReport } from '../../api/nodecontract.js';
import { remoteCommandQuery, serveRemoteCommand, servePortForward } from '../../streams/index.js';
import { netnsOf, type Runtime, type Sandbox } from '../runtime/index.js';
import { CONTAINER_ID_PREFIX } from '../podstatus.js';
import { attachToContainer } from './attach.js';
import { execInContainer } from './exec.js';
import { streamLogs, type LogOptions } from './logs.js';
import { dialInNetns, warmNetnsDialer } from './portforward.js';

/** The certificate common name the API server uses towards nodes. */
export const API_SERVER_CLIENT_CN = 'kube-apiserver-kubelet-client';

export interface PodHandle {
  pod: Pod;
  sandbox?: Sandbox;
}

export interface StreamingServerOptions {
  tls: { ca: string; cert: string; key: string };
  host: string;
  port: number;
  runtime: Runtime;
  /** The pod `namespace/name` on this node, as the agent knows it. */
  findPod(namespace: string, name: string): PodHandle | undefined;
  /** Resolves once the container exits (for `logs -f`). */
  exited(containerId: string): Promise<void>;
  /** The agent's log dir (NAMESPACE_NAME_UID/CONTAINER/ATTEMPT.log): the logs of a finished pod outlive its containers. */
  logDir?: string;
  /** Resource usage of the node and its containers (`/stats/resource`, for the metrics API). */
  stats?: () => Promise<StatsReport>;
}

const notFound = (message: string) => new ApiError(404, 'NotFound', message);

function statusOf(pod: Pod, container: string): ContainerStatus | undefined {
  const s = pod.status;
  return [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? []), ...(s?.ephemeralContainerStatuses ?? [])].find((c) => c.name === container);
}

const runtimeId = (containerID: string | undefined): string | undefined =>
  containerID?.startsWith(CONTAINER_ID_PREFIX) ? containerID.slice(CONTAINER_ID_PREFIX.length) : undefined;

/** Which container instance a log request means, as the kubelet's validateContainerLogStatus decides. */
export function logContainerId(pod: Pod, container: string, previous: boolean): string {
  const podName = pod.metadata!.name!;
  const s = statusOf(pod, container);
  if (!s) throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
  const last = runtimeId(s.lastState?.terminated?.containerID);
  if (previous) {
    if (!last) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return last;
  }
  const current = runtimeId(s.containerID);
  if (s.state?.running && current) return current;
  if (s.state?.terminated) {
    const id = runtimeId(s.state.terminated.containerID) ?? current ?? last;
    if (id) return id;
  }
  if (last) return last;
  const reason = s.state?.waiting?.reason ?? 'ContainerCreating';
  const why = reason === 'ErrImagePull' ? "image can't be pulled" : reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason;
  throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${why}`);
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name}: must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

function logOptions(q: URLSearchParams): LogOptions {
  const flag = (n: string) => q.get(n) === 'true' || q.get(n) === '1';
  const sinceTime = q.get('sinceTime');
  const since = sinceTime ? new Date(sinceTime) : undefined;
  if (since && Number.isNaN(since.getTime())) throw badRequest(`sinceTime: invalid time ${JSON.stringify(sinceTime)}`);
  return {
    follow: flag('follow'), timestamps: flag('timestamps'), tailLines: intParam(q, 'tailLines'),
    sinceSeconds: intParam(q, 'sinceSeconds'), sinceTime: since, limitBytes: intParam(q, 'limitBytes'),
  };
}

function sendStatus(res: ServerResponse, e: ApiError): void {
  const body = JSON.stringify(e.toStatus());
  res.writeHead(e.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
}

function rawStatus(socket: Duplex, e: ApiError): void {
  const body = JSON.stringify(e.toStatus());
  socket.end(`HTTP/1.1 ${e.code} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Besides its own HTTPS port, the API server of the same process calls serveRequest/serveUpgrade directly. */
export class StreamingServer {
  private server?: Server;

  constructor(private readonly opts: StreamingServerOptions) {}

  get port(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.opts.port;
  }

  async start(): Promise<void> {
    const { tls } = this.opts;
    this.server = createServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      try {
        this.authorize(req);
      } catch (e) {
        return sendStatus(res, e as ApiError);
      }
      void this.serveRequest(req, res, req.url ?? '/');
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        this.authorize(req);
      } catch (e) {
        return rawStatus(socket, e as ApiError);
      }
      this.serveUpgrade(req, socket, head, req.url ?? '/');
    });
    this.server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host, () => resolve());
    });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Only the API server talks to this port. */
  private authorize(req: IncomingMessage): void {
    const cn = (req.socket as TLSSocket).getPeerCertificate()?.subject?.CN;
    if (cn !== API_SERVER_CLIENT_CN) throw new ApiError(403, 'Forbidden', `${cn ?? 'anonymous'} may not use the node's streaming server`);
  }

  private handle(namespace: string, pod: string): PodHandle {
    const h = this.opts.findPod(namespace, pod);
    if (!h) throw notFound(`pod "${pod}" in namespace "${namespace}" is not on this node`);
    return h;
  }

  async serveRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    await this.request(req, res, path).catch((e) => {
      if (!res.headersSent) sendStatus(res, e instanceof ApiError ? e : new ApiError(500, 'InternalError', String(e)));
      else res.destroy();
    });
  }

  serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    socket.on('error', () => socket.destroy());
    try {
      this.upgrade(req, socket, head, path);
    } catch (e) {
      rawStatus(socket, e instanceof ApiError ? e : new ApiError(500, 'InternalError', String(e)));
    }
  }

  /** Resource usage of this node (see ../resourcestats.ts). */
  stats(): Promise<StatsReport> {
    if (!this.opts.stats) throw notFound('this node does not report resource usage');
    return this.opts.stats();
  }

  private async request(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === STATS_PATH) {
      if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'resource usage is read with GET');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await this.stats()));
      return;
    }
    const p = parseStreamPath(path);
    if (!p || p.verb !== 'containerLogs' || !p.container) throw p && p.verb !== 'containerLogs' ? badRequest('Upgrade request required') : notFound('not found');
    if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'logs are read with GET');
    const { pod } = this.handle(p.namespace, p.pod);
    const opts = logOptions(p.query);
    const id = logContainerId(pod, p.container, p.query.get('previous') === 'true');
    const state = await this.opts.runtime.containerState(id);
    // A pod that finished (Succeeded/Failed) has its containers removed with its sandbox, but its
    // log files stay until the pod is deleted, as the kubelet keeps a finished pod's logs readable.
    const kept = state ? undefined : this.keptLog(pod, p.container, p.query.get('previous') === 'true');
    if (!state && !kept) throw badRequest(`the log of container "${p.container}" in pod "${p.pod}" is gone`);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const ended = state && (state.state === 'running' || state.state === 'created') ? this.opts.exited(id) : Promise.resolve();
    await streamLogs(state?.logPath ?? kept!, opts, res, ended, abort.signal);
    res.end();
  }

  /** The log file of a finished run (the latest, or the one before with `previous`) whose container is gone. */
  private keptLog(pod: Pod, container: string, previous: boolean): string | undefined {
    const s = statusOf(pod, container);
    const m = pod.metadata!;
    if (!this.opts.logDir || !s) return undefined;
    const attempt = (s.restartCount ?? 0) - (previous ? 1 : 0);
    const file = join(this.opts.logDir, `${m.namespace}_${m.name}_${m.uid}`, container, `${attempt}.log`);
    return attempt >= 0 && existsSync(file) ? file : undefined;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    const p = parseStreamPath(path);
    if (!p) throw notFound('not found');
    const { pod, sandbox } = this.handle(p.namespace, p.pod);
    const { runtime } = this.opts;
    if (p.verb === 'portForward') {
      if (!sandbox) throw badRequest(`pod "${p.pod}" has no network yet`);
      // The dialer helper in the pod's netns starts now, so the first connection does not wait for it.
      void warmNetnsDialer(netnsOf(sandbox)).catch(() => {});
      servePortForward(req, socket, head, (port) => dialInNetns(netnsOf(sandbox), port, { podIP: sandbox.podIP }), { podName: p.pod, uid: pod.metadata?.uid });
      return;
    }
    if ((p.verb !== 'exec' && p.verb !== 'attach') || !p.container) throw notFound(`${p.verb} is not served by this node`);
    const s = statusOf(pod, p.container);
    const id = s?.state?.running ? runtimeId(s.containerID) : undefined;
    if (!id) throw notFound(`container not found ("${p.container}")`);
    const q = remoteCommandQuery(new URL(path, 'https://agent'));
    if (p.verb === 'attach') {
      serveRemoteCommand(req, socket, head, q, (streams) => attachToContainer(runtime.containerDir(id), streams));
      return;
    }
    if (!q.command.length) throw badRequest('you must specify at least 1 command');
    serveRemoteCommand(req, socket, head, q, (streams) => execInContainer(runtime, id, q.command, streams));
  }
}
