// What the cluster DNS answers, from the Services and EndpointSlices (the records of Kubernetes'
// DNS specification, as CoreDNS's kubernetes plugin serves them):
//   <svc>.<ns>.svc.<domain>               A: the cluster IP; for a headless service the ready endpoints' IPs;
//                                         ExternalName: a CNAME to spec.externalName
//   _<port>._<proto>.<svc>.<ns>.svc.<domain>  SRV for each named port (priority 0, weight 100)
//   <hostname>.<svc>.<ns>.svc.<domain>    A: a headless service's endpoint with that hostname
//   <a-b-c-d>.<ns>.pod.<domain>           A: a.b.c.d
// A name that exists with another type answers NOERROR and nothing (so a resolver asking A and AAAA
// at once still gets its A); any other name in the domain is NXDOMAIN; names outside it are not
// ours: forwarded if an upstream is configured, REFUSED otherwise.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RCODE, TYPE, type Record } from './message.js';

export const DEFAULT_DOMAIN = 'cluster.local';
export const TTL = 5;

type Svc = Pick<Service, 'spec'> & { metadata: { name?: string; namespace?: string } };
type Slice = Pick<EndpointSlice, 'endpoints' | 'addressType'> & { metadata: { labels?: { [k: string]: string }; namespace?: string } };

export interface Answer {
  rcode: number;
  answers: Record[];
  /** Not in the cluster domain: forward it (if configured) instead. */
  outside?: boolean;
}

export function soa(domain: string): Record {
  return { name: domain, type: 'SOA', ttl: TTL, mname: `ns.dns.${domain}`, rname: `hostmaster.${domain}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL };
}

const IPV4 = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/;

export function resolve(name: string, type: number, services: Iterable<Svc>, slices: Iterable<Slice>, domain = DEFAULT_DOMAIN): Answer {
  const q = name.toLowerCase().replace(/\.$/, '');
  if (q !== domain && !q.endsWith(`.${domain}`)) return { rcode: RCODE.REFUSED, answers: [], outside: true };
  const labels = q === domain ? [] : q.slice(0, -(domain.length + 1)).split('.');
  const nodata: Answer = { rcode: RCODE.NOERROR, answers: [] };
  const nx: Answer = { rcode: RCODE.NXDOMAIN, answers: [] };
  const wantsA = type === TYPE.A || type === TYPE.ANY;
  // The zone itself and its fixed subdomains.
  if (labels.length === 0 || (labels.length === 1 && (labels[0] === 'svc' || labels[0] === 'pod'))) return nodata;
  const kind = labels[labels.length - 1];
  if (kind === 'pod') {
    if (labels.length !== 3) return labels.length === 2 ? nodata : nx;
    const m = IPV4.exec(labels[0]);
    if (!m || m.slice(1).some((o) => Number(o) > 255)) return nx;
    return wantsA ? { rcode: RCODE.NOERROR, answers: [{ name: q, type: 'A', ttl: TTL, ip: m.slice(1).join('.') }] } : nodata;
  }
  if (kind !== 'svc') return nx;
  const all = [...services];
  const ns = labels[labels.length - 2];
  if (labels.length === 2) return all.some((s) => s.metadata.namespace === ns) ? nodata : nx;
  const svcName = labels[labels.length - 3];
  const svc = all.find((s) => s.metadata.namespace === ns && s.metadata.name === svcName);
  if (!svc?.spec) return nx;
  const fqdn = `${svcName}.${ns}.svc.${domain}`;
  const spec = svc.spec;
  const headless = spec.clusterIP === 'None';
  const endpoints = headless ? readyEndpoints(svcName, ns, slices) : [];
  if (labels.length === 3) {
    if (spec.type === 'ExternalName') {
      return spec.externalName ? { rcode: RCODE.NOERROR, answers: [{ name: q, type: 'CNAME', ttl: TTL, target: spec.externalName.replace(/\.$/, '') }] } : nodata;
    }
    if (type === TYPE.SRV) return { rcode: RCODE.NOERROR, answers: (spec.ports ?? []).filter((p) => p.name).map((p) => srv(q, p.port, fqdn)) };
    if (!wantsA) return nodata;
    if (!headless) return spec.clusterIP ? { rcode: RCODE.NOERROR, answers: [{ name: q, type: 'A', ttl: TTL, ip: spec.clusterIP }] } : nodata;
    return { rcode: RCODE.NOERROR, answers: [...new Set(endpoints.map((e) => e.ip))].sort().map((ip) => ({ name: q, type: 'A' as const, ttl: TTL, ip })) };
  }
  if (labels.length === 4) {
    // <hostname>.<svc>.<ns>.svc: a headless service's endpoint.
    const host = endpoints.filter((e) => e.hostname === labels[0]);
    if (!host.length) return nx;
    return wantsA ? { rcode: RCODE.NOERROR, answers: host.map((e) => ({ name: q, type: 'A' as const, ttl: TTL, ip: e.ip })) } : nodata;
  }
  if (labels.length === 5 && labels[0].startsWith('_') && labels[1].startsWith('_')) {
    const portName = labels[0].slice(1);
    const proto = labels[1].slice(1).toUpperCase();
    const port = (spec.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP') === proto);
    if (!port) return nx;
    return type === TYPE.SRV || type === TYPE.ANY ? { rcode: RCODE.NOERROR, answers: [srv(q, port.port, fqdn)] } : nodata;
  }
  return nx;
}

const srv = (name: string, port: number, target: string): Record => ({ name, type: 'SRV', ttl: TTL, priority: 0, weight: 100, port, target });

function readyEndpoints(svc: string, ns: string, slices: Iterable<Slice>): { ip: string; hostname?: string }[] {
  const out: { ip: string; hostname?: string }[] = [];
  for (const s of slices) {
    if (s.metadata.namespace !== ns || s.metadata.labels?.['kubernetes.io/service-name'] !== svc || (s.addressType && s.addressType !== 'IPv4')) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses ?? []) out.push({ ip, hostname: e.hostname });
    }
  }
  return out;
}
