// Joining a node agent to the cluster with one token, as k3s does: the token names the CA (its
// SHA-256) and carries a secret. The agent fetches the CA from `/cacerts` without trusting the
// connection, checks the hash, then asks `/v1-tinykube/node-credentials` (secret as bearer
// token, CA pinned) for its client certificate (CN=system:node:NAME, O=system:nodes), its
// streaming server's serving certificate, and a pod CIDR when it has none of its own.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiError, badRequest, tooLarge, unauthorized } from '../api/errors.js';
import { cidrsOverlap, formatCidr, parsePrefix, prefixMask, subnets } from '../api/ipv4.js';
import { CACERTS_PATH, CREDENTIALS_PATH, formatToken, parseToken, type KeyPairPem, type NodeCredentials, type NodeCredentialsRequest } from '../api/nodecontract.js';
import { issueClientCert, issueServingCert } from './pki.js';
import type { Registry } from './registry.js';

const MAX_BODY = 16 * 1024;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The cluster's node token from `path`, made on first start. */
export function loadOrCreateNodeToken(path: string, caPem: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = formatToken(caPem, randomBytes(16).toString('hex'));
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}

/** The first /24 of `clusterCidr` that no CIDR in `taken` overlaps. */
export function allocatePodCidr(clusterCidr: string, taken: string[]): string {
  const cluster = parsePrefix(clusterCidr);
  if (!cluster || !(cluster.prefix >= 8 && cluster.prefix <= 24)) throw new Error(`cannot allocate /24s from ${clusterCidr}`);
  const used = taken.flatMap((c) => parsePrefix(c) ?? []);
  const range = { base: (cluster.ip & prefixMask(cluster.prefix)) >>> 0, prefix: cluster.prefix };
  for (const net of subnets(range, 24)) {
    if (!used.some((u) => cidrsOverlap(u, { ip: net.base, prefix: 24 }))) return formatCidr(net);
  }
  throw new ApiError(503, 'ServiceUnavailable', `no free /24 left in the cluster CIDR ${clusterCidr}`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { reject(tooLarge()); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseCredentialsRequest(body: Buffer): NodeCredentialsRequest {
  let v: Partial<NodeCredentialsRequest>;
  try { v = JSON.parse(body.toString('utf8')); } catch { throw badRequest('the body must be JSON: {"nodeName", "hosts", "podCidr"?}'); }
  if (typeof v.nodeName !== 'string' || v.nodeName.length > 253 || !DNS1123_SUBDOMAIN.test(v.nodeName)) {
    throw badRequest(`nodeName: ${JSON.stringify(v.nodeName)} must be a lowercase RFC 1123 subdomain`);
  }
  if (!Array.isArray(v.hosts) || v.hosts.length > 16 || !v.hosts.every((h) => typeof h === 'string' && (isIP(h) !== 0 || (h.length <= 253 && DNS1123_SUBDOMAIN.test(h))))) {
    throw badRequest('hosts: up to 16 IP addresses or DNS names');
  }
  if (v.podCidr !== undefined && (typeof v.podCidr !== 'string' || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(v.podCidr))) throw badRequest('podCidr: an IPv4 CIDR');
  return { nodeName: v.nodeName, hosts: v.hosts, podCidr: v.podCidr };
}

export class NodeJoin {
  private readonly secret: Buffer;
  /** CIDRs handed out but maybe not yet on a Node object (two agents joining at once). */
  private readonly handedOut = new Map<string, string>();

  constructor(token: string, private readonly ca: KeyPairPem, private readonly nodes: Registry, private readonly clusterCidr: string) {
    this.secret = Buffer.from(parseToken(token).secret);
  }

  /** Serves the two join paths; false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (path === CACERTS_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/x-pem-file' }).end(this.ca.cert);
      return true;
    }
    if (path !== CREDENTIALS_PATH) return false;
    if (req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'node credentials are requested with POST');
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (given.length !== this.secret.length || !timingSafeEqual(given, this.secret)) throw unauthorized();
    const ask = parseCredentialsRequest(await readBody(req));
    const creds: NodeCredentials = {
      ca: this.ca.cert,
      client: await issueClientCert(this.ca, `system:node:${ask.nodeName}`, 'system:nodes'),
      serving: await issueServingCert(this.ca, `system:node:${ask.nodeName}`, ask.hosts),
      podCidr: ask.podCidr ?? this.podCidrFor(ask.nodeName),
    };
    this.handedOut.set(ask.nodeName, creds.podCidr);
    const body = JSON.stringify(creds);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
    return true;
  }

  /** A node keeps its CIDR across restarts; a new one gets the first free /24. */
  private podCidrFor(nodeName: string): string {
    const nodes = this.nodes.all().map((e) => e.obj as Node);
    const own = nodes.find((n) => n.metadata?.name === nodeName)?.spec?.podCIDR ?? this.handedOut.get(nodeName);
    if (own) return own;
    const taken = [...nodes.map((n) => n.spec?.podCIDR).filter((c): c is string => !!c), ...this.handedOut.values()];
    return allocatePodCidr(this.clusterCidr, taken);
  }
}
