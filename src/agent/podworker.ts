// One worker per pod on this node, level-triggered: each pass compares the pod's spec with what the
// runtime has (sandbox → images → volumes → containers) and acts, then reports status. Passes never
// overlap for one pod; any event (pod change, container exit, backoff timer) just asks for another.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/strategy.js';
import type { EventRecorder } from '../client/events.js';
import type { RestClient } from '../client/rest.js';
import type { ContainerSpec, ContainerState, Runtime, Sandbox, SandboxSpec } from './runtime/index.js';
import type { ImageStore, StoredImage } from './runtime/images/index.js';
import { Backoff } from './backoff.js';
import { ContainerConfigError, containerSpec } from './containerspec.js';
import { initContainerDone, podStatus, willRestart, type ContainerObservation, type PodObservation } from './podstatus.js';
import { isSidecar, isTerminalPhase } from '../api/pods.js';
import { Prober, runProbe, type ProbeKind, type RunView } from './probes.js';
import { cleanupVolumes, prepareVolumes, VolumeError, type PreparedVolume } from './volumes.js';
import { podDns } from './dns/server.js';
import { envFromSources, fetchSources, needsPodIP, PodSources, referencedSources } from './podsources.js';
import { metaTime } from '../api/time.js';

/** How often a pod using ConfigMaps, Secrets or the downward API is synced again (the kubelet: about a minute). */
const RESYNC_MS = 10_000;

export interface WorkerDeps {
  runtime: Runtime;
  images: ImageStore;
  client: RestClient;
  recorder: EventRecorder;
  hostIP: string;
  /** Per-pod state (volumes) lives in podsDir/<uid>. */
  podsDir: string;
  logDir: string;
  /** The node's DNS settings; with clusterDomain, ClusterFirst pods get the cluster search list (see podDns). */
  dns: { servers: string[]; searches: string[]; clusterDomain?: string };
  /** Watched ConfigMaps and Secrets (a node agent has them); without, each pass fetches what it needs. */
  sources?: { of(pod: Pod): PodSources };
}

type Waiting = { reason: string; message?: string };

const asObject = (pod: Pod): KubeObject => pod as unknown as KubeObject;
/** Grace for containers of a pod that vanished from the API without a graceful delete (force delete). */
const FORCED_GRACE_S = 2;

export class PodWorker {
  private sandbox?: Sandbox;
  /** The ConfigMaps and Secrets the current pass read. */
  private sources?: PodSources;
  private resyncTimer?: NodeJS.Timeout;
  /** While the new sandbox's network comes up: containers are created meanwhile and started after it. */
  private network?: Promise<void>;
  private volumes = new Map<string, PreparedVolume>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly backoff = new Backoff();
  private timer?: NodeJS.Timeout;
  private busy = false;
  private again = false;
  private lastReported = '';
  private readonly startTime = metaTime();
  /** The API object is gone (force-deleted or already confirmed). */
  private removed = false;
  /** Containers and sandbox are torn down; nothing runs for this pod any more. */
  private finished = false;
  private onDone?: () => void;
  private readonly prober: Prober;
  /** Runs being killed after a failed liveness/startup probe. */
  private readonly killing = new Set<string>();

  constructor(private readonly deps: WorkerDeps, private pod: Pod, adopted?: Sandbox) {
    this.sandbox = adopted;
    this.prober = new Prober([...(pod.spec?.initContainers ?? []).filter(isSidecar), ...(pod.spec?.containers ?? [])], {
      run: (c, probe, id) => runProbe(probe, { container: c, podIP: this.sandbox?.podIP, exec: (argv) => deps.runtime.exec(id, argv) }),
      changed: () => this.kick(),
      failed: (name, kind, output) => deps.recorder.record(asObject(this.pod), 'Warning', 'Unhealthy', `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${output}`, `spec.containers{${name}}`),
      kill: (name, kind, id) => void this.killUnhealthy(name, kind, id),
    });
  }

  get uid(): string {
    return this.pod.metadata!.uid!;
  }

  get sandboxId(): string | undefined {
    return this.sandbox?.id;
  }

  /** The pod as last seen from the API, and its sandbox (for the streaming server). */
  get current(): { pod: Pod; sandbox?: Sandbox } {
    return { pod: this.pod, sandbox: this.sandbox };
  }

  /** Called when the worker has nothing left to do (pod gone and everything torn down). */
  whenDone(cb: () => void): void {
    this.onDone = cb;
  }

  update(pod: Pod): void {
    this.pod = pod;
    this.kick();
  }

  /** The pod was deleted from the API (or never came back after a restart): tear everything down. */
  remove(): void {
    this.removed = true;
    this.kick();
  }

  kick(): void {
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.sync();
      } catch (e) {
        this.retryLater(e);
      }
    } while (this.again);
    this.busy = false;
  }

  private retryLater(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.deps.recorder.record(asObject(this.pod), 'Warning', 'FailedSync', `error syncing pod: ${message}`);
    this.schedule(2000);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), ms);
    this.timer.unref();
  }

  /** Passes again in RESYNC_MS (one pending at a time), for pods whose volumes or env come from other objects. */
  private scheduleResync(): void {
    if (this.resyncTimer) return;
    this.resyncTimer = setTimeout(() => { this.resyncTimer = undefined; this.kick(); }, RESYNC_MS);
    this.resyncTimer.unref();
  }

  /** The pod as the downward API sees it on this node: the sandbox's IP and the node's. */
  private podView(): Pod {
    const podIP = this.sandbox?.podIP || this.pod.status?.podIP;
    const hostIP = this.deps.hostIP;
    return { ...this.pod, status: { ...this.pod.status, ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}), hostIP, hostIPs: [{ ip: hostIP }] } };
  }

  stop(): void {
    clearTimeout(this.timer);
    clearTimeout(this.resyncTimer);
    this.prober.stop();
  }

  /** A liveness/startup probe failed for good: stop the run (its grace), then let the next pass restart it per restartPolicy and backoff. */
  private async killUnhealthy(name: string, kind: ProbeKind, id: string): Promise<void> {
    if (this.killing.has(id) || this.removed || this.pod.metadata?.deletionTimestamp) return;
    this.killing.add(id);
    const sidecar = this.pod.spec!.initContainers?.find((x) => x.name === name && isSidecar(x));
    const c = sidecar ?? this.pod.spec!.containers.find((x) => x.name === name);
    const restart = !!sidecar || this.pod.spec!.restartPolicy !== 'Never';
    const probe = kind === 'liveness' ? c?.livenessProbe : c?.startupProbe;
    const grace = probe?.terminationGracePeriodSeconds ?? this.pod.spec!.terminationGracePeriodSeconds ?? 30;
    this.deps.recorder.record(asObject(this.pod), 'Normal', 'Killing', `Container ${name} failed ${kind} probe${restart ? ', will be restarted' : ''}`, `spec.containers{${name}}`);
    try {
      await this.deps.runtime.stopContainer(id, grace);
    } catch (e) {
      this.retryLater(e);
    } finally {
      this.killing.delete(id);
      this.kick();
    }
  }

  // ---------- one pass ----------

  private async sync(): Promise<void> {
    if (this.removed || this.pod.metadata?.deletionTimestamp) return this.terminate();
    if (this.finished) return;
    const spec = this.pod.spec!;
    // A pod that already reached Succeeded/Failed never runs again, also not after an agent restart.
    if (!this.sandbox && isTerminalPhase(this.pod.status?.phase)) {
      this.finished = true;
      return;
    }
    if (!this.sandbox) {
      const { sandbox, ready } = await this.deps.runtime.startSandbox(this.sandboxSpec());
      this.sandbox = sandbox;
      const network = ready.then((sb) => { this.sandbox = sb; }, (e) => { if (this.sandbox?.id === sandbox.id) this.sandbox = undefined; throw e; })
        .finally(() => { if (this.network === network) this.network = undefined; });
      network.catch(() => {}); // awaited by the container starts; a pass that ends early must not leave it unhandled
      this.network = network;
    }
    // ConfigMaps and Secrets are read again on every pass, so updates reach volumes: from the watched
    // caches (the agent kicks the pods an object change concerns), else fetched, and then every RESYNC_MS.
    const projected = referencedSources(this.pod).length > 0 || (spec.volumes ?? []).some((v) => v.downwardAPI || v.projected);
    this.sources = projected ? (this.deps.sources?.of(this.pod) ?? await fetchSources(this.deps.client, this.pod)) : undefined;
    if (projected && !this.deps.sources) this.scheduleResync();
    try {
      this.volumes = await prepareVolumes(this.podDir(), spec.volumes ?? [], { pod: this.podView(), sources: this.sources ?? new PodSources(this.pod.metadata!.namespace!, new Map()) });
    } catch (e) {
      if (!(e instanceof VolumeError)) throw e;
      // A missing ConfigMap/Secret: ContainerCreating until it exists, as the kubelet (which retries).
      for (const c of spec.containers) this.waiting.set(c.name, e.retry ? { reason: 'ContainerCreating' } : { reason: 'CreateContainerConfigError', message: e.message });
      this.deps.recorder.record(asObject(this.pod), 'Warning', 'FailedMount', e.message);
      await this.report(await this.observe());
      if (e.retry) this.schedule(RESYNC_MS);
      return;
    }
    let obs = await this.observe();
    if (await this.runInitContainers(obs)) {
      // Created side by side (conmon + runc create is the slow part), started one by one in spec order.
      const starts = await Promise.all(spec.containers.map((c) => this.ensureContainer(c, obs.containers.get(c.name)!, spec.restartPolicy)));
      for (const start of starts) await start?.();
      await this.runEphemeralContainers(obs);
    }
    await this.network;
    obs = await this.observe();
    if (isTerminalPhase(await this.report(obs))) await this.teardown();
  }

  /**
   * Runs init containers in order; true once all are done. A sidecar (restartPolicy Always) is done
   * once it runs (and its startup probe passed), and is restarted whenever it exits, also after init.
   */
  private async runInitContainers(obs: PodObservation): Promise<boolean> {
    const initialized = [...obs.containers.values()].some((o) => o.latest);
    for (const c of this.pod.spec!.initContainers ?? []) {
      const o = obs.init.get(c.name)!;
      if (isSidecar(c)) {
        const start = await this.ensureContainer(c, o, 'Always');
        if (start) {
          await start();
          if (!initialized) this.schedule(0); // look again once it runs: nothing else will say so without a startup probe
        }
        if (!initialized && (start || !initContainerDone(c, o))) return false;
        continue;
      }
      if (initContainerDone(c, o)) continue;
      if (o.latest?.state === 'exited' && this.pod.spec!.restartPolicy === 'Never') return false;
      await (await this.ensureContainer(c, o, this.pod.spec!.restartPolicy === 'Never' ? 'Never' : 'OnFailure'))?.();
      return false;
    }
    return true;
  }

  /** Starts each ephemeral container (`kubectl debug`) once, in its target's PID namespace if it names one; they never restart. */
  private async runEphemeralContainers(obs: PodObservation): Promise<void> {
    for (const c of this.pod.spec!.ephemeralContainers ?? []) {
      const o = obs.ephemeral?.get(c.name);
      if (!o || o.latest) continue;
      let targetPid: number | undefined;
      if (c.targetContainerName) {
        const target = obs.containers.get(c.targetContainerName)?.latest ?? obs.init.get(c.targetContainerName)?.latest;
        targetPid = target?.state === 'running' ? (await this.deps.runtime.containerState(target.id))?.pid : undefined;
        if (!targetPid) continue; // the next pass, once the target runs
      }
      await (await this.createContainer(c as Container, 0, o, { targetPid }))?.();
    }
  }

  /**
   * Creates a container that never ran, or a new run of one that exited when the policy says so
   * (after backoff); returns what starts it, or undefined when nothing is to start.
   */
  private async ensureContainer(c: Container, o: ContainerObservation, policy: string | undefined): Promise<(() => Promise<void>) | undefined> {
    const latest = o.latest;
    if (latest && latest.state !== 'exited') return;
    if (latest) {
      if (!willRestart(policy, latest.exitCode ?? 0)) { this.waiting.delete(c.name); return; }
      const key = `${c.name}`;
      const wait = this.backoff.remaining(key, Date.now());
      if (wait > 0) {
        const delay = Math.round((this.backoff.delay(key) ?? 0) / 1000);
        const p = this.pod.metadata!;
        this.waiting.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${delay}s restarting failed container=${c.name} pod=${p.name}_${p.namespace}(${p.uid})` });
        this.deps.recorder.record(asObject(this.pod), 'Warning', 'BackOff', 'Back-off restarting failed container', `spec.containers{${c.name}}`);
        this.schedule(wait);
        return;
      }
      const ran = Date.parse(latest.finishedAt ?? '') - Date.parse(latest.startedAt ?? '');
      this.backoff.next(key, Date.now(), Number.isFinite(ran) ? ran : 0);
    }
    return this.createContainer(c, latest ? latest.attempt + 1 : 0, o);
  }

  /** Creates the run; returns what starts it (once the pod's network is up), or undefined if it could not be created. */
  private async createContainer(c: Container, attempt: number, o: ContainerObservation, extra: Partial<ContainerSpec> = {}): Promise<(() => Promise<void>) | undefined> {
    const spec = this.pod.spec!;
    const list = spec.initContainers?.includes(c) ? 'initContainers' : spec.containers.includes(c) ? 'containers' : 'ephemeralContainers';
    const field = `spec.${list}{${c.name}}`;
    const image = await this.ensureImage(c, field);
    if (!image) return;
    const { runtime, recorder } = this.deps;
    const p = this.pod.metadata!;
    let id: string;
    // status.podIP in the environment needs the network up first.
    if (needsPodIP(c)) await this.network;
    try {
      const logPath = join(this.deps.logDir, `${p.namespace}_${p.name}_${p.uid}`, c.name, `${attempt}.log`);
      id = await runtime.createContainer(this.sandbox!, { ...containerSpec(c, { pod: this.podView(), sources: this.sources, image, attempt, volumes: this.volumes, logPath }), ...extra });
      // envFrom keys that are not valid variable names were left out: say so, as the kubelet does.
      for (const s of this.sources ? envFromSources(c, this.sources).skipped : []) {
        recorder.record(asObject(this.pod), 'Warning', 'InvalidEnvironmentVariableNames', `Keys [${s.keys.join(', ')}] from the EnvFrom ${s.ref} were skipped since they are considered invalid environment variable names.`);
      }
    } catch (e) {
      const reason = e instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'CreateContainerError';
      this.waiting.set(c.name, { reason, message: (e as Error).message });
      recorder.record(asObject(this.pod), 'Warning', 'Failed', `Error: ${(e as Error).message}`, field);
      this.schedule(10_000);
      return;
    }
    recorder.record(asObject(this.pod), 'Normal', 'Created', `Created container ${c.name}`, field);
    return () => this.startContainer(c.name, id, field, attempt, o);
  }

  private async startContainer(name: string, id: string, field: string, attempt: number, o: ContainerObservation): Promise<void> {
    const { runtime, recorder } = this.deps;
    // No container runs before the pod's network is up (a failure there fails the whole pass).
    await this.network;
    try {
      await runtime.startContainer(id);
    } catch (e) {
      this.waiting.set(name, { reason: 'RunContainerError', message: (e as Error).message });
      recorder.record(asObject(this.pod), 'Warning', 'Failed', `Error: ${(e as Error).message}`, field);
      return;
    }
    this.waiting.delete(name);
    recorder.record(asObject(this.pod), 'Normal', 'Started', `Started container ${name}`, field);
    // Keep the run before this one (it is lastState); older runs go.
    if (o.previous && o.previous.attempt < attempt - 1) await runtime.removeContainer(o.previous.id).catch(() => {});
  }

  /** The image per imagePullPolicy; on failure sets ErrImagePull / ImagePullBackOff and returns undefined. */
  private async ensureImage(c: Container, field: string): Promise<StoredImage | undefined> {
    const { images, recorder } = this.deps;
    const ref = c.image!;
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    const present = images.get(ref);
    if (present && policy !== 'Always') {
      recorder.record(asObject(this.pod), 'Normal', 'Pulled', `Container image "${ref}" already present on machine`, field);
      return present;
    }
    if (policy === 'Never') {
      const message = `Container image "${ref}" is not present with pull policy of Never`;
      this.waiting.set(c.name, { reason: 'ErrImageNeverPull', message });
      recorder.record(asObject(this.pod), 'Warning', 'ErrImageNeverPull', message, field);
      return undefined;
    }
    const key = `image:${c.name}`;
    const wait = this.backoff.remaining(key, Date.now());
    if (wait > 0) {
      this.waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${ref}"` });
      this.schedule(wait);
      return undefined;
    }
    recorder.record(asObject(this.pod), 'Normal', 'Pulling', `Pulling image "${ref}"`, field);
    const started = Date.now();
    try {
      const image = await images.pull(ref);
      this.backoff.forget(key);
      recorder.record(asObject(this.pod), 'Normal', 'Pulled', `Successfully pulled image "${ref}" in ${Date.now() - started}ms`, field);
      return image;
    } catch (e) {
      // A pull that fails for an image already here (policy Always, registry away) still runs it, as CRI runtimes resolve locally first.
      if (present) return present;
      const message = `Failed to pull image "${ref}": ${(e as Error).message}`;
      this.waiting.set(c.name, { reason: 'ErrImagePull', message });
      recorder.record(asObject(this.pod), 'Warning', 'Failed', message, field);
      this.backoff.next(key, Date.now(), 0);
      this.schedule(this.backoff.remaining(key, Date.now()));
      return undefined;
    }
  }

  // ---------- observation and status ----------

  private async observe(): Promise<PodObservation> {
    const runs = this.sandbox ? await this.deps.runtime.listContainers(this.sandbox.id) : [];
    const byName = (c: Container): ContainerObservation => {
      const mine = runs.filter((r) => r.name === c.name).sort((a, b) => b.attempt - a.attempt);
      const image = this.deps.images.get(c.image!);
      return { latest: mine[0], previous: mine[1], waiting: this.waiting.get(c.name), image: c.image!, imageID: image?.repoDigest };
    };
    const spec = this.pod.spec!;
    const containers = new Map(spec.containers.map((c) => [c.name, byName(c)]));
    const init = new Map((spec.initContainers ?? []).map((c) => [c.name, byName(c)]));
    const ephemeral = new Map((spec.ephemeralContainers ?? []).map((c) => [c.name, byName(c as Container)]));
    if (!this.prober.empty) {
      const views = new Map<string, RunView | undefined>();
      const probed = [...(spec.initContainers ?? []).filter(isSidecar).map((c) => [c.name, init.get(c.name)!, 'Always'] as const),
        ...[...containers].map(([name, o]) => [name, o, spec.restartPolicy] as const)];
      for (const [name, o, policy] of probed) {
        const l = o.latest;
        views.set(name, l && { id: l.id, running: l.state === 'running', startedAt: l.startedAt, final: l.state === 'exited' && !willRestart(policy, l.exitCode ?? 0) });
        if (l?.state === 'running') Object.assign(o, { ready: this.prober.ready(name, l.id), started: this.prober.started(name, l.id) });
      }
      this.prober.observe(views);
    }
    return {
      podIP: this.sandbox?.podIP,
      hostIP: this.deps.hostIP,
      startTime: this.pod.status?.startTime ?? this.startTime,
      init,
      containers,
      ephemeral,
    };
  }

  /** Writes the status when it changed; returns the phase. */
  private async report(obs: PodObservation): Promise<string> {
    const status = podStatus(this.pod, obs, metaTime());
    const text = JSON.stringify(status);
    if (text !== this.lastReported) {
      const p = this.pod.metadata!;
      await this.deps.client.patch(`/api/v1/namespaces/${p.namespace}/pods/${p.name}/status`, { metadata: { uid: p.uid }, status }, 'application/strategic-merge-patch+json');
      this.lastReported = text;
    }
    return status.phase!;
  }

  // ---------- teardown ----------

  private podDir(): string {
    return join(this.deps.podsDir, this.uid);
  }

  private sandboxSpec(): SandboxSpec {
    const pod = this.pod;
    const spec = pod.spec!;
    const hostPorts = spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({
      containerPort: p.containerPort, hostPort: p.hostPort!, protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP',
    })));
    const dns = podDns(spec, pod.metadata!.namespace!, this.deps.dns);
    return {
      uid: pod.metadata!.uid!, name: pod.metadata!.name!, namespace: pod.metadata!.namespace!,
      hostname: (spec.hostname ?? pod.metadata!.name!).slice(0, 63),
      shareProcessNamespace: !!spec.shareProcessNamespace,
      hostPorts,
      dnsServers: dns.servers,
      dnsSearches: dns.searches,
      hostAliases: (spec.hostAliases ?? []).filter((a) => a.ip).map((a) => ({ ip: a.ip!, hostnames: [...(a.hostnames ?? [])] })),
      ...(spec.hostNetwork || spec.hostPID || spec.hostIPC ? { host: { network: !!spec.hostNetwork, pid: !!spec.hostPID, ipc: !!spec.hostIPC }, hostIP: this.deps.hostIP } : {}),
    };
  }

  /**
   * Stops containers (stop signal, grace, KILL) and the sandbox, then removes the pod's files. The
   * app containers go first, then the sidecars one by one in reverse order, within the same grace
   * period (by default the pod's: a finished pod's sidecars still get their stop signal).
   */
  private async teardown(grace = this.pod.spec?.terminationGracePeriodSeconds ?? 30): Promise<void> {
    const { runtime, recorder } = this.deps;
    this.prober.stop();
    if (this.sandbox) {
      const running = (await runtime.listContainers(this.sandbox.id)).filter((c) => c.state === 'running');
      const sidecars = (this.pod.spec?.initContainers ?? []).filter(isSidecar).map((c) => c.name).reverse();
      const deadline = Date.now() + grace * 1000;
      const stop = (c: ContainerState) => {
        const field = `spec.${sidecars.includes(c.name) ? 'initContainers' : 'containers'}{${c.name}}`;
        recorder.record(asObject(this.pod), 'Normal', 'Killing', `Stopping container ${c.name}`, field);
        return runtime.stopContainer(c.id, Math.max(0, (deadline - Date.now()) / 1000));
      };
      await Promise.all(running.filter((c) => !sidecars.includes(c.name)).map(stop));
      for (const name of sidecars) await Promise.all(running.filter((c) => c.name === name).map(stop));
      await runtime.stopSandbox(this.sandbox.id);
      this.sandbox = undefined;
    }
    await cleanupVolumes(this.podDir(), this.pod.spec?.volumes ?? []);
    rmSync(this.podDir(), { recursive: true, force: true });
    this.finished = true;
  }

  private async terminate(): Promise<void> {
    clearTimeout(this.timer);
    const meta = this.pod.metadata!;
    if (!this.finished) {
      const grace = this.removed ? FORCED_GRACE_S : meta.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
      await this.teardown(grace);
    }
    if (!this.removed) {
      // Confirm: the API server removes the pod once its node says it is gone (grace 0), if it is still the same pod.
      await this.deps.client.delete(`/api/v1/namespaces/${meta.namespace}/pods/${meta.name}`, { gracePeriodSeconds: 0, preconditions: { uid: meta.uid } }).catch((e) => {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
      });
      this.removed = true;
    }
    this.onDone?.();
  }
}
