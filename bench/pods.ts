// Pod startup (`pods`) and burst (`burst`) benchmarks. Three ways to run the same pod (Debian's
// busybox imported as an image, a shell that exits on TERM, 1 or 2 app containers), in one run:
//  - tinykube: POST the pod(s) to `tinykube up` → the watch shows every container Running and
//    ready; DELETE → the watch shows them gone. The whole path: API, scheduler, binding, agent,
//    netns + CNI bridge, infra (catatonit under conmon), overlay rootfs, conmon + runc per
//    container, status back through the API.
//  - raw: bench/rawpod.sh, the same steps as a plain script with no API, scheduler or agent
//    (RUNTIME-RECIPE §6: ip netns, CNI loopback + bridge, catatonit infra, overlay, conmon + runc).
//  - podman 4.3 `kube play` / `kube down` of the same pod manifest (runc, cgroupfs, nofile within
//    our hard limit, its own CNI network), in a private storage removed afterwards.
// Each runs on a pod network of its own: 10.42.252.0/24 (bridge tkbench0), 10.42.253.0/24
// (tkbench1), 10.42.254.0/24 (tkbench2).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../src/client/rest.js';
import { realPodsUnavailable } from '../test/e2e/cluster.js';
import { importTestImage, TEST_IMAGE, testImageTarball } from '../test/e2e/podimage.js';
import { resetNode, startProcess, type BenchProcess } from './controlplane.js';
import { Podman, podObject, podsYaml } from './podman.js';
import { RawPods } from './rawpod.js';
import { summary, type Row } from './stats.js';

export interface PodBenchOptions { samples: number; podmanSamples: number; containers: number[] }
export const TINY: PodBenchOptions = { samples: 2, podmanSamples: 1, containers: [1, 2] };
export const FULL: PodBenchOptions = { samples: 40, podmanSamples: 8, containers: [1, 2] };

export interface BurstBenchOptions { sizes: number[]; reps: number; podmanReps: number }
export const BURST_TINY: BurstBenchOptions = { sizes: [3], reps: 1, podmanReps: 1 };
export const BURST_FULL: BurstBenchOptions = { sizes: [10, 50], reps: 5, podmanReps: 2 };

export const TK_NET = ['--cluster-cidr', '10.42.0.0/16', '--pod-cidr', '10.42.252.0/24', '--bridge', 'tkbench0', '--node-name', 'bench-node'];
const RAW_NET = { subnet: '10.42.253.0/24', gateway: '10.42.253.1', bridge: 'tkbench1', clusterCidr: '10.42.0.0/16' };
const PODMAN_NET = { name: 'tkbench-podman', subnet: '10.42.254.0/24', gateway: '10.42.254.1', bridge: 'tkbench2' };
/** Exits at once on TERM, so deleting the benchmark's pods does not wait out a grace period. */
export const WORKLOAD = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

const ms = (t0: number): number => performance.now() - t0;
const fmt = (s: { p50: number; p90: number; p99: number; n: number }): string => `p50 ${s.p50.toFixed(0)}, p90 ${s.p90.toFixed(0)}, p99 ${s.p99.toFixed(0)} ms (n=${s.n})`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
type Stats = ReturnType<typeof summary>;

/** One row comparing `m` with a reference `r` on p50, with a goal "p50 ≤ goal × reference". */
function compare(name: string, m: Stats, refName: string, r: Stats | undefined, goal?: number, extra = ''): Row {
  if (!r) return { name, goal: goal ? `p50 <= ${goal}x ${refName}${extra}` : '-', measured: fmt(m), reference: `${refName}: not available`, ratio: '-' };
  return {
    name, goal: goal ? `p50 <= ${goal}x ${refName}${extra}` : '-', measured: fmt(m), reference: `${refName} ${fmt(r)}`,
    ratio: ratio(m.p50, r.p50), ...(goal ? { met: m.p50 <= goal * r.p50 } : {}),
  };
}

/** `tinykube up` with the test image, RawPods and (when installed) podman, each on its own network. */
class PodEnv {
  readonly work = mkdtempSync(join(tmpdir(), 'tinykube-bench-pods-'));
  readonly dataDir = join(this.work, 'data');
  up?: BenchProcess;
  client?: RestClient;
  raw?: RawPods;
  podman?: Podman;
  podmanMissing?: string;
  private podmanDir?: string;
  private readonly abort = new AbortController();
  private watching?: Promise<void>;
  private readonly waiters = new Map<string, { want: 'running' | 'gone'; resolve: () => void }>();
  private yamlCount = 0;

  async start(): Promise<void> {
    importTestImage(this.dataDir);
    this.up = await startProcess({ kind: 'up', dataDir: this.dataDir, args: TK_NET, timeoutMs: 60_000 });
    this.client = this.up.client();
    for (let i = 0; ; i++) {
      const node = await this.client.get<{ status?: { conditions?: { type: string; status: string }[] } }>('/api/v1/nodes/bench-node').catch(() => undefined);
      if (node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
      if (i > 300) throw new Error('bench-node did not become Ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ready = (pod: Pod) => pod.status?.phase === 'Running' && !!pod.status.containerStatuses?.length && pod.status.containerStatuses.every((c) => c.ready);
    const list = await this.client.get<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces/default/pods');
    this.watching = this.client.watch<Pod>(`/api/v1/namespaces/default/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (e) => {
      const name = e.object.metadata?.name ?? '';
      const w = this.waiters.get(name);
      if (w && (w.want === 'gone' ? e.type === 'DELETED' : e.type !== 'DELETED' && ready(e.object))) {
        this.waiters.delete(name);
        w.resolve();
      }
    }, this.abort.signal).catch(() => {});
    // The raw path after `up`, which has installed the unreachable route for 10.42.0.0/16 already.
    this.raw = new RawPods(this.dataDir, RAW_NET, WORKLOAD);
    this.podmanMissing = Podman.unavailable();
    if (!this.podmanMissing) {
      // Short: podman refuses a --runroot longer than 50 characters.
      this.podmanDir = mkdtempSync('/tmp/tkbpm-');
      this.podman = new Podman(this.podmanDir, PODMAN_NET);
      this.podman.setup(testImageTarball(this.work));
    }
  }

  private until(name: string, want: 'running' | 'gone'): Promise<void> {
    return new Promise((resolve) => this.waiters.set(name, { want, resolve }));
  }

  /** Creates `names` at once (each with `containers` containers) until all run, then deletes them at once until all are gone. */
  async tinykube(names: string[], containers: number): Promise<{ up: number; down: number }> {
    const c = this.client!;
    const running = names.map((n) => this.until(n, 'running'));
    let t0 = performance.now();
    await Promise.all(names.map((n) => c.post('/api/v1/namespaces/default/pods', podObject(n, TEST_IMAGE, containers, WORKLOAD))));
    await withTimeout(Promise.all(running), 120_000, `tinykube pods ${names[0]}… Running`);
    const up = ms(t0);
    const gone = names.map((n) => this.until(n, 'gone'));
    t0 = performance.now();
    await Promise.all(names.map((n) => c.delete(`/api/v1/namespaces/default/pods/${n}`)));
    await withTimeout(Promise.all(gone), 120_000, `tinykube pods ${names[0]}… gone`);
    return { up, down: ms(t0) };
  }

  /** `podman kube play` then `kube down` of `names` pods in one manifest. */
  podmanPlay(names: string[], containers: number): { up: number; down: number } {
    const file = join(this.work, `pods-${this.yamlCount++}.yaml`);
    writeFileSync(file, podsYaml(names, TEST_IMAGE, containers, WORKLOAD));
    const r = this.podman!.playDown(file);
    return { up: r.start, down: r.remove };
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.race([this.watching, new Promise((r) => setTimeout(r, 5000))]);
    this.raw?.cleanup();
    try { this.podman?.cleanup(); } catch { /* best effort, below too */ }
    if (this.up) await Promise.race([this.up.stop(), new Promise((r) => setTimeout(r, 30_000)).then(() => this.up!.stop(true))]);
    resetNode(this.dataDir, TK_NET);
    for (const d of [this.work, this.podmanDir]) if (d) rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

function withTimeout<T>(p: Promise<T>, msLimit: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out`)), msLimit); })]).finally(() => clearTimeout(timer));
}

function unavailable(what: string): { rows: Row[]; raw: Record<string, unknown> } | undefined {
  const why = realPodsUnavailable();
  if (!why) return undefined;
  console.log(`# ${what} benchmark skipped: ${why}`);
  return { rows: [{ name: `${what}: skipped`, goal: '-', measured: `skipped: ${why}`, reference: '-', ratio: '-' }], raw: { skipped: why } };
}

export async function podBench(o: PodBenchOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const skip = unavailable('pods');
  if (skip) return skip;
  const env = new PodEnv();
  try {
    await env.start();
    const rows: Row[] = [];
    const raw: Record<string, unknown> = { options: o, podman: env.podmanMissing ?? 'podman 4.3 kube play' };
    for (const c of o.containers) {
      // One warm-up of each, then the samples, interleaved per kind so drift hits all alike.
      await env.tinykube([`warm-${c}`], c);
      env.raw!.sequential(1, c);
      const tk = { up: [] as number[], down: [] as number[] };
      for (let i = 0; i < o.samples; i++) {
        const r = await env.tinykube([`p${c}-${i}`], c);
        tk.up.push(r.up);
        tk.down.push(r.down);
      }
      const rw = env.raw!.sequential(o.samples, c);
      const pm = { up: [] as number[], down: [] as number[] };
      if (env.podman) {
        env.podmanPlay(['pm-warm'], c);
        for (let i = 0; i < o.podmanSamples; i++) {
          const r = env.podmanPlay([`pm-${c}-${i}`], c);
          pm.up.push(r.up);
          pm.down.push(r.down);
        }
      }
      const s = { tinykube: summary(tk.up), raw: summary(rw.up), podman: env.podman ? summary(pm.up) : undefined };
      const d = { tinykube: summary(tk.down), raw: summary(rw.down), podman: env.podman ? summary(pm.down) : undefined };
      const what = `${c} container${c > 1 ? 's' : ''}`;
      rows.push(compare(`pods: create → Running, ${what}`, s.tinykube, 'raw script', s.raw, 1.3, ' (~100 ms)'));
      rows.push(compare(`pods: create → Running, ${what}`, s.tinykube, 'podman kube play', s.podman, 0.35));
      rows.push(compare(`pods: delete → gone, ${what}`, d.tinykube, 'raw script', d.raw));
      rows.push(compare(`pods: delete → gone, ${what}`, d.tinykube, 'podman kube down', d.podman));
      raw[`containers${c}`] = { start: s, remove: d, samples: { tinykube: tk, raw: rw, podman: pm } };
    }
    return { rows, raw };
  } finally {
    await env.stop();
  }
}

export async function burstBench(o: BurstBenchOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const skip = unavailable('burst');
  if (skip) return skip;
  const env = new PodEnv();
  try {
    await env.start();
    const rows: Row[] = [];
    const raw: Record<string, unknown> = { options: o, podman: env.podmanMissing ?? 'podman 4.3 kube play' };
    await env.tinykube(['warm'], 1);
    for (const n of o.sizes) {
      const tk = { up: [] as number[], down: [] as number[] };
      for (let r = 0; r < o.reps; r++) {
        const t = await env.tinykube(Array.from({ length: n }, (_, i) => `b${n}-${r}-${i}`), 1);
        tk.up.push(t.up);
        tk.down.push(t.down);
      }
      const rw = env.raw!.parallel(n, 1, o.reps);
      const pm = { up: [] as number[], down: [] as number[] };
      if (env.podman) {
        for (let r = 0; r < o.podmanReps; r++) {
          const t = env.podmanPlay(Array.from({ length: n }, (_, i) => `pm${n}-${r}-${i}`), 1);
          pm.up.push(t.up);
          pm.down.push(t.down);
        }
      }
      const s = { tinykube: summary(tk.up), raw: summary(rw.up), podman: env.podman ? summary(pm.up) : undefined };
      const d = { tinykube: summary(tk.down), raw: summary(rw.down), podman: env.podman ? summary(pm.down) : undefined };
      rows.push(compare(`burst: ${n} pods at once → all Running`, s.tinykube, 'raw script in parallel', s.raw, 1.4));
      rows.push(compare(`burst: ${n} pods at once → all Running`, s.tinykube, 'podman kube play', s.podman, 0.25));
      rows.push(compare(`burst: ${n} pods deleted at once → all gone`, d.tinykube, 'raw script in parallel', d.raw, 1.4));
      rows.push(compare(`burst: ${n} pods deleted at once → all gone`, d.tinykube, 'podman kube down', d.podman, 0.25));
      raw[`pods${n}`] = { start: s, remove: d, samples: { tinykube: tk, raw: rw, podman: pm } };
    }
    return { rows, raw };
  } finally {
    await env.stop();
  }
}
