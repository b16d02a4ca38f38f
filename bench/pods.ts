// Pod startup benchmark, side by side in one run on the same image (Debian's busybox):
//  - tinykube: POST a one-container pod to `tinykube up` → the watch shows it Running and ready
//    (scheduler, agent, netns + CNI, infra process, overlay rootfs, conmon, runc);
//  - runc alone: `runc run -d` of a prepared bundle on the image's layer (no network, no conmon),
//    the floor any runc-based runtime stands on;
//  - podman (when installed): `podman run -d --network none --runtime runc`, a daemonless engine.
// Each sample runs alone (sequentially), so the numbers are latencies, not throughput.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { nodeLayout } from '../src/cli/node.js';
import { ImageStore } from '../src/agent/runtime/images/index.js';
import { nofileHardLimit } from '../src/agent/runtime/oci-spec.js';
import { CLI, startServer } from '../test/e2e/harness.js';
import { importTestImage, TEST_IMAGE, testImageTarball } from '../test/e2e/podimage.js';
import { summary, type Row } from './stats.js';

export interface PodBenchOptions { pods: number }
export const TINY: PodBenchOptions = { pods: 3 };
export const FULL: PodBenchOptions = { pods: 100 };

/** A network of its own, so the benchmark never meets a cluster running on the same machine. */
const NET = ['--cluster-cidr', '10.42.0.0/16', '--pod-cidr', '10.42.252.0/24', '--bridge', 'tkbench0', '--node-name', 'bench-node'];
/** Exits at once on TERM, so deleting the benchmark's pods does not wait out a grace period. */
const WORKLOAD = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];

const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const ms = (t0: number): number => performance.now() - t0;
const fmt = (s: { p50: number; p99: number }): string => `p50 ${s.p50.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms`;

export function podBenchUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  const missing = ['runc', 'conmon', 'catatonit'].filter((t) => !has(t));
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}

async function tinykubePods(dataDir: string, n: number): Promise<{ start: number[]; remove: number[] }> {
  const server = await startServer(dataDir, { command: 'up', args: NET });
  const client = server.client();
  const waiters = new Map<string, { want: 'running' | 'gone'; resolve: () => void }>();
  const ready = (pod: Pod) => pod.status?.phase === 'Running' && !!pod.status.containerStatuses?.every((c) => c.ready);
  const abort = new AbortController();
  const list = await client.get<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces/default/pods');
  const watching = client.watch<Pod>(`/api/v1/namespaces/default/pods?watch=1&resourceVersion=${list.metadata.resourceVersion}`, (e) => {
    const w = waiters.get(e.object.metadata!.name!);
    if (w && (w.want === 'gone' ? e.type === 'DELETED' : ready(e.object))) w.resolve();
  }, abort.signal).catch(() => {});
  const until = (name: string, want: 'running' | 'gone') => new Promise<void>((resolve) => waiters.set(name, { want, resolve }));
  const start: number[] = [];
  const remove: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const name = `bench-${i}`;
      const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: TEST_IMAGE, imagePullPolicy: 'Never', command: WORKLOAD }] } };
      const running = until(name, 'running');
      let t0 = performance.now();
      await client.post('/api/v1/namespaces/default/pods', body);
      await running;
      start.push(ms(t0));
      const gone = until(name, 'gone');
      t0 = performance.now();
      await client.delete(`/api/v1/namespaces/default/pods/${name}`);
      await gone;
      remove.push(ms(t0));
    }
  } finally {
    abort.abort();
    await watching;
    await server.stop();
  }
  return { start, remove };
}

/** `runc run -d` of a bundle whose read-only rootfs is the image's (single) layer in the node's store. */
function rawRunc(dataDir: string, work: string, n: number): { start: number[]; remove: number[] } {
  const image = new ImageStore(nodeLayout(dataDir).imagesDir).get(TEST_IMAGE);
  if (!image) throw new Error(`${TEST_IMAGE} is not in the store`);
  const bundle = join(work, 'bundle');
  const root = join(work, 'runc-root');
  mkdirSync(bundle, { recursive: true });
  execFileSync('runc', ['spec', '--bundle', bundle]);
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  spec.root = { path: image.layers[image.layers.length - 1], readonly: true };
  spec.process.terminal = false;
  spec.process.args = WORKLOAD;
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
  const runc = (...args: string[]) => execFileSync('runc', ['--root', root, ...args], { stdio: 'ignore' });
  const start: number[] = [];
  const remove: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = `tinykube-bench-${process.pid}-${i}`;
    let t0 = performance.now();
    runc('run', '-d', '--bundle', bundle, id);
    start.push(ms(t0));
    t0 = performance.now();
    runc('delete', '-f', id);
    remove.push(ms(t0));
  }
  return { start, remove };
}

/** `podman run -d` with its own storage under `work`, so it neither sees nor leaves anything else. */
function podman(work: string, tarball: string, n: number): { start: number[]; remove: number[] } {
  const base = ['--root', join(work, 'podman-root'), '--runroot', join(work, 'podman-run'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  const run = (...args: string[]) => execFileSync('podman', [...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  run('load', '-q', '-i', tarball);
  // podman asks for rlimits above our hard limits (NOFILE 1048576), which runc cannot set without CAP_SYS_RESOURCE.
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const nofile = nofileHardLimit(limits);
  // podman runs with NPROC lowered to 32768 itself, so the container may not ask for more.
  const nproc = Math.min(32768, Number(/^Max processes\s+\S+\s+(\d+)/m.exec(limits)?.[1] ?? 32768));
  const ulimits = ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`];
  const start: number[] = [];
  const remove: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      let t0 = performance.now();
      const id = run('run', '-d', '--network', 'none', ...ulimits, TEST_IMAGE, ...WORKLOAD).trim();
      start.push(ms(t0));
      t0 = performance.now();
      run('rm', '-f', '-t', '1', id);
      remove.push(ms(t0));
    }
  } finally {
    spawnSync('podman', [...base, 'system', 'reset', '-f'], { stdio: 'ignore' });
  }
  return { start, remove };
}

export async function podBench(o: PodBenchOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const unavailable = podBenchUnavailable();
  if (unavailable) {
    console.log(`# pods benchmark skipped: ${unavailable}`);
    return { rows: [], raw: { skipped: unavailable } };
  }
  const work = mkdtempSync(join(tmpdir(), 'tinykube-bench-pods-'));
  const dataDir = join(work, 'data');
  try {
    importTestImage(dataDir);
    const tk = await tinykubePods(dataDir, o.pods);
    const rc = rawRunc(dataDir, work, o.pods);
    const pm = has('podman') ? podman(work, testImageTarball(work), o.pods) : undefined;
    if (!pm) console.log('# podman is not installed (apt-get install podman): its rows are left out');
    const s = { tinykube: summary(tk.start), runc: summary(rc.start), podman: pm && summary(pm.start) };
    const d = { tinykube: summary(tk.remove), runc: summary(rc.remove), podman: pm && summary(pm.remove) };
    const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;
    const rows: Row[] = [
      {
        name: 'pod create → Running (1 container)', goal: 'p50 ≤ 100 ms, p99 ≤ 250 ms', measured: fmt(s.tinykube),
        reference: `runc run -d ${fmt(s.runc)}`, ratio: ratio(s.tinykube.p50, s.runc.p50), met: s.tinykube.p50 <= 100 && s.tinykube.p99 <= 250,
      },
      { name: 'pod delete → gone (TERM handled)', goal: '-', measured: fmt(d.tinykube), reference: `runc delete -f ${fmt(d.runc)}`, ratio: ratio(d.tinykube.p50, d.runc.p50) },
    ];
    if (s.podman && d.podman) {
      rows.push({ name: 'pod create → Running vs podman', goal: '-', measured: fmt(s.tinykube), reference: `podman run -d ${fmt(s.podman)}`, ratio: ratio(s.tinykube.p50, s.podman.p50) });
      rows.push({ name: 'pod delete vs podman', goal: '-', measured: fmt(d.tinykube), reference: `podman rm -f ${fmt(d.podman)}`, ratio: ratio(d.tinykube.p50, d.podman.p50) });
    }
    return { rows, raw: { start: s, remove: d, samples: { tk, rc, pm } } };
  } finally {
    spawnSync(process.execPath, [CLI, 'reset', '--data-dir', dataDir, ...NET], { stdio: 'ignore' });
    // podman's storage can stay busy for a moment after its reset.
    rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
