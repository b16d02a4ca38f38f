// The node's cluster DNS server: UDP and TCP port 53 on the pod bridge's gateway address (what the
// pods' resolv.conf names), answering the cluster domain from Services and EndpointSlices (see
// resolver.ts). Names outside the domain are REFUSED unless an upstream is given (`--dns-forward`),
// to which the query is relayed as it came. The gateway address exists only once the bridge does
// (the first pod's CNI ADD), so binding is retried until it succeeds.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import type { KubeObject } from '../../api/strategy.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import { buildResponse, DnsFormatError, formatError, parseQuery, RCODE } from './message.js';
import { DEFAULT_DOMAIN, resolve, soa } from './resolver.js';

const BIND_RETRY_MS = 1000;
const FORWARD_TIMEOUT_MS = 5000;
const MAX_UDP = 512;

export interface ClusterDnsOptions {
  client: RestClient;
  /** The address to serve on: the pod bridge's gateway. */
  address: string;
  port?: number;
  domain?: string;
  /** An upstream server (`ip` or `ip:port`) for names outside the cluster domain; none: REFUSED. */
  forward?: string;
}

export class ClusterDns {
  private readonly services: Informer<KubeObject>;
  private readonly slices: Informer<KubeObject>;
  private udp?: Socket;
  private tcp?: Server;
  private retry?: NodeJS.Timeout;
  private stopped = false;
  private readonly domain: string;

  constructor(private readonly opts: ClusterDnsOptions) {
    this.domain = opts.domain ?? DEFAULT_DOMAIN;
    this.services = new Informer(opts.client, '/api/v1/services', () => {});
    this.slices = new Informer(opts.client, '/apis/discovery.k8s.io/v1/endpointslices', () => {});
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.slices.start()]);
    this.bind();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.services.stop();
    this.slices.stop();
    this.udp?.close();
    this.tcp?.close();
  }

  /** Answers one query message (UDP or TCP payload). */
  async answer(msg: Buffer, udp: boolean): Promise<Buffer | undefined> {
    let q;
    try {
      q = parseQuery(msg);
    } catch (e) {
      if (e instanceof DnsFormatError) return formatError(msg);
      throw e;
    }
    if (q.flags & 0x8000) return undefined; // a response, not a query
    if ((q.flags >> 11) & 0xf) return buildResponse(q, RCODE.NOTIMP, [], [], false);
    const a = resolve(q.question.name, q.question.type, this.services.items.values() as never, this.slices.items.values() as never, this.domain);
    if (a.outside) {
      if (this.opts.forward) return this.forward(msg).catch(() => buildResponse(q, RCODE.SERVFAIL, [], [], false));
      return buildResponse(q, RCODE.REFUSED, [], [], false);
    }
    const authority = a.answers.length ? [] : [soa(this.domain)];
    let resp = buildResponse(q, a.rcode, a.answers, authority);
    if (udp && resp.length > MAX_UDP) {
      resp = buildResponse(q, a.rcode, [], [], true);
      resp.writeUInt16BE(resp.readUInt16BE(2) | 0x0200, 2); // TC: ask again over TCP
    }
    return resp;
  }

  private forward(msg: Buffer): Promise<Buffer> {
    const [host, port] = this.opts.forward!.split(':');
    return new Promise((resolveP, reject) => {
      const s = createSocket('udp4');
      const timer = setTimeout(() => { s.close(); reject(new Error('upstream timeout')); }, FORWARD_TIMEOUT_MS);
      s.on('error', (e) => { clearTimeout(timer); s.close(); reject(e); });
      s.on('message', (m) => { clearTimeout(timer); s.close(); resolveP(m); });
      s.send(msg, Number(port ?? 53), host);
    });
  }

  private bind(): void {
    if (this.stopped) return;
    const port = this.opts.port ?? 53;
    const udp = createSocket({ type: 'udp4', reuseAddr: false });
    udp.on('message', (m: Buffer, from: RemoteInfo) => {
      this.answer(m, true).then((r) => { if (r) udp.send(r, from.port, from.address); }, () => {});
    });
    udp.once('error', () => {
      udp.close();
      this.retry = setTimeout(() => this.bind(), BIND_RETRY_MS);
    });
    udp.bind(port, this.opts.address, () => {
      udp.removeAllListeners('error');
      udp.on('error', () => {});
      this.udp = udp;
      const tcp = createServer((c) => this.serveTcp(c));
      tcp.on('error', () => {});
      tcp.listen(port, this.opts.address);
      this.tcp = tcp;
    });
  }

  private serveTcp(c: TcpSocket): void {
    let buf = Buffer.alloc(0);
    c.setTimeout(10_000, () => c.destroy());
    c.on('error', () => c.destroy());
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        this.answer(Buffer.from(msg), false).then((r) => {
          if (!r) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(r.length);
          c.write(Buffer.concat([len, r]));
        }, () => c.destroy());
      }
    });
  }
}

/**
 * What a pod's resolv.conf gets, as the kubelet writes it: ClusterFirst pods (the default) the
 * cluster DNS server and the search list `<ns>.svc.<domain> svc.<domain> <domain>` (ndots:5, added
 * by resolvConf with any search list); dnsPolicy None only its dnsConfig; Default (and host-network
 * pods) the node's settings — here: none. dnsConfig adds to the others.
 */
export function podDns(
  spec: { dnsPolicy?: string; hostNetwork?: boolean; dnsConfig?: { nameservers?: readonly string[]; searches?: readonly string[] } },
  namespace: string, node: { servers: string[]; searches: string[]; clusterDomain?: string },
): { servers: string[]; searches: string[] } {
  const extra = { servers: [...(spec.dnsConfig?.nameservers ?? [])], searches: [...(spec.dnsConfig?.searches ?? [])] };
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'None') return extra;
  const clusterFirst = node.clusterDomain && (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !spec.hostNetwork));
  if (!clusterFirst) return { servers: [...new Set([...(node.clusterDomain ? [] : node.servers), ...extra.servers])], searches: [...new Set([...(node.clusterDomain ? [] : node.searches), ...extra.searches])] };
  const d = node.clusterDomain!;
  return {
    servers: [...new Set([...node.servers, ...extra.servers])].slice(0, 3),
    searches: [...new Set([`${namespace}.svc.${d}`, `svc.${d}`, d, ...node.searches, ...extra.searches])].slice(0, 32),
  };
}
