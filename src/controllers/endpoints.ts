// The endpoints and endpointslice controllers, as upstream's (pkg/controller/endpoint and
// pkg/controller/endpointslice): for every Service with a selector, the pods it selects become its
// endpoints — ready pods as `addresses` / `conditions.ready: true`, the others as
// `notReadyAddresses` / `ready: false` — with the port each service port's targetPort names on the
// pod. Services without a selector are left alone (their endpoints are written by hand, as the
// API server does for `kubernetes`). Level-triggered: each pass compares the wanted objects with
// the stored ones and writes only the difference; a pod event requeues the services it belongs (or
// belonged) to.
import { isDeepStrictEqual } from 'node:util';
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort as SlicePort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { selectorFromLabelSelector, type Selector } from '../api/labels.js';
import type { KubeObject, Mutable } from '../api/strategy.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { isConflict, isNotFound, isPodReady, objectKey, splitKey, type PodObj } from './replicaset.js';
import { WorkQueue } from '../client/workqueue.js';

type ServiceObj = Mutable<Service> & KubeObject;
type EndpointsObj = KubeObject & { subsets?: EndpointSubset[] };
type SliceObj = Mutable<EndpointSlice> & KubeObject;

const RESYNC_MS = 30_000;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const SLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const MAX_ENDPOINTS_PER_SLICE = 100;

const arr = <T>(v: readonly T[] | undefined | null): T[] => (Array.isArray(v) ? [...v] : []);

/** The selector of a service that has one (an empty selector selects nothing, as upstream). */
function serviceSelector(svc: ServiceObj): Selector | undefined {
  const sel = svc.spec?.selector;
  if (!sel || !Object.keys(sel).length) return undefined;
  return selectorFromLabelSelector({ matchLabels: sel });
}

/**
 * upstream's podutil.FindPort: the container port a service port's targetPort means on this pod
 * (a number as is; a name looked up among the containers' ports with the same protocol).
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of arr(pod.spec?.containers)) {
    for (const cp of arr(c.ports)) if (cp.name === target && (cp.protocol ?? 'TCP') === (port.protocol ?? 'TCP')) return cp.containerPort;
  }
  return undefined;
}

/** upstream's ShouldPodBeInEndpoints: has an IP, has not finished, is not being deleted (unless kept). */
export function podIsEndpoint(pod: PodObj, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  if (pod.status.phase === 'Failed' || pod.status.phase === 'Succeeded') return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

const ipKey = (ip: string): string => ip.split('.').map((o) => o.padStart(3, '0')).join('.');
const byIP = <T>(ip: (x: T) => string) => (a: T, b: T): number => (ipKey(ip(a)) < ipKey(ip(b)) ? -1 : ipKey(ip(a)) > ipKey(ip(b)) ? 1 : 0);

/** The Endpoints subsets for `svc` from its pods, repacked (one subset per set of ports) and sorted. */
export function desiredSubsets(svc: ServiceObj, pods: PodObj[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const headless = svc.spec?.clusterIP === 'None';
  for (const pod of pods) {
    if (!podIsEndpoint(pod, tolerateUnready)) continue;
    const address: Mutable<EndpointAddress> = {
      ip: pod.status!.podIP!, nodeName: pod.spec?.nodeName,
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    if (!address.nodeName) delete address.nodeName;
    if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace) address.hostname = pod.spec.hostname;
    const ready = tolerateUnready || isPodReady(pod);
    const ports: EndpointPort[] = [];
    for (const sp of arr(svc.spec?.ports)) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: Mutable<EndpointPort> = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    // A pod none of whose ports can be resolved is no endpoint (unless the service has no ports: headless).
    if (!ports.length && (arr(svc.spec?.ports).length || !headless)) continue;
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (ready ? g.ready : g.notReady).push(address);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const s: Mutable<EndpointSubset> = {};
    if (g.ready.length) s.addresses = g.ready.sort(byIP((a) => a.ip));
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIP((a) => a.ip));
    if (g.ports.length) s.ports = g.ports;
    subsets.push(s);
  }
  return subsets.sort((a, b) => (JSON.stringify(a.ports ?? []) < JSON.stringify(b.ports ?? []) ? -1 : 1));
}

/** The endpoints of one port set, as EndpointSlice content (without metadata). */
export interface SliceContent { ports: SlicePort[]; endpoints: Endpoint[] }

/** The slices `svc` should have: one per set of resolved ports, at most 100 endpoints each. */
export function desiredSlices(svc: ServiceObj, pods: PodObj[]): SliceContent[] {
  const groups = new Map<string, SliceContent>();
  const headless = svc.spec?.clusterIP === 'None';
  for (const pod of pods) {
    if (!podIsEndpoint(pod, true)) continue;
    const terminating = !!pod.metadata.deletionTimestamp;
    const serving = isPodReady(pod);
    const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
    const ports: SlicePort[] = [];
    for (const sp of arr(svc.spec?.ports)) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const p: Mutable<SlicePort> = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) p.appProtocol = sp.appProtocol;
      ports.push(p);
    }
    if (!ports.length && (arr(svc.spec?.ports).length || !headless)) continue;
    const ep: Mutable<Endpoint> = {
      addresses: [pod.status!.podIP!],
      conditions: { ready, serving, terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
    if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name) ep.hostname = pod.spec.hostname;
    const key = JSON.stringify(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(ep);
  }
  const out: SliceContent[] = [];
  for (const g of groups.values()) {
    g.endpoints.sort(byIP((e) => e.addresses[0]));
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
  }
  // A service with a selector and no endpoints still gets one (empty) slice, as upstream.
  if (!out.length) out.push({ ports: [], endpoints: [] });
  return out;
}

/** Labels the endpoints objects carry: the service's, plus the headless marker. */
function endpointLabels(svc: ServiceObj): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  return labels;
}

/** Services and pods watched, and a queue of service keys fed by both (the part both controllers share). */
abstract class ServiceEndpointsController {
  protected readonly queue = new WorkQueue();
  protected readonly services: Informer<ServiceObj>;
  protected readonly pods: Informer<PodObj>;
  /** The services each pod was last seen to belong to, so a pod that leaves one requeues it. */
  private readonly memberships = new Map<string, Set<string>>();
  private resync?: NodeJS.Timeout;

  constructor(protected readonly client: RestClient) {
    this.services = new Informer<ServiceObj>(client, '/api/v1/services', (_type, svc) => this.queue.add(objectKey(svc)));
    this.pods = new Informer<PodObj>(client, '/api/v1/pods', (type, pod) => this.onPod(type, pod));
  }

  protected abstract ownInformers(): Informer<KubeObject>[];

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.pods.start(), ...this.ownInformers().map((i) => i.start())]);
    void this.queue.run((key) => this.reconcile(key), 2);
    this.resync = setInterval(() => { for (const key of this.services.items.keys()) this.queue.add(key); }, RESYNC_MS);
  }

  stop(): void {
    clearInterval(this.resync);
    this.services.stop();
    this.pods.stop();
    for (const i of this.ownInformers()) i.stop();
    this.queue.stop();
  }

  private onPod(type: string, pod: PodObj): void {
    const key = objectKey(pod);
    const now = new Set<string>();
    if (type !== 'DELETED') {
      for (const svc of this.services.items.values()) {
        if (svc.metadata.namespace !== pod.metadata.namespace) continue;
        if (serviceSelector(svc)?.matches(pod.metadata.labels ?? {})) now.add(objectKey(svc));
      }
    }
    const before = this.memberships.get(key) ?? new Set<string>();
    for (const s of new Set([...before, ...now])) this.queue.add(s);
    if (now.size) this.memberships.set(key, now);
    else this.memberships.delete(key);
  }

  /** The pods of the service's namespace its selector picks. */
  protected selectedPods(svc: ServiceObj, selector: Selector): PodObj[] {
    const out: PodObj[] = [];
    for (const pod of this.pods.items.values()) {
      if (pod.metadata.namespace === svc.metadata.namespace && selector.matches(pod.metadata.labels ?? {})) out.push(pod);
    }
    return out;
  }

  protected abstract reconcile(key: string): Promise<void>;
}

export class EndpointsController extends ServiceEndpointsController {
  private readonly endpoints: Informer<EndpointsObj>;

  constructor(client: RestClient) {
    super(client);
    this.endpoints = new Informer<EndpointsObj>(client, '/api/v1/endpoints', (type, ep) => {
      // An Endpoints object deleted or changed by someone else is put back.
      if (this.services.items.has(objectKey(ep)) || type === 'DELETED') this.queue.add(objectKey(ep));
    });
  }

  protected ownInformers(): Informer<KubeObject>[] {
    return [this.endpoints as Informer<KubeObject>];
  }

  protected async reconcile(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const path = `/api/v1/namespaces/${ns}/endpoints/${name}`;
    const svc = this.services.items.get(key);
    const current = this.endpoints.items.get(key);
    if (!svc) {
      // The service is gone: so are its endpoints (only those this controller could have written).
      if (current && !current.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror']) {
        await this.client.delete(path).catch((e) => { if (!isNotFound(e)) throw e; });
      }
      return;
    }
    const selector = serviceSelector(svc);
    if (!selector) return;
    const subsets = desiredSubsets(svc, this.selectedPods(svc, selector));
    const labels = endpointLabels(svc);
    if (current && isDeepStrictEqual(current.subsets ?? [], subsets) && isDeepStrictEqual(current.metadata.labels ?? {}, labels)) return;
    const body = {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name, namespace: ns, labels, ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}) },
      // No endpoints: no subsets field at all, as upstream's nil slice.
      ...(subsets.length ? { subsets } : {}),
    };
    try {
      if (current) await this.client.put(path, body);
      else await this.client.post(`/api/v1/namespaces/${ns}/endpoints`, body);
    } catch (e) {
      // A stale cache (conflict, or created meanwhile): the informer brings the news and requeues.
      if (isConflict(e)) { this.queue.addAfter(key, 200); return; }
      if (isNotFound(e)) return; // the namespace is going away
      throw e;
    }
  }
}

export class EndpointSliceController extends ServiceEndpointsController {
  private readonly slices: Informer<SliceObj>;

  constructor(client: RestClient) {
    super(client);
    this.slices = new Informer<SliceObj>(client, `/apis/discovery.k8s.io/v1/endpointslices?labelSelector=${encodeURIComponent(`${MANAGED_BY_LABEL}=${SLICE_CONTROLLER_NAME}`)}`, (_type, slice) => {
      const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc) this.queue.add(`${slice.metadata.namespace}/${svc}`);
    });
  }

  protected ownInformers(): Informer<KubeObject>[] {
    return [this.slices as unknown as Informer<KubeObject>];
  }

  private slicesOf(ns: string, name: string): SliceObj[] {
    return [...this.slices.items.values()].filter((s) => s.metadata.namespace === ns && s.metadata.labels?.[SERVICE_NAME_LABEL] === name);
  }

  protected async reconcile(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const base = `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`;
    const svc = this.services.items.get(key);
    const existing = this.slicesOf(ns, name);
    const selector = svc ? serviceSelector(svc) : undefined;
    if (!svc || !selector) {
      // The garbage collector would remove them through the owner reference; do it at once.
      for (const s of existing) await this.client.delete(`${base}/${s.metadata.name}`).catch((e) => { if (!isNotFound(e)) throw e; });
      return;
    }
    const wanted = desiredSlices(svc, this.selectedPods(svc, selector));
    const labels = { ...endpointLabels(svc), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: SLICE_CONTROLLER_NAME };
    const owner = { apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
    const content = (s: SliceObj): SliceContent => ({ ports: (s.ports ?? []) as SlicePort[], endpoints: (s.endpoints ?? []) as Endpoint[] });
    const ownedRight = (s: SliceObj): boolean => s.metadata.ownerReferences?.some((r) => r.uid === owner.uid) ?? false;
    // Keep the slices that already hold what is wanted; reuse the others for what is left.
    const unmatched: SliceContent[] = [];
    const spare = [...existing];
    for (const w of wanted) {
      const i = spare.findIndex((s) => isDeepStrictEqual(content(s), w) && isDeepStrictEqual(s.metadata.labels ?? {}, labels) && ownedRight(s));
      if (i >= 0) spare.splice(i, 1);
      else unmatched.push(w);
    }
    try {
      for (const w of unmatched) {
        const reuse = spare.shift();
        const body = {
          apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
          metadata: reuse
            ? { ...reuse.metadata, labels, ownerReferences: [owner] }
            : { generateName: `${name}-`, namespace: ns, labels, ownerReferences: [owner] },
          addressType: 'IPv4', ports: w.ports, endpoints: w.endpoints,
        };
        if (reuse) await this.client.put(`${base}/${reuse.metadata.name}`, body);
        else await this.client.post(base, body);
      }
      for (const s of spare) await this.client.delete(`${base}/${s.metadata.name}`).catch((e) => { if (!isNotFound(e)) throw e; });
    } catch (e) {
      if (isConflict(e)) { this.queue.addAfter(key, 200); return; }
      if (isNotFound(e)) return;
      throw e;
    }
  }
}
