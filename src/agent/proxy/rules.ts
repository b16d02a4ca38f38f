// The iptables rules of the node's service proxy, as upstream's kube-proxy iptables mode
// (pkg/proxy/iptables/proxier.go) writes them, in the nat table only: a SERVICES chain matching
// each cluster IP:port (and a NODEPORTS chain for node ports on local addresses), one chain per
// service port that picks an endpoint at random per connection (statistic mode random, with
// probabilities 1/n, 1/(n-1), … so each is equally likely), one chain per endpoint that DNATs,
// and masquerading of hairpin traffic (a pod reaching itself), of traffic from outside the pod
// network and of node-port traffic (MARK-MASQ + POSTROUTING).
//
// Every chain is named for this node instance (the suffix: its bridge name), so several clusters
// on one machine never touch each other's chains: fixed chains `TK-SERVICES-<b>`, `TK-NODEPORTS-<b>`,
// `TK-POSTRTG-<b>`, `TK-MARK-MASQ-<b>`, per service port `TKS-<hash8>-<b>`, per endpoint
// `TKE-<hash8>-<b>` (iptables allows 28 characters: a bridge name has at most 15).
import { createHash } from 'node:crypto';

export const MASQ_MARK = '0x4000';

export interface EndpointAddr { ip: string; port: number }

/** One port of one Service, with its ready endpoints. */
export interface ServicePortRule {
  /** `namespace/name:portName` (portName may be empty), as upstream's ServicePortName. */
  name: string;
  clusterIP: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  nodePort?: number;
  /** Seconds of ClientIP session affinity, if any. */
  affinitySeconds?: number;
  endpoints: EndpointAddr[];
}

export interface ChainNames {
  services: string;
  nodePorts: string;
  postrouting: string;
  markMasq: string;
}

export function fixedChains(suffix: string): ChainNames {
  return { services: `TK-SERVICES-${suffix}`, nodePorts: `TK-NODEPORTS-${suffix}`, postrouting: `TK-POSTRTG-${suffix}`, markMasq: `TK-MARK-MASQ-${suffix}` };
}

const hash8 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

export const servicePortChain = (p: Pick<ServicePortRule, 'name' | 'protocol'>, suffix: string): string => `TKS-${hash8(`${p.name}/${p.protocol}`)}-${suffix}`;
export const endpointChain = (p: Pick<ServicePortRule, 'name' | 'protocol'>, ep: EndpointAddr, suffix: string): string =>
  `TKE-${hash8(`${p.name}/${p.protocol}/${ep.ip}:${ep.port}`)}-${suffix}`;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `chain` is one this node instance (`suffix`) creates: nothing else is ever touched. */
export function isOwnChain(chain: string, suffix: string): boolean {
  const fixed = Object.values(fixedChains(suffix));
  if (fixed.includes(chain)) return true;
  return new RegExp(`^TK[SE]-[0-9a-f]{8}-${escapeRe(suffix)}$`).test(chain);
}

/** The jumps from the built-in nat chains into this instance's chains: [built-in chain, target]. */
export function entryJumps(suffix: string): [string, string][] {
  const c = fixedChains(suffix);
  return [['PREROUTING', c.services], ['OUTPUT', c.services], ['POSTROUTING', c.postrouting]];
}

export const entryComment = (suffix: string): string => `tinykube service portals ${suffix}`;

const proto = (p: ServicePortRule['protocol']): string => p.toLowerCase();

/** upstream's probability text: %0.10f of 1/n. */
const probability = (n: number): string => (1 / n).toFixed(10);

export interface NatRules {
  /** iptables-restore input for the nat table (use with --noflush). */
  text: string;
  /** Every chain the rules use. */
  chains: string[];
}

/**
 * The whole nat content of this instance: each owned chain is declared (which flushes it) and
 * refilled; `stale` chains (owned, existing, no longer wanted) are flushed and deleted in the same
 * transaction.
 */
export function buildNatRules(opts: { suffix: string; clusterCidr: string; services: ServicePortRule[]; stale?: string[] }): NatRules {
  const { suffix, clusterCidr } = opts;
  const c = fixedChains(suffix);
  const chains = [c.services, c.nodePorts, c.postrouting, c.markMasq];
  const rules: string[] = [
    `-A ${c.markMasq} -j MARK --or-mark ${MASQ_MARK}`,
    `-A ${c.postrouting} -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A ${c.postrouting} -j MARK --xor-mark ${MASQ_MARK}`,
    `-A ${c.postrouting} -m comment --comment "tinykube service traffic requiring SNAT" -j MASQUERADE`,
  ];
  const sorted = [...opts.services].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : 1));
  for (const sp of sorted) {
    const endpoints = dedupe(sp.endpoints);
    if (!endpoints.length) continue;
    const svcChain = servicePortChain(sp, suffix);
    const pr = proto(sp.protocol);
    const match = `-p ${pr} -m ${pr} --dport ${sp.port}`;
    chains.push(svcChain);
    rules.push(`-A ${c.services} -d ${sp.clusterIP}/32 ${match} -m comment --comment "${sp.name} cluster IP" -j ${svcChain}`);
    if (sp.nodePort) {
      const npMatch = `-p ${pr} -m ${pr} --dport ${sp.nodePort}`;
      rules.push(`-A ${c.nodePorts} ${npMatch} -m comment --comment "${sp.name}" -j ${c.markMasq}`);
      rules.push(`-A ${c.nodePorts} ${npMatch} -m comment --comment "${sp.name}" -j ${svcChain}`);
    }
    rules.push(`-A ${svcChain} ! -s ${clusterCidr} -d ${sp.clusterIP}/32 ${match} -m comment --comment "${sp.name} cluster IP" -j ${c.markMasq}`);
    const epChains = endpoints.map((ep) => endpointChain(sp, ep, suffix));
    if (sp.affinitySeconds) {
      endpoints.forEach((ep, i) => {
        rules.push(`-A ${svcChain} -m comment --comment "${sp.name} -> ${ep.ip}:${ep.port}" -m recent --name ${epChains[i]} --mask 255.255.255.255 --rsource --rcheck --seconds ${sp.affinitySeconds} --reap -j ${epChains[i]}`);
      });
    }
    endpoints.forEach((ep, i) => {
      const left = endpoints.length - i;
      const stat = left > 1 ? ` -m statistic --mode random --probability ${probability(left)}` : '';
      rules.push(`-A ${svcChain} -m comment --comment "${sp.name} -> ${ep.ip}:${ep.port}"${stat} -j ${epChains[i]}`);
    });
    endpoints.forEach((ep, i) => {
      const epChain = epChains[i];
      chains.push(epChain);
      const recent = sp.affinitySeconds ? ` -m recent --name ${epChain} --mask 255.255.255.255 --rsource --set` : '';
      rules.push(`-A ${epChain} -s ${ep.ip}/32 -m comment --comment "${sp.name}" -j ${c.markMasq}`);
      rules.push(`-A ${epChain} -p ${pr} -m comment --comment "${sp.name}"${recent} -m ${pr} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
    });
  }
  // Node ports on this node's own addresses (not loopback: that needs route_localnet), last.
  rules.push(`-A ${c.services} ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -m comment --comment "tinykube service nodeports" -j ${c.nodePorts}`);
  const stale = (opts.stale ?? []).filter((s) => isOwnChain(s, suffix) && !chains.includes(s));
  const lines = ['*nat', ...[...chains, ...stale].map((ch) => `:${ch} - [0:0]`), ...rules, ...stale.map((ch) => `-X ${ch}`), 'COMMIT', ''];
  return { text: lines.join('\n'), chains };
}

function dedupe(eps: EndpointAddr[]): EndpointAddr[] {
  const seen = new Set<string>();
  const out: EndpointAddr[] = [];
  for (const ep of [...eps].sort((a, b) => (`${a.ip}:${a.port}` < `${b.ip}:${b.port}` ? -1 : 1))) {
    const k = `${ep.ip}:${ep.port}`;
    if (!seen.has(k)) { seen.add(k); out.push(ep); }
  }
  return out;
}

/** The chains named in `iptables-save -t nat` output (`:NAME POLICY [p:b]` lines). */
export function savedChains(save: string): string[] {
  return [...save.matchAll(/^:(\S+) /gm)].map((m) => m[1]);
}
