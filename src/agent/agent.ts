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
  /** Nameservers written into pods' resolv.conf (none by default: no cluster DNS yet). */
  dns?: { servers: string[]; searches: string[] };
  runtimeVersion?: string;
  /** The streaming server (logs, exec, port-forward) the API server proxies to; none without it. */
  streaming?: { tls: { ca: string; cert: string; key: string }; host: string; port: number };
}

export class Agent {
  private readonly workers = new Map<string, PodWorker>();
  private readonly exitWaiters = new Map<string, (() => void)[]>();
  private heartbeat?: NodeHeartbeat;
  private streaming?: StreamingServer;
  private informer?: Informer<KubeObject>;
  private readonly deps: WorkerDeps;

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
    if (this.opts.streaming) {
      this.streaming = new StreamingServer({
        ...this.opts.streaming, runtime, findPod: (ns, name) => this.findPod(ns, name), exited: (id) => this.exited(id),
      });
      await this.streaming.start();
    }
    const labels = { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch, ...(this.opts.labels ?? {}) };
    this.heartbeat = new NodeHeartbeat(client, {
      name: nodeName, labels, podCidr: this.opts.podCidr, facts: nodeFacts(nodeName, this.opts.runtimeVersion ?? 'runc', this.opts.hostIP), streamingPort: this.streaming?.port,
    });
    await this.heartbeat.register();
    this.heartbeat.start();
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
    void this.streaming?.stop();
    for (const w of this.workers.values()) w.stop();
  }
}
