// The node agent: registers this machine as a Node, keeps its Lease, and runs a PodWorker for every
// pod bound here. It is an API client only (list + watch of its own pods); the containers belong
// to conmon, so a restarted agent adopts the sandboxes and containers it finds on disk.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/strategy.js';
import { EventRecorder } from '../client/events.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { NodeHeartbeat } from './node.js';
import { nodeFacts } from './nodeinfo.js';
import { PodWorker, type WorkerDeps } from './podworker.js';
import { StreamingServer } from './streaming/server.js';
import { LogRotator, type LogRotationOptions } from './logrotation.js';
import { NodeRoutes } from './noderoutes.js';
import { ServiceProxy } from './proxy/proxier.js';
import { ClusterDns } from './dns/server.js';
import { ResourceSampler, type MeasuredContainer } from './resourcestats.js';
import { usesSource, WatchedSources } from './podsources.js';
import type { Runtime, Sandbox } from './runtime/index.js';
import type { ImageStore } from './runtime/images/index.js';

export interface AgentOptions {
  client: RestClient;
  runtime: Runtime;
  images: ImageStore;
  nodeName: string;
  podCidr: string;
  hostIP: string;
  podsDir: string;
  logDir: string;
  labels?: Record<string, string>;
  /**
   * Nameservers written into pods' resolv.conf (none by default); with clusterDomain, ClusterFirst
   * pods get `<ns>.svc.<domain> svc.<domain> <domain>` as their search list (see dns/server.ts).
   */
  dns?: { servers: string[]; searches: string[]; clusterDomain?: string };
  /** The node's cluster DNS server, on the pod bridge's gateway (port 53); none without it. */
  clusterDns?: { address: string; domain?: string; forward?: string };
  runtimeVersion?: string;
  /** Size-based rotation of container logs (kubelet defaults when absent). */
  logRotation?: LogRotationOptions;
  /** The service proxy (iptables kube-proxy) for this node: none without it. */
  serviceProxy?: { clusterCidr: string; serviceCidr: string; bridge: string };
  /** The streaming server (logs, exec, port-forward) the API server proxies to; none without it. */
  streaming?: { tls: { ca: string; cert: string; key: string }; host: string; port: number };
}

export class Agent {
  private readonly workers = new Map<string, PodWorker>();
  private readonly exitWaiters = new Map<string, (() => void)[]>();
  private heartbeat?: NodeHeartbeat;
  private streaming?: StreamingServer;
  private logRotator?: LogRotator;
  private routes?: NodeRoutes;
  private proxy?: ServiceProxy;
  private clusterDns?: ClusterDns;

  get nodeName(): string {
    return this.opts.nodeName;
  }

  /** The streaming server, for an API server in the same process to call directly. */
  get streams(): StreamingServer | undefined {
    return this.streaming;
  }
  private informer?: Informer<KubeObject>;
  private readonly deps: WorkerDeps;
  private sampler?: ResourceSampler;
  private sources?: WatchedSources;
  /** Container id → its cgroup path (read once from its OCI config). */
  private readonly cgroups = new Map<string, string>();

  constructor(private readonly opts: AgentOptions) {
    const { nodeName } = opts;
    this.deps = {
      runtime: opts.runtime, images: opts.images, client: opts.client, recorder: new EventRecorder(opts.client, 'kubelet', nodeName),
      hostIP: opts.hostIP, podsDir: opts.podsDir, logDir: opts.logDir, dns: opts.dns ?? { servers: [], searches: [] },
    };
  }

  async start(): Promise<void> {
    const { runtime, client, nodeName } = this.opts;
    await runtime.init();
    this.logRotator = new LogRotator(runtime, this.opts.logRotation);
    this.logRotator.start();
    this.sampler = new ResourceSampler(() => this.measuredContainers());
    this.sampler.start();
    if (this.opts.streaming) {
      const sampler = this.sampler;
      this.streaming = new StreamingServer({
        ...this.opts.streaming, runtime, findPod: (ns, name) => this.findPod(ns, name), exited: (id) => this.exited(id), logDir: this.opts.logDir,
        stats: () => sampler.report(),
      });
      await this.streaming.start();
    }
    const labels = { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch, ...(this.opts.labels ?? {}) };
    this.routes = new NodeRoutes(client, nodeName, (routes) => runtime.syncNodeRoutes(routes));
    await this.routes.start();
    if (this.opts.serviceProxy) {
      const { clusterCidr, serviceCidr, bridge } = this.opts.serviceProxy;
      this.proxy = new ServiceProxy({ client, suffix: bridge, clusterCidr, serviceCidr, bridge });
      await this.proxy.start();
    }
    if (this.opts.clusterDns) {
      this.clusterDns = new ClusterDns({ client, ...this.opts.clusterDns });
      await this.clusterDns.start();
    }
    this.heartbeat = new NodeHeartbeat(client, {
      name: nodeName, labels, podCidr: this.opts.podCidr, facts: nodeFacts(nodeName, this.opts.runtimeVersion ?? 'runc', this.opts.hostIP), streamingPort: this.streaming?.port,
    });
    await this.heartbeat.register();
    this.heartbeat.start();
    // Pods read their ConfigMaps and Secrets from these caches; a change syncs the pods that use it.
    this.sources = new WatchedSources(client, (ns, kind, name) => {
      for (const w of this.workers.values()) if (usesSource(w.current.pod, ns, kind, name)) w.kick();
    });
    await this.sources.start();
    this.deps.sources = this.sources;
    const adopted = new Map((await runtime.listSandboxes()).map((s) => [s.uid, s]));
    runtime.onExit((id) => void this.onContainerExit(id));
    this.informer = new Informer<KubeObject>(client, `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${nodeName}`)}`, (type, obj) => {
      const pod = obj as unknown as Pod;
      const uid = pod.metadata!.uid!;
      let worker = this.workers.get(uid);
      if (type === 'DELETED') { worker?.remove(); return; }
      if (!worker) {
        worker = new PodWorker(this.deps, pod, adopted.get(uid));
        adopted.delete(uid);
        worker.whenDone(() => this.workers.delete(uid));
        this.workers.set(uid, worker);
      }
      worker.update(pod);
    });
    await this.informer.start();
    // Sandboxes whose pods are gone from the API (deleted while the agent was down): tear down.
    for (const sandbox of adopted.values()) await runtime.stopSandbox(sandbox.id).catch(() => {});
  }

  /** The running containers of this node's pods, with their cgroups, for the resource sampler. */
  private async measuredContainers(): Promise<MeasuredContainer[]> {
    const pods = new Map([...this.workers.values()].filter((w) => w.sandboxId).map((w) => [w.sandboxId!, w.current.pod.metadata!]));
    const running = (await this.opts.runtime.listContainers()).filter((c) => c.state === 'running' && pods.has(c.sandboxId));
    for (const id of this.cgroups.keys()) if (!running.some((c) => c.id === id)) this.cgroups.delete(id);
    const out: MeasuredContainer[] = [];
    for (const c of running) {
      if (!this.cgroups.has(c.id)) {
        const cgroup = await this.opts.runtime.containerCgroup(c.id);
        if (!cgroup) continue;
        this.cgroups.set(c.id, cgroup);
      }
      const meta = pods.get(c.sandboxId)!;
      out.push({ namespace: meta.namespace!, pod: meta.name!, name: c.name, id: c.id, cgroup: this.cgroups.get(c.id)! });
    }
    return out;
  }

  /** The pod namespace/name on this node, with its sandbox. */
  findPod(namespace: string, name: string): { pod: Pod; sandbox?: Sandbox } | undefined {
    for (const w of this.workers.values()) {
      const c = w.current;
      if (c.pod.metadata?.namespace === namespace && c.pod.metadata?.name === name) return c;
    }
    return undefined;
  }

  /** Resolves once container `id` has exited (or is gone). */
  async exited(id: string): Promise<void> {
    const done = new Promise<void>((resolve) => {
      const waiters = this.exitWaiters.get(id) ?? [];
      waiters.push(resolve);
      this.exitWaiters.set(id, waiters);
    });
    const state = await this.opts.runtime.containerState(id);
    if (!state || state.state === 'exited' || state.state === 'unknown') this.notifyExit(id);
    return done;
  }

  private notifyExit(id: string): void {
    for (const resolve of this.exitWaiters.get(id) ?? []) resolve();
    this.exitWaiters.delete(id);
  }

  private async onContainerExit(id: string): Promise<void> {
    this.notifyExit(id);
    const state = await this.opts.runtime.containerState(id);
    for (const w of this.workers.values()) if (!state || w.sandboxId === state.sandboxId) w.kick();
  }

  /** Stops watching and heartbeating; containers keep running (conmon owns them). */
  stop(): void {
    this.informer?.stop();
    this.heartbeat?.stop();
    this.logRotator?.stop();
    this.sampler?.stop();
    this.sources?.stop();
    this.routes?.stop();
    this.proxy?.stop();
    this.clusterDns?.stop();
    void this.streaming?.stop();
    for (const w of this.workers.values()) w.stop();
  }
}
