// The contract between a node agent and the API server, both sides importing it: joining (the node
// token, the two join paths, the credentials request and answer), the resource usage report the
// agent's streaming server serves, and that server's paths for logs, exec, attach and port-forward.
import { createHash } from 'node:crypto';

// ---------- joining ----------

/** Where the server hands out its CA, unauthenticated (the agent checks it against the token's hash). */
export const CACERTS_PATH = '/cacerts';
/** Where an agent, with the token's secret as bearer token, asks for its credentials. */
export const CREDENTIALS_PATH = '/v1-tinykube/node-credentials';
const TOKEN_PREFIX = 'TK1';

export interface KeyPairPem {
  cert: string;
  key: string;
}

export interface NodeCredentialsRequest { nodeName: string; hosts: string[]; podCidr?: string }
export interface NodeCredentials { ca: string; client: KeyPairPem; serving: KeyPairPem; podCidr: string }

export const caHash = (caPem: string): string => createHash('sha256').update(caPem).digest('hex');

/** `TK1<ca sha256>::node:<secret>`. */
export function formatToken(caPem: string, secret: string): string {
  return `${TOKEN_PREFIX}${caHash(caPem)}::node:${secret}`;
}

export function parseToken(token: string): { caHash: string; secret: string } {
  const m = /^TK1([0-9a-f]{64})::node:([0-9a-f]{32,})$/.exec(token.trim());
  if (!m) throw new Error('a node token looks like TK1<64 hex>::node:<secret> (see <data-dir>/node-token on the server)');
  return { caHash: m[1], secret: m[2] };
}

// ---------- resource usage ----------

/** Where a node's streaming server answers with its resource usage (the kubelet's /metrics/resource, as JSON). */
export const STATS_PATH = '/stats/resource';

export interface ContainerUsage { name: string; cpuNanoCores: number; memoryBytes: number }
export interface PodUsage { namespace: string; name: string; containers: ContainerUsage[] }
/** What `/stats/resource` on a node's streaming server answers. */
export interface StatsReport {
  timestamp: string;
  windowSeconds: number;
  node: { cpuNanoCores: number; memoryBytes: number };
  pods: PodUsage[];
}

// ---------- streaming ----------

/** The streaming server's verbs, as the kubelet names them (the pod subresources log and portforward differ). */
export type StreamVerb = 'containerLogs' | 'exec' | 'attach' | 'portForward';

export interface StreamTarget { verb: string; namespace: string; pod: string; container?: string; query: URLSearchParams }

/** `/containerLogs/ns/pod/container`, `/exec/ns/pod/container`, `/attach/…`, `/portForward/ns/pod`, then the query if any. */
export function streamPath(verb: StreamVerb, namespace: string, pod: string, container: string | undefined, query: URLSearchParams): string {
  const parts = [verb, namespace, pod, ...(container === undefined ? [] : [container])].map(encodeURIComponent);
  return `/${parts.join('/')}${query.size ? `?${query}` : ''}`;
}

/** The target of a streaming path, or undefined when it names no verb, namespace and pod. */
export function parseStreamPath(url: string): StreamTarget | undefined {
  const u = new URL(url, 'https://agent');
  const [verb, namespace, pod, container] = u.pathname.split('/').slice(1).map(decodeURIComponent);
  if (!verb || !namespace || !pod) return undefined;
  return { verb, namespace, pod, container, query: u.searchParams };
}
