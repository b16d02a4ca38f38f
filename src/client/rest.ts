// A small Kubernetes REST client over HTTPS (keep-alive), used by tinykube's own components:
// they talk to the API server only through the API, never through storage.
import { Agent, request } from 'node:https';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { ApiError, type StatusReason } from '../api/errors.js';

export interface ClientConfig {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
  /** The API server's local unix socket (plain HTTP, same process): used instead of `server` when set. */
  socketPath?: string;
  /** Sent as User-Agent; the API server names this client's writes in managedFields after it. */
  userAgent?: string;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export class RestClient {
  private readonly agent: Agent | HttpAgent;
  /**
   * Watches hold their connection for as long as they last: they get connections of their own, so
   * that many informers in one process never use up the pool ordinary requests wait on.
   */
  private readonly watchAgent: Agent | HttpAgent;
  private readonly base: URL;

  constructor(private readonly config: ClientConfig) {
    this.base = new URL(config.server);
    if (config.socketPath) {
      this.agent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
      this.watchAgent = new HttpAgent({ keepAlive: false });
    } else {
      this.agent = new Agent({ keepAlive: true, ca: config.ca, cert: config.cert, key: config.key, maxSockets: 32 });
      this.watchAgent = new Agent({ keepAlive: false, ca: config.ca, cert: config.cert, key: config.key });
    }
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  private open(method: string, path: string, body?: unknown, contentType = 'application/json', agent: Agent | HttpAgent = this.agent): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const headers: Record<string, string | number> = { Accept: 'application/json', 'User-Agent': this.config.userAgent ?? 'tinykube' };
    if (payload) Object.assign(headers, { 'Content-Type': contentType, 'Content-Length': payload.length });
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    return new Promise((resolve, reject) => {
      const { socketPath } = this.config;
      const req = socketPath
        ? httpRequest({ socketPath, path, method, agent: agent as HttpAgent, headers }, resolve)
        : request({ host: this.base.hostname, port: this.base.port, path, method, agent: agent as Agent, headers, servername: 'localhost' }, resolve);
      req.on('error', reject);
      req.end(payload);
    });
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.open(method, path, body, contentType);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    const parsed = text ? JSON.parse(text) : undefined;
    if ((res.statusCode ?? 500) >= 300) {
      const s = parsed as { code?: number; reason?: StatusReason; message?: string; details?: ApiError['details'] } | undefined;
      throw new ApiError(s?.code ?? res.statusCode ?? 500, s?.reason ?? 'InternalError', s?.message ?? text, s?.details);
    }
    return parsed as T;
  }

  get<T = unknown>(path: string): Promise<T> { return this.request<T>('GET', path); }
  post<T = unknown>(path: string, body: unknown): Promise<T> { return this.request<T>('POST', path, body); }
  put<T = unknown>(path: string, body: unknown): Promise<T> { return this.request<T>('PUT', path, body); }
  delete<T = unknown>(path: string, body?: unknown): Promise<T> { return this.request<T>('DELETE', path, body); }
  patch<T = unknown>(path: string, body: unknown, type = 'application/merge-patch+json'): Promise<T> { return this.request<T>('PATCH', path, body, type); }

  /** Streams watch events until the server ends the watch or `signal` aborts; resolves when it ends. */
  async watch<T>(path: string, onEvent: (e: WatchEvent<T>) => void, signal?: AbortSignal): Promise<void> {
    const res = await this.open('GET', path, undefined, undefined, this.watchAgent);
    if ((res.statusCode ?? 500) >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const s = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      throw new ApiError(s.code ?? res.statusCode, s.reason ?? 'InternalError', s.message ?? 'watch failed');
    }
    const abort = () => res.destroy();
    signal?.addEventListener('abort', abort, { once: true });
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += chunk.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      }
    } catch (e) {
      if (!signal?.aborted) throw e;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }
}
