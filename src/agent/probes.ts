// Container probes, as the kubelet's prober: one worker per (container, probe kind) probes the
// container's current run every periodSeconds and keeps a result per container id. Readiness starts
// as failure, liveness as success, startup as unknown; a result flips only after successThreshold /
// failureThreshold equal outcomes in a row. The startup probe gates the other two. A liveness or
// startup failure asks the pod worker to kill the run, and the worker holds until a new run appears.
import type { ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
/** `unknown`: the prober itself failed (upstream throws such a result away). */
export interface ProbeOutcome { result: 'success' | 'failure' | 'unknown'; output: string }

/** What a probe reaches: the pod IP, and a way to run a command in the container's run. */
export interface ProbeTarget {
  container: Container;
  podIP?: string;
  exec(argv: string[]): ChildProcess;
}

const MAX_OUTPUT = 10 * 1024;
const USER_AGENT = 'kube-probe/1.33';
const timeoutMs = (p: Probe): number => Math.max(1, p.timeoutSeconds ?? 1) * 1000;

/** A probe's port: a number, a numeric string, or the name of one of the container's ports. */
export function resolvePort(port: number | string | undefined, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined || port === '') return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

const hostForUrl = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export function execProbe(exec: () => ChildProcess, argv: string[], ms: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let out = '';
    let done = false;
    const finish = (o: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    let child: ChildProcess;
    try {
      child = exec();
    } catch (e) {
      resolve({ result: 'unknown', output: (e as Error).message });
      return;
    }
    const collect = (d: Buffer): void => { if (out.length < MAX_OUTPUT) out += d.toString().slice(0, MAX_OUTPUT - out.length); };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (e) => finish({ result: 'unknown', output: e.message }));
    child.on('close', (code) => finish({ result: code === 0 ? 'success' : 'failure', output: out }));
    const timer = setTimeout(() => {
      // runc exec forwards TERM to the process it runs; KILL only stops runc itself.
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 1000).unref();
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish({ result: 'failure', output: `command ${JSON.stringify(argv.join(' '))} timed out` });
    }, ms);
  });
}

export function httpProbe(url: URL, headers: Record<string, string>, ms: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const hdrs: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: '*/*', ...headers };
    const req = send(url, { method: 'GET', headers: hdrs, rejectUnauthorized: false, timeout: ms, agent: false }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (d: Buffer) => { if (body.length < MAX_OUTPUT) body += d.toString(); });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { result: 'success', output: body.slice(0, MAX_OUTPUT) } : { result: 'failure', output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', (e) => resolve({ result: 'failure', output: `Get "${url.href}": ${e.message}` }));
    });
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.on('error', (e) => resolve({ result: 'failure', output: `Get "${url.href}": ${e.message}` }));
    req.end();
  });
}

export function tcpProbe(host: string, port: number, ms: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port, timeout: ms });
    const end = (o: ProbeOutcome): void => { s.destroy(); resolve(o); };
    s.once('connect', () => end({ result: 'success', output: '' }));
    s.once('timeout', () => end({ result: 'failure', output: `dial tcp ${hostForUrl(host)}:${port}: i/o timeout` }));
    s.once('error', (e) => end({ result: 'failure', output: `dial tcp ${hostForUrl(host)}:${port}: ${e.message}` }));
  });
}

/** grpc.health.v1.Health/Check over h2c: SERVING (1) is success. */
export function grpcProbe(host: string, port: number, service: string, ms: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const target = `${hostForUrl(host)}:${port}`;
    let settled = false;
    const session = http2Connect(`http://${target}`);
    const end = (o: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => end({ result: 'failure', output: `timeout: health rpc did not complete within ${ms / 1000}s` }), ms);
    session.on('error', (e) => end({ result: 'failure', output: `timeout: failed to connect service "${target}" within ${ms / 1000}s: ${e.message}` }));
    const name = Buffer.from(service);
    const message = name.length ? Buffer.concat([Buffer.from([0x0a, name.length]), name]) : Buffer.alloc(0);
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
    const stream = session.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers', 'user-agent': USER_AGENT });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('trailers', (t) => { grpcStatus = String(t['grpc-status'] ?? ''); });
    stream.on('response', (h) => { if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']); });
    stream.on('error', (e) => end({ result: 'failure', output: e.message }));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      if (grpcStatus && grpcStatus !== '0') return end({ result: 'failure', output: `rpc error: code = ${grpcStatus}` });
      // HealthCheckResponse { status = 1 (varint) }
      const msg = body.subarray(5);
      const status = msg.length >= 2 && msg[0] === 0x08 ? msg[1] : 0;
      end(status === 1 ? { result: 'success', output: '' } : { result: 'failure', output: `service unhealthy (responded with "${['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'][status] ?? status}")` });
    });
    stream.end(frame);
  });
}

/** Runs the probe's action once against the target. */
export function runProbe(probe: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
  const ms = timeoutMs(probe);
  if (probe.exec) {
    const argv = [...(probe.exec.command ?? [])];
    return execProbe(() => t.exec(argv), argv, ms);
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = resolvePort(g.port, t.container);
    const host = g.host || t.podIP;
    if (!port || !host) return Promise.resolve({ result: 'unknown', output: `unable to resolve the probe target ${host ?? ''}:${String(g.port)}` });
    const path = g.path ? (g.path.startsWith('/') ? g.path : `/${g.path}`) : '/';
    const url = new URL(`${(g.scheme ?? 'HTTP').toLowerCase()}://${hostForUrl(host)}:${port}${path}`);
    const headers: Record<string, string> = {};
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    return httpProbe(url, headers, ms);
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, t.container);
    const host = probe.tcpSocket.host || t.podIP;
    if (!port || !host) return Promise.resolve({ result: 'unknown', output: `unable to resolve the probe target ${host ?? ''}:${String(probe.tcpSocket.port)}` });
    return tcpProbe(host, port, ms);
  }
  if (probe.grpc) {
    if (!t.podIP) return Promise.resolve({ result: 'unknown', output: 'the pod has no IP yet' });
    return grpcProbe(t.podIP, probe.grpc.port, probe.grpc.service ?? '', ms);
  }
  return Promise.resolve({ result: 'unknown', output: 'missing probe handler' });
}

// ---------- workers ----------

/** The container's current run as the prober needs it. */
export interface RunView {
  id: string;
  running: boolean;
  /** The run exited and will not be started again (restartPolicy): the worker may stop. */
  final?: boolean;
  startedAt?: string;
}

type Result = 'success' | 'failure' | 'unknown';

const INITIAL: Record<ProbeKind, Result> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

export interface WorkerHooks {
  run(probe: Probe, id: string): Promise<ProbeOutcome>;
  /** The kept result changed (the pod's status must be computed again). */
  changed(): void;
  /** Every failed probe (event Unhealthy). */
  failed(kind: ProbeKind, output: string): void;
  /** A liveness/startup probe reached failureThreshold: run `id` must be killed. */
  kill(kind: ProbeKind, id: string): void;
}

/** One probe of one container: the upstream worker's doProbe, driven by a timer or by tests. */
export class ProbeWorker {
  containerId?: string;
  result: Result;
  private lastResult?: Result;
  private resultRun = 0;
  private onHold = false;

  constructor(readonly kind: ProbeKind, readonly probe: Probe, private readonly hooks: WorkerHooks) {
    this.result = INITIAL[kind];
  }

  private set(r: Result): void {
    if (r === this.result) return;
    this.result = r;
    this.hooks.changed();
  }

  /** Whether the worker holds a result for run `id` (not a previous run's). */
  resultFor(id: string): Result | undefined {
    return this.containerId === id ? this.result : undefined;
  }

  /**
   * Takes note of the container's current run; a new run starts from the initial result. Silent:
   * a run the worker has not tracked yet reads as the initial result anyway (see Prober.ready).
   */
  track(run: RunView | undefined): void {
    if (!run || run.id === this.containerId) return;
    this.containerId = run.id;
    this.lastResult = undefined;
    this.resultRun = 0;
    this.onHold = false;
    this.result = INITIAL[this.kind];
  }

  /** One probe pass; `started` says whether the startup probe (if any) has succeeded for this run. */
  async step(run: RunView | undefined, started: boolean, now: number): Promise<void> {
    if (!run) return;
    this.track(run);
    if (this.onHold) return;
    if (!run.running) {
      this.set('failure');
      return;
    }
    if (now - Date.parse(run.startedAt ?? '') < (this.probe.initialDelaySeconds ?? 0) * 1000) return;
    if (this.kind === 'startup' ? started : !started) return;
    const outcome = await this.hooks.run(this.probe, run.id);
    if (this.containerId !== run.id || this.onHold) return; // a new run while probing: its result is not this one's
    if (outcome.result === 'failure') this.hooks.failed(this.kind, outcome.output);
    if (outcome.result === 'unknown') return;
    if (this.lastResult === outcome.result) this.resultRun++;
    else { this.lastResult = outcome.result; this.resultRun = 1; }
    const threshold = outcome.result === 'failure' ? this.probe.failureThreshold ?? 3 : this.probe.successThreshold ?? 1;
    if (this.resultRun < threshold) return;
    this.set(outcome.result);
    if (this.kind !== 'readiness' && outcome.result === 'failure') {
      this.onHold = true;
      this.resultRun = 0;
      this.hooks.kill(this.kind, run.id);
    }
  }

  /** Whether there is nothing left to probe: the run ended for good. */
  finished(run: RunView | undefined): boolean {
    return !!run && !run.running && !!run.final;
  }
}

export interface ProberHooks {
  run(container: Container, probe: Probe, id: string): Promise<ProbeOutcome>;
  changed(): void;
  failed(container: string, kind: ProbeKind, output: string): void;
  kill(container: string, kind: ProbeKind, id: string): void;
}

const KIND_FIELD: Record<ProbeKind, 'livenessProbe' | 'readinessProbe' | 'startupProbe'> = { liveness: 'livenessProbe', readiness: 'readinessProbe', startup: 'startupProbe' };
const KINDS: ProbeKind[] = ['startup', 'readiness', 'liveness'];

interface Slot { worker: ProbeWorker; timer?: NodeJS.Timeout; busy: boolean; armedFor?: string }

/** The probe workers of one pod's app containers, each on its own timer. */
export class Prober {
  private readonly slots = new Map<string, Slot>();
  private readonly runs = new Map<string, RunView | undefined>();
  private stopped = false;

  constructor(containers: readonly Container[], private readonly hooks: ProberHooks, private readonly now: () => number = Date.now) {
    for (const c of containers) {
      for (const kind of KINDS) {
        const probe = c[KIND_FIELD[kind]];
        if (!probe) continue;
        const worker = new ProbeWorker(kind, probe, {
          run: (p, id) => hooks.run(c, p, id),
          changed: () => hooks.changed(),
          failed: (k, output) => hooks.failed(c.name, k, output),
          kill: (k, id) => hooks.kill(c.name, k, id),
        });
        this.slots.set(`${c.name}/${kind}`, { worker, busy: false });
      }
    }
  }

  get empty(): boolean {
    return this.slots.size === 0;
  }

  /** Whether the container's run has started (startup probe succeeded, or there is none). */
  started(name: string, id: string): boolean {
    const s = this.slots.get(`${name}/startup`);
    return !s || s.worker.resultFor(id) === 'success';
  }

  /** Readiness of run `id`: started, and the readiness probe succeeded (or there is none). */
  ready(name: string, id: string): boolean {
    if (!this.started(name, id)) return false;
    const s = this.slots.get(`${name}/readiness`);
    return !s || s.worker.resultFor(id) === 'success';
  }

  /** The containers' current runs, from the pod worker's observation; arms the workers of new runs. */
  observe(runs: Map<string, RunView | undefined>): void {
    if (this.stopped) return;
    for (const [key, slot] of this.slots) {
      const name = key.slice(0, key.lastIndexOf('/'));
      const run = runs.get(name);
      this.runs.set(name, run);
      if (!run?.running || slot.armedFor === run.id) continue;
      slot.worker.track(run);
      slot.armedFor = run.id;
      // First probe once the initial delay has passed, then every period (upstream jitters the first one).
      const wait = Math.max(0, Date.parse(run.startedAt ?? '') + (slot.worker.probe.initialDelaySeconds ?? 0) * 1000 - this.now());
      this.schedule(slot, name, Number.isFinite(wait) ? wait : 0);
    }
  }

  private schedule(slot: Slot, name: string, ms: number): void {
    clearTimeout(slot.timer);
    if (this.stopped) return;
    slot.timer = setTimeout(() => void this.tick(slot, name), ms);
    slot.timer.unref();
  }

  private async tick(slot: Slot, name: string): Promise<void> {
    if (this.stopped || slot.busy) return;
    slot.busy = true;
    const run = this.runs.get(name);
    const wasStarted = run ? this.started(name, run.id) : false;
    try {
      await slot.worker.step(run, wasStarted, this.now());
    } finally {
      slot.busy = false;
    }
    if (slot.worker.finished(run)) return;
    this.schedule(slot, name, Math.max(1, slot.worker.probe.periodSeconds ?? 10) * 1000);
    // The startup probe just succeeded: probe readiness now rather than a period later (upstream's manual trigger).
    if (slot.worker.kind === 'startup' && run && !wasStarted && this.started(name, run.id)) {
      const readiness = this.slots.get(`${name}/readiness`);
      if (readiness) this.schedule(readiness, name, 0);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.slots.values()) clearTimeout(s.timer);
  }
}
