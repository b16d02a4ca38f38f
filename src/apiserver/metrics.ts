// The resource metrics API (metrics.k8s.io/v1beta1) that `kubectl top` reads. Upstream it is
// metrics-server behind the aggregator, scraping each kubelet; here the API server asks the nodes'
// streaming servers for their usage when a request comes (the agent samples every 10 s) and joins
// it with the pods and nodes it stores. Nodes that do not answer are left out, as metrics-server
// leaves out what it could not scrape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, isNotFound } from '../api/errors.js';
import type { PodUsage, StatsReport } from '../api/nodecontract.js';
import type { ResourceInfo } from '../api/resource.js';
import { sendJson } from './http.js';
import type { Registry } from './registry.js';
import type { ResourceRequest } from './requestinfo.js';

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';
const API_VERSION = `${GROUP}/${VERSION}`;

/** For discovery: what `kubectl top` looks for before it asks. */
export const METRICS_RESOURCES: ResourceInfo[] = [
  { group: GROUP, version: VERSION, kind: 'PodMetrics', listKind: 'PodMetricsList', plural: 'pods', singular: '', namespaced: true, verbs: ['get', 'list'] },
  { group: GROUP, version: VERSION, kind: 'NodeMetrics', listKind: 'NodeMetricsList', plural: 'nodes', singular: '', namespaced: false, verbs: ['get', 'list'] },
];

export const isMetricsRequest = (info: ResourceRequest): boolean => info.group === GROUP;

/** Quantities as metrics-server writes them: nanocores and KiB. */
const usage = (cpuNanoCores: number, memoryBytes: number) => ({ cpu: `${Math.round(cpuNanoCores)}n`, memory: `${Math.floor(memoryBytes / 1024)}Ki` });

const notFound = (kind: string, name: string) => new ApiError(404, 'NotFound', `${kind}.${GROUP} "${name}" not found`, { name, group: GROUP, kind });

export class MetricsApi {
  constructor(private readonly pods: Registry, private readonly nodes: Registry, private readonly statsOf: (nodeName: string) => Promise<StatsReport>) {}

  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    const resource = METRICS_RESOURCES.find((r) => r.plural === info.resource);
    if (info.version !== VERSION || !resource || info.subresource || (info.namespace !== undefined && !resource.namespaced)) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (req.method !== 'GET' || query.get('watch') === 'true' || info.watchPath) {
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    const selectors = { labelSelector: query.get('labelSelector') ?? undefined, fieldSelector: query.get('fieldSelector') ?? undefined };
    const items = resource.kind === 'NodeMetrics'
      ? await this.nodeMetrics(info.name ? [this.one<Node>(this.nodes, undefined, info.name, 'nodemetrics')] : await this.list<Node>(this.nodes, undefined, selectors))
      : await this.podMetrics(info.name ? [this.one<Pod>(this.pods, info.namespace, info.name, 'podmetrics')] : await this.list<Pod>(this.pods, info.namespace, selectors));
    if (info.name) {
      if (!items.length) throw notFound(resource.kind === 'NodeMetrics' ? 'nodemetrics' : 'podmetrics', info.name);
      return sendJson(res, 200, { kind: resource.kind, apiVersion: API_VERSION, ...items[0] });
    }
    sendJson(res, 200, { kind: resource.listKind, apiVersion: API_VERSION, metadata: {}, items });
  }

  private one<T>(registry: Registry, namespace: string | undefined, name: string, kind: string): T {
    try {
      return registry.get(namespace, name).obj as T;
    } catch (e) {
      throw isNotFound(e) ? notFound(kind, name) : e;
    }
  }

  private async list<T>(registry: Registry, namespace: string | undefined, selectors: { labelSelector?: string; fieldSelector?: string }): Promise<T[]> {
    return (await registry.list(namespace, selectors)).items.map((c) => c.obj as T);
  }

  /** Usage reports of these nodes, fetched side by side; a node that fails is left out. */
  private async reports(nodeNames: Iterable<string>): Promise<Map<string, StatsReport>> {
    const names = [...new Set(nodeNames)];
    const settled = await Promise.allSettled(names.map((n) => this.statsOf(n)));
    return new Map(names.flatMap((n, i) => (settled[i].status === 'fulfilled' ? [[n, (settled[i] as PromiseFulfilledResult<StatsReport>).value]] : [])));
  }

  private async nodeMetrics(nodes: Node[]) {
    const reports = await this.reports(nodes.map((n) => n.metadata!.name!));
    return nodes.flatMap((n) => {
      const r = reports.get(n.metadata!.name!);
      if (!r) return [];
      return [{
        metadata: { name: n.metadata!.name, creationTimestamp: r.timestamp, ...(n.metadata!.labels ? { labels: n.metadata!.labels } : {}) },
        timestamp: r.timestamp, window: `${r.windowSeconds}s`, usage: usage(r.node.cpuNanoCores, r.node.memoryBytes),
      }];
    });
  }

  private async podMetrics(pods: Pod[]) {
    const running = pods.filter((p) => p.spec?.nodeName && p.status?.phase === 'Running');
    const reports = await this.reports(running.map((p) => p.spec!.nodeName!));
    const byPod = new Map<string, { report: StatsReport; pod: PodUsage }>();
    for (const report of reports.values()) for (const pod of report.pods) byPod.set(`${pod.namespace}/${pod.name}`, { report, pod });
    return running.flatMap((p) => {
      const m = p.metadata!;
      const found = byPod.get(`${m.namespace}/${m.name}`);
      if (!found) return [];
      const { report, pod } = found;
      return [{
        metadata: { name: m.name, namespace: m.namespace, creationTimestamp: report.timestamp, ...(m.labels ? { labels: m.labels } : {}) },
        timestamp: report.timestamp, window: `${report.windowSeconds}s`,
        containers: pod.containers.map((c) => ({ name: c.name, usage: usage(c.cpuNanoCores, c.memoryBytes) })),
      }];
    });
  }
}
