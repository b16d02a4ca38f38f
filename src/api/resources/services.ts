// core/v1 Services: upstream's defaults (SetDefaults_Service), validation (ValidateService and
// ValidateServiceUpdate), the cluster IP and node port allocation of the service REST storage
// (pkg/registry/core/service/storage: allocateCreate / allocateUpdate, patchAllocatedValues),
// and the table kubectl prints (NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, SELECTOR wide).
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { ApiError, duplicate, forbiddenField, internalError, invalid, invalidObject, notSupported, required, type FieldError } from '../errors.js';
import type { AllocationConfig, Allocator, KubeObject, Mutable } from '../strategy.js';
import { defineStrategy } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';
import { goStringSlice, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidPortName, validateLabels } from '../validation.js';
import { parseIPv4 } from '../ipv4.js';
import { AllocationError, ClusterIPAllocator, NodePortAllocator } from './serviceallocator.js';

export type ServiceObj = Mutable<Service> & KubeObject;
const asService = (o: KubeObject): ServiceObj => o as ServiceObj;
const arr = <T>(v: T[] | undefined | null): T[] => (Array.isArray(v) ? v : []);

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const MAX_AFFINITY_TIMEOUT = 86400;

const usesNodePorts = (spec: ServiceSpec): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const isHeadless = (spec: ServiceSpec): boolean => spec.clusterIP === 'None';

/** upstream's SetDefaults_Service (and the port defaults of SetDefaults_ServicePort). */
export function defaultService(svc: ServiceObj, create = true): void {
  const spec = (svc.spec ??= {});
  if (typeof spec !== 'object') return;
  spec.sessionAffinity ||= 'None';
  spec.type ||= 'ClusterIP';
  for (const p of arr(spec.ports)) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  if (usesNodePorts(spec)) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  // On create, clusterIPs and clusterIP agree: the one given fills the other (upstream's
  // normalizeClusterIPs; updates are normalized against the old object, see normalizeUpdate).
  if (create && spec.clusterIP && !arr(spec.clusterIPs).length) spec.clusterIPs = [spec.clusterIP];
  else if (create && !spec.clusterIP && arr(spec.clusterIPs).length) spec.clusterIP = spec.clusterIPs![0];
  if (spec.type === 'ExternalName') return;
  // A single-stack IPv4 cluster: every service gets IPv4 only.
  spec.ipFamilyPolicy ||= 'SingleStack';
  if (!arr(spec.ipFamilies).length) spec.ipFamilies = ['IPv4'];
}

// ---------- validation ----------

function validatePorts(spec: ServiceSpec, errs: FieldError[]): void {
  const ports = arr(spec.ports);
  if (!ports.length && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p: ServicePort, i) => {
    const path = `spec.ports[${i}]`;
    if (!p || typeof p !== 'object') { errs.push(invalid(path, p, 'must be an object')); return; }
    if (ports.length > 1 && !p.name) errs.push(required(`${path}.name`));
    if (p.name) {
      for (const msg of isDNS1123Label(p.name)) errs.push(invalid(`${path}.name`, p.name, msg));
      if (names.has(p.name)) errs.push(duplicate(`${path}.name`, p.name));
      names.add(p.name);
    }
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errs.push(invalid(`${path}.port`, p.port, 'must be between 1 and 65535, inclusive'));
    if (!p.protocol) errs.push(required(`${path}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
    const tp = p.targetPort;
    if (typeof tp === 'number') {
      if (!Number.isInteger(tp) || tp < 1 || tp > 65535) errs.push(invalid(`${path}.targetPort`, tp, 'must be between 1 and 65535, inclusive'));
    } else if (typeof tp === 'string') {
      for (const msg of isValidPortName(tp)) errs.push(invalid(`${path}.targetPort`, tp, msg));
    }
    if (p.nodePort !== undefined && p.nodePort !== null && p.nodePort !== 0) {
      if (!usesNodePorts(spec)) errs.push(forbiddenField(`${path}.nodePort`, `may not be used when \`type\` is '${spec.type}'`));
      else if (!Number.isInteger(p.nodePort) || p.nodePort < 1 || p.nodePort > 65535) errs.push(invalid(`${path}.nodePort`, p.nodePort, 'must be between 1 and 65535, inclusive'));
    }
    const key = `${p.port}/${p.protocol}`;
    if (keys.has(key)) errs.push(duplicate(path, { port: p.port, protocol: p.protocol }));
    keys.add(key);
  });
  // One node port per protocol: the same port twice for the same protocol is a duplicate.
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p?.nodePort) return;
    const key = `${p.nodePort}/${p.protocol}`;
    if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  });
}

function validateClusterIPs(spec: ServiceSpec, errs: FieldError[]): void {
  const ips = arr(spec.clusterIPs);
  if (spec.type === 'ExternalName') {
    if (spec.clusterIP || ips.length) errs.push(forbiddenField('spec.clusterIPs', 'may not be set for ExternalName services'));
    return;
  }
  if (spec.clusterIP && ips.length && spec.clusterIP !== ips[0]) {
    errs.push(invalid('spec.clusterIPs', goStringSlice(ips), 'first value must match `clusterIP`'));
  }
  if (ips.length > 1) errs.push(invalid('spec.clusterIPs', goStringSlice(ips), 'may only hold up to 1 values in a single-stack cluster'));
  ips.forEach((ip, i) => {
    if (ip === 'None') {
      if (i > 0 || ips.length > 1) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, "'None' must be the first and only value"));
      else if (usesNodePorts(spec)) errs.push(invalid('spec.clusterIPs[0]', ip, `may not be set to 'None' for ${spec.type} services`));
      return;
    }
    if (ip && parseIPv4(ip) === undefined) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, "must be empty, 'None', or a valid IP address"));
  });
}

export function validateService(obj: KubeObject): FieldError[] {
  const svc = asService(obj);
  const errs: FieldError[] = [];
  for (const msg of isDNS1035Label(svc.metadata.name ?? '')) errs.push(invalid('metadata.name', svc.metadata.name, msg));
  const spec = svc.spec;
  if (!spec || typeof spec !== 'object') return [...errs, required('spec')];
  if (!spec.type || !TYPES.includes(spec.type)) errs.push(spec.type ? notSupported('spec.type', spec.type, TYPES) : required('spec.type'));
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else for (const msg of isDNS1123Subdomain(spec.externalName.replace(/\.$/, ''))) errs.push(invalid('spec.externalName', spec.externalName, msg));
  }
  validatePorts(spec, errs);
  validateClusterIPs(spec, errs);
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (spec.sessionAffinity && !AFFINITIES.includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && timeout !== undefined && !(timeout > 0 && timeout <= MAX_AFFINITY_TIMEOUT)) {
    errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, `must be greater than 0 and less than ${MAX_AFFINITY_TIMEOUT}`));
  }
  if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbiddenField('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (spec.externalTrafficPolicy) {
    if (!usesNodePorts(spec)) errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set when `type` is \'NodePort\' or \'LoadBalancer\''));
    else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.internalTrafficPolicy && !TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  if (spec.ipFamilyPolicy && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  if (spec.ipFamilyPolicy === 'RequireDualStack') errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  arr(spec.ipFamilies).forEach((f, i) => {
    if (f === 'IPv6') errs.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
    else if (f !== 'IPv4') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  });
  arr(spec.externalIPs).forEach((ip, i) => {
    if (parseIPv4(ip) === undefined) errs.push(invalid(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  return errs;
}

/**
 * What an update may not change (ValidateServiceUpdate): the cluster IP once set, unless the type
 * goes to or from ExternalName.
 */
function validateServiceUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateService(obj);
  const spec = asService(obj).spec;
  const prev = asService(old).spec;
  if (!spec || !prev || spec.type === 'ExternalName' || prev.type === 'ExternalName') return errs;
  if (isHeadless(spec) && isHeadless(prev)) return errs;
  const before = arr(prev.clusterIPs);
  const after = arr(spec.clusterIPs);
  if (before.length === after.length) {
    before.forEach((ip, i) => { if (ip !== after[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, goStringSlice(after), 'may not change once set')); });
  } else if (before.length > after.length && !after.length) {
    errs.push(invalid('spec.clusterIPs[0]', goStringSlice(after), 'primary clusterIP can not be unset'));
  }
  return errs;
}

/**
 * upstream's patchAllocatedValues: an update that leaves out the cluster IP or a node port (as
 * `kubectl apply` and `replace` of a manifest do) keeps the allocated one.
 */
function keepAllocated(svc: ServiceObj, old: ServiceObj): void {
  const spec = svc.spec;
  const prev = old.spec;
  if (!spec || typeof spec !== 'object' || !prev) return;
  dropTypeDependentFields(spec, prev);
  if (spec.type !== 'ExternalName' && prev.type !== 'ExternalName') {
    if (!spec.clusterIP) spec.clusterIP = prev.clusterIP;
    if (!arr(spec.clusterIPs).length && arr(prev.clusterIPs).length) spec.clusterIPs = [...arr(prev.clusterIPs)];
  }
  normalizeUpdate(spec, prev);
  if (usesNodePorts(spec) && usesNodePorts(prev)) {
    for (const p of arr(spec.ports)) {
      if (!p || p.nodePort) continue;
      const same = arr(prev.ports).find((q) => q.port === p.port && q.protocol === p.protocol) ?? arr(prev.ports).find((q) => q.name && q.name === p.name);
      if (same?.nodePort) p.nodePort = same.nodePort;
    }
  }
}

/** upstream's normalizeClusterIPs for an update: what a client that knows only one of the two fields meant. */
function normalizeUpdate(spec: Mutable<ServiceSpec>, prev: ServiceSpec): void {
  const same = JSON.stringify(arr(spec.clusterIPs)) === JSON.stringify(arr(prev.clusterIPs));
  if (arr(prev.clusterIPs).length && !arr(spec.clusterIPs).length && prev.clusterIP === spec.clusterIP) spec.clusterIPs = [...arr(prev.clusterIPs)];
  if (prev.clusterIP !== spec.clusterIP) {
    if (prev.clusterIP && !spec.clusterIP) { if (same) delete spec.clusterIPs; }
    else if (same) spec.clusterIPs = [spec.clusterIP!];
  }
}

/**
 * upstream's dropTypeDependentFields: a type change drops what only the old type had, when the
 * update left it as it was (node ports and externalTrafficPolicy leaving NodePort/LoadBalancer,
 * the cluster IP and IP families going to ExternalName).
 */
function dropTypeDependentFields(spec: Mutable<ServiceSpec>, prev: ServiceSpec): void {
  if (spec.type === prev.type) return;
  if (!usesNodePorts(spec) && usesNodePorts(prev)) {
    for (const p of arr(spec.ports)) {
      if (p?.nodePort && arr(prev.ports).some((q) => q.nodePort === p.nodePort)) delete p.nodePort;
    }
    if (spec.externalTrafficPolicy === prev.externalTrafficPolicy) delete spec.externalTrafficPolicy;
    if (spec.healthCheckNodePort === prev.healthCheckNodePort) delete spec.healthCheckNodePort;
  }
  if (spec.type === 'ExternalName' && prev.type !== 'ExternalName') {
    if (spec.clusterIP === prev.clusterIP) { delete spec.clusterIP; delete spec.clusterIPs; }
    if (JSON.stringify(spec.ipFamilies) === JSON.stringify(prev.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === prev.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === prev.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
}

// ---------- allocation ----------

class ServiceAllocator implements Allocator {
  private readonly ips: ClusterIPAllocator;
  private readonly ports: NodePortAllocator;

  constructor(config: AllocationConfig) {
    this.ips = new ClusterIPAllocator(config.serviceCidr);
    this.ports = new NodePortAllocator(config.nodePortRange[0], config.nodePortRange[1]);
  }

  get serviceCidr(): string {
    return this.ips.range.cidr;
  }

  allocate(obj: KubeObject, oldObj: KubeObject | undefined, stored: () => KubeObject[], dryRun: boolean): () => void {
    const svc = asService(obj);
    const old = oldObj ? asService(oldObj) : undefined;
    const spec = svc.spec!;
    this.currentName = svc.metadata.name ?? '';
    const others = stored().filter((o) => o.metadata.uid !== svc.metadata.uid).map((o) => asService(o).spec ?? {});
    const releases: (() => void)[] = [];
    const release = () => { for (const r of releases) r(); };
    try {
      this.allocateClusterIP(spec, old?.spec, others, dryRun, releases);
      this.allocateNodePorts(spec, old?.spec, others, dryRun, releases);
    } catch (e) {
      release();
      throw e;
    }
    return release;
  }

  /** The service being allocated for, named in error messages. */
  private currentName = '';

  private invalid(errors: FieldError[]): ApiError {
    return invalidObject('Service', '', this.currentName, errors);
  }

  private allocateClusterIP(spec: ServiceSpec, prev: ServiceSpec | undefined, others: ServiceSpec[], dryRun: boolean, releases: (() => void)[]): void {
    if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
      delete spec.ipFamilies;
      delete spec.ipFamilyPolicy;
      return;
    }
    const wanted = spec.clusterIP;
    if (wanted === 'None') return;
    // Kept from before (an update of a service that has its address): nothing to allocate.
    if (wanted && prev?.clusterIP === wanted && prev.type !== 'ExternalName') return;
    const inUse = others.map((s) => s.clusterIP).filter((ip): ip is string => !!ip && ip !== 'None');
    try {
      if (wanted) {
        releases.push(this.ips.allocateSpecific(wanted, inUse, dryRun));
      } else {
        const got = this.ips.allocateNext(inUse, dryRun);
        releases.push(got.release);
        spec.clusterIP = got.ip;
        spec.clusterIPs = [got.ip];
      }
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      if (!wanted) throw internalError(new Error(`failed to allocate a serviceIP: ${e.message}`));
      throw this.invalid([invalid('spec.clusterIPs', goStringSlice([wanted]), `failed to allocate IP ${wanted}: ${e.message}`)]);
    }
  }

  private allocateNodePorts(spec: ServiceSpec, prev: ServiceSpec | undefined, others: ServiceSpec[], dryRun: boolean, releases: (() => void)[]): void {
    const ports = arr(spec.ports);
    if (!usesNodePorts(spec)) {
      for (const p of ports) delete p.nodePort;
      return;
    }
    if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === false && !ports.some((p) => p.nodePort)) return;
    const inUse = others.flatMap((s) => (usesNodePorts(s) ? arr(s.ports).map((p) => p.nodePort).filter((n): n is number => !!n) : []));
    const had = new Set(prev && usesNodePorts(prev) ? arr(prev.ports).map((p) => p.nodePort).filter((n): n is number => !!n) : []);
    const mine = new Set<number>();
    const errors: FieldError[] = [];
    ports.forEach((p, i) => {
      if (!p) return;
      if (p.nodePort) {
        // Already this service's (kept across an update, or used by another protocol of it).
        if (had.has(p.nodePort) || mine.has(p.nodePort)) { mine.add(p.nodePort); return; }
        try {
          releases.push(this.ports.allocateSpecific(p.nodePort, inUse, dryRun));
          mine.add(p.nodePort);
        } catch (e) {
          if (!(e instanceof AllocationError)) throw e;
          errors.push(invalid(`spec.ports[${i}].nodePort`, p.nodePort, e.message));
        }
        return;
      }
      // Same port number, other protocol: share the node port (upstream does the same).
      const sibling = ports.find((q) => q !== p && q.port === p.port && q.nodePort);
      if (sibling?.nodePort) { p.nodePort = sibling.nodePort; return; }
      try {
        const got = this.ports.allocateNext([...inUse, ...mine], dryRun);
        releases.push(got.release);
        p.nodePort = got.port;
        mine.add(got.port);
      } catch (e) {
        if (!(e instanceof AllocationError)) throw e;
        throw internalError(new Error(`failed to allocate a nodePort: ${e.message}`));
      }
    });
    if (errors.length) throw this.invalid(errors);
  }
}

// ---------- table ----------

function externalIP(spec: ServiceSpec, status: Service['status']): string {
  switch (spec.type) {
    case 'ExternalName': return spec.externalName ?? '<none>';
    case 'LoadBalancer': {
      const ing = arr(status?.loadBalancer?.ingress).map((i) => i.ip || i.hostname || '').filter(Boolean);
      const all = [...ing, ...arr(spec.externalIPs)];
      return all.length ? all.join(',') : '<pending>';
    }
    default:
      return arr(spec.externalIPs).length ? arr(spec.externalIPs).join(',') : '<none>';
  }
}

/** upstream's makePortString: `80/TCP`, `80:30080/TCP`, joined by commas. */
export function portsText(ports: readonly ServicePort[] | undefined): string {
  const list = arr(ports as ServicePort[]);
  if (!list.length) return '<none>';
  return list.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
}

const selectorText = (sel: Record<string, string> | undefined): string =>
  sel && Object.keys(sel).length ? Object.entries(sel).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',') : '<none>';

export const serviceStrategy = defineStrategy<ServiceObj>({
  resource: { group: '', version: 'v1', kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'] },
  // Service names are DNS-1035 labels, checked (with upstream's message) by validate.
  nameRule: 'path-segment',
  prepareForCreate: (svc) => defaultService(svc),
  validate: validateService,
  prepareForUpdate(svc, old) {
    keepAllocated(svc, old);
    defaultService(svc, false);
  },
  validateUpdate: validateServiceUpdate,
  status: { initial: () => ({ loadBalancer: {} }) },
  allocator: (config) => new ServiceAllocator(config),
  selectableFields: (svc) => ({ 'spec.clusterIP': svc.spec?.clusterIP ?? '', 'spec.type': svc.spec?.type ?? '' }),
  columns: [
    nameColumn,
    column('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.', (svc) => svc.spec?.type ?? ''),
    column('Cluster-IP', 'string', 'The virtual address the service is reached at inside the cluster (None for a headless service).',
      (svc) => (svc.spec?.type === 'ExternalName' ? '<none>' : (arr(svc.spec?.clusterIPs).join(',') || svc.spec?.clusterIP || '<none>'))),
    column('External-IP', 'string', 'Addresses the service is reached at from outside the cluster.', (svc) => externalIP(svc.spec ?? {}, svc.status)),
    column('Port(s)', 'string', 'The ports the service exposes, with their node ports.', (svc) => portsText(svc.spec?.ports)),
    ageColumn,
    column('Selector', 'string', 'The labels of the pods the service routes to.', (svc) => selectorText(svc.spec?.selector), { wide: true }),
  ],
});
