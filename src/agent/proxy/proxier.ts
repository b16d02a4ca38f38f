// The node's service proxy (kube-proxy, iptables mode): watches Services and EndpointSlices and,
// level-triggered, rewrites this node instance's nat chains in one `iptables-restore --noflush`
// transaction from what they say now (never from a diff of events), then keeps the entry jumps and
// the per-cluster-IP host routes in line. A sync that fails is retried; a resync runs every 30 s.
// Stopping the proxy leaves the rules (pods keep running, as kube-proxy leaves them); `tinykube
// reset` removes them (Runtime.cleanupAll).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../api/strategy.js';
import { parseIPv4 } from '../../api/ipv4.js';
import { parseServiceCidr } from '../../api/resources/serviceallocator.js';
import { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import { ensureEntryJumps, iptablesAvailable, natChains, restoreNat, syncServiceRoutes } from '../runtime/servicenet.js';
import { buildNatRules, isOwnChain, type EndpointAddr, type ServicePortRule } from './rules.js';

type ServiceObj = Service & KubeObject;
type SliceObj = EndpointSlice & KubeObject;

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const DEBOUNCE_MS = 50;
const RESYNC_MS = 30_000;
const RETRY_MS = 1000;

export interface ServiceProxyOptions {
  client: RestClient;
  /** Names this node instance's chains: its bridge name. */
  suffix: string;
  /** The pod network (traffic from outside it to a cluster IP is masqueraded). */
  clusterCidr: string;
  /** Only cluster IPs in this range get rules and routes. */
  serviceCidr: string;
  /** The pod bridge, which the per-cluster-IP host routes go through. */
  bridge: string;
  /** Reports a failed sync (default: stderr). */
  onError?: (e: unknown) => void;
}

/** The service ports with their ready endpoints, from the Services and EndpointSlices (pure). */
export function servicePortRules(services: Iterable<ServiceObj>, slices: Iterable<SliceObj>, inRange: (ip: string) => boolean): ServicePortRule[] {
  const byService = new Map<string, SliceObj[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc || (s.addressType && s.addressType !== 'IPv4')) continue;
    const key = `${s.metadata.namespace}/${svc}`;
    byService.set(key, [...(byService.get(key) ?? []), s]);
  }
  const out: ServicePortRule[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    const ip = spec?.clusterIP;
    if (!spec || spec.type === 'ExternalName' || !ip || ip === 'None' || !inRange(ip)) continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const affinity = spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 : undefined;
    for (const sp of spec.ports ?? []) {
      const protocol = (sp.protocol ?? 'TCP') as ServicePortRule['protocol'];
      const endpoints: EndpointAddr[] = [];
      for (const slice of byService.get(key) ?? []) {
        const port = (slice.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === protocol);
        if (!port?.port) continue;
        for (const ep of slice.endpoints ?? []) {
          if (ep.conditions?.ready === false) continue;
          for (const addr of ep.addresses ?? []) if (parseIPv4(addr) !== undefined) endpoints.push({ ip: addr, port: port.port });
        }
      }
      out.push({ name: `${key}:${sp.name ?? ''}`, clusterIP: ip, port: sp.port, protocol, nodePort: sp.nodePort || undefined, affinitySeconds: affinity, endpoints });
    }
  }
  return out;
}

export class ServiceProxy {
  private readonly services: Informer<ServiceObj>;
  private readonly slices: Informer<SliceObj>;
  private readonly inRange: (ip: string) => boolean;
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly opts: ServiceProxyOptions) {
    const range = parseServiceCidr(opts.serviceCidr);
    this.inRange = (ip) => {
      const n = parseIPv4(ip);
      return n !== undefined && n > range.base && n < range.base + range.size - 1;
    };
    this.services = new Informer<ServiceObj>(opts.client, '/api/v1/services', () => this.schedule());
    this.slices = new Informer<SliceObj>(opts.client, '/apis/discovery.k8s.io/v1/endpointslices', () => this.schedule());
  }

  async start(): Promise<void> {
    if (!iptablesAvailable()) {
      (this.opts.onError ?? defaultOnError)(new Error('iptables, iptables-save or iptables-restore not found: services are not proxied on this node'));
      return;
    }
    await Promise.all([this.services.start(), this.slices.start()]);
    await this.syncNow().catch((e) => {
      (this.opts.onError ?? defaultOnError)(e);
      this.schedule(RETRY_MS);
    });
    this.resync = setInterval(() => this.schedule(), RESYNC_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.resync);
    this.services.stop();
    this.slices.stop();
  }

  /** Resolves once the rules reflect what the informers hold now (for tests and start). */
  async syncNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running.catch(() => {});
    this.running = this.sync().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** A sync soon; one already due covers this one too (a sync in progress is followed by another). */
  private schedule(delay = DEBOUNCE_MS): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.syncNow().catch((e) => {
        (this.opts.onError ?? defaultOnError)(e);
        this.schedule(RETRY_MS);
      });
    }, delay);
  }

  private async sync(): Promise<void> {
    const { suffix, clusterCidr, bridge } = this.opts;
    const rules = servicePortRules(this.services.items.values(), this.slices.items.values(), this.inRange);
    const stale = (await natChains()).filter((c) => isOwnChain(c, suffix));
    const nat = buildNatRules({ suffix, clusterCidr, services: rules, stale });
    await restoreNat(nat.text);
    await ensureEntryJumps(suffix);
    const routed = [...new Set(rules.filter((r) => r.endpoints.length).map((r) => r.clusterIP))];
    await syncServiceRoutes(bridge, this.inRange, routed);
  }
}

const defaultOnError = (e: unknown): void => {
  process.stderr.write(`service proxy: ${e instanceof Error ? e.message : String(e)}\n`);
};
