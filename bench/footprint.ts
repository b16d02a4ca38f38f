// Footprint of `tinykube up` (API server, scheduler, controllers and the node agent in one process):
//  - cold start: spawn on a fresh data dir (certificates generated) until GET /readyz answers 200,
//    polled every 10 ms. Reference: a bare Node.js HTTPS server (bench/floor.ts) spawned and polled
//    the same way, i.e. Node's own start-up floor on this machine.
//  - RSS of the process idle with its one node, and with 10 000 pods stored (pods held back by a
//    scheduling gate, so they stay in the store without being scheduled or run). Reference: k3s's
//    documented memory for a server with SQLite, 512–768 MB (docs.k3s.io, Requirements).
//  - per running pod: N pods of the bench workload started at once; the growth of the process's
//    PSS plus the PSS of every conmon of this node and everything under it (infra, app
//    processes), divided by N. Reference: the conmon + pod processes part alone (what any
//    conmon-based runtime pays), so the ratio is what tinykube adds.
// Sizes are MB (10^6 bytes), as the goals are written.
import { request } from 'node:https';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realPodsUnavailable } from '../test/e2e/cluster.js';
import { CLI } from '../test/e2e/harness.js';
import { importTestImage, TEST_IMAGE } from '../test/e2e/podimage.js';
import { FLOOR_SERVER, resetNode, startProcess } from './controlplane.js';
import { rawClient } from './http.js';
import { TK_NET, WORKLOAD } from './pods.js';
import { podObject } from './podman.js';
import { descendants, processes, pssMiB, rssMiB } from './procs.js';
import { summary, type Row } from './stats.js';

export interface FootprintOptions { coldStarts: number; storedPods: number; runningPods: number; settleMs: number }
export const TINY: FootprintOptions = { coldStarts: 1, storedPods: 200, runningPods: 2, settleMs: 500 };
export const FULL: FootprintOptions = { coldStarts: 5, storedPods: 10_000, runningPods: 20, settleMs: 3000 };

const MB = 2 ** 20 / 1e6;
const K3S_MB = 512;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when https://127.0.0.1:port/readyz answers 200 (certificate not checked: it does not exist before the server makes it). */
async function pollReadyz(port: number, timeoutMs: number, exited: () => boolean): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, agent: false, timeout: 1000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => { req.destroy(); resolve(false); });
      req.end();
    });
    if (ok) return;
    if (exited()) throw new Error('the process exited before /readyz answered');
    if (performance.now() > until) throw new Error(`/readyz on ${port} did not answer in ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Spawns `argv` (a node script) and times it to /readyz on `port`; returns the child, still running. */
async function coldStart(argv: string[], port: number) {
  const t0 = performance.now();
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => { err += d; });
  try {
    await pollReadyz(port, 60_000, () => proc.exitCode !== null);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}: ${err}`);
  }
  const ms = performance.now() - t0;
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  return { ms, proc, stop };
}

export async function footprintBench(o: FootprintOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const noNode = realPodsUnavailable();
  if (noNode) {
    console.log(`# footprint benchmark skipped: ${noNode}`);
    return { rows: [{ name: 'footprint: skipped', goal: '-', measured: `skipped: ${noNode}`, reference: '-', ratio: '-' }], raw: { skipped: noNode } };
  }
  const work = mkdtempSync(join(tmpdir(), 'tinykube-bench-footprint-'));
  const rows: Row[] = [];
  const raw: Record<string, unknown> = { options: o };
  const dirs: string[] = [];
  try {
    // Cold starts, each on a fresh data dir; the last one keeps running for the memory rows.
    const colds: number[] = [];
    const floors: number[] = [];
    let kept: Awaited<ReturnType<typeof coldStart>> | undefined;
    let keptDir = '';
    let keptPort = 0;
    const floorDir = join(work, 'floor');
    for (let i = 0; i < o.coldStarts; i++) {
      const dataDir = join(work, `data-${i}`);
      dirs.push(dataDir);
      const last = i === o.coldStarts - 1;
      // The image for the running pods (a store on disk, not read at start-up).
      if (last) importTestImage(dataDir);
      const port = await freePort();
      const c = await coldStart([CLI, 'up', '--data-dir', dataDir, '--port', String(port), '--bind-address', '127.0.0.1', ...TK_NET], port);
      colds.push(c.ms);
      // The floor server borrows the first node's certificates (the data dirs go with each reset).
      if (i === 0) cpSync(join(dataDir, 'pki'), join(floorDir, 'pki'), { recursive: true });
      if (last) { kept = c; keptDir = dataDir; keptPort = port; } else {
        await c.stop();
        resetNode(dataDir, TK_NET);
      }
      const fport = await freePort();
      const f = await coldStart([FLOOR_SERVER, '--data-dir', floorDir, '--port', String(fport)], fport);
      floors.push(f.ms);
      await f.stop();
    }
    const cold = summary(colds);
    const floor = summary(floors);
    raw.coldStart = { up: cold, floor };
    rows.push({
      name: 'footprint: `tinykube up` cold start → /readyz', goal: 'p50 <= 1000 ms', measured: `p50 ${cold.p50.toFixed(0)} ms, p90 ${cold.p90.toFixed(0)} ms (n=${cold.n})`,
      reference: `bare Node.js HTTPS server p50 ${floor.p50.toFixed(0)} ms`, ratio: ratio(cold.p50, floor.p50), met: cold.p50 <= 1000,
    });

    const up = kept!;
    const pid = up.proc.pid!;
    const target = { url: `https://127.0.0.1:${keptPort}`, dataDir: keptDir };
    const http = rawClient(target, 64);
    try {
      // Idle with its node: wait until the node is Ready, then let it settle.
      for (let i = 0; ; i++) {
        const r = await http.call('GET', '/api/v1/nodes/bench-node');
        if (r.status === 200 && /"type":"Ready","status":"True"/.test(r.body)) break;
        if (i > 300) throw new Error('bench-node did not become Ready');
        await sleep(100);
      }
      await sleep(o.settleMs);
      const idle = rssMiB(pid) * MB;
      raw.idleRssMB = idle;
      rows.push({
        name: 'footprint: RSS idle, one node', goal: '<= 150 MB', measured: `${idle.toFixed(0)} MB`,
        reference: `k3s server (documented) ${K3S_MB}–768 MB`, ratio: ratio(idle, K3S_MB), met: idle <= 150,
      });

      // Per running pod: N pods at once, until all run.
      const pssBefore = pssMiB(pid) * MB;
      const names = Array.from({ length: o.runningPods }, (_, i) => `fp-${i}`);
      await Promise.all(names.map((n) => http.call('POST', '/api/v1/namespaces/default/pods', JSON.stringify(podObject(n, TEST_IMAGE, 1, WORKLOAD)))));
      for (let i = 0; ; i++) {
        const list = JSON.parse((await http.call('GET', '/api/v1/namespaces/default/pods')).body) as { items: { status?: { phase?: string; containerStatuses?: { ready: boolean }[] } }[] };
        const running = list.items.filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready)).length;
        if (running === o.runningPods) break;
        if (i > 600) throw new Error(`only ${running} of ${o.runningPods} pods Running`);
        await sleep(100);
      }
      await sleep(o.settleMs);
      const all = processes();
      const conmons = all.filter((p) => p.comm === 'conmon' && p.cmdline.includes(keptDir));
      const podProcs = [...conmons, ...conmons.flatMap((c) => descendants(all, c.pid))];
      const podsPss = podProcs.reduce((a, p) => a + pssMiB(p.pid), 0) * MB;
      // The process's own growth is within its garbage collector's swings at small N: negative counts as none.
      const agentGrowthRaw = pssMiB(pid) * MB - pssBefore;
      const agentGrowth = Math.max(0, agentGrowthRaw);
      const perPod = (agentGrowth + podsPss) / o.runningPods;
      const floorPerPod = podsPss / o.runningPods;
      raw.perPod = { pods: o.runningPods, conmons: conmons.length, processes: podProcs.length, podsPssMB: podsPss, agentGrowthMB: agentGrowthRaw, perPodMB: perPod };
      rows.push({
        name: `footprint: memory per running pod (${o.runningPods} pods, PSS)`, goal: '-',
        measured: `${perPod.toFixed(2)} MB (conmon + pod processes ${floorPerPod.toFixed(2)}, tinykube ${(agentGrowth / o.runningPods).toFixed(2)})`,
        reference: `conmon + pod processes alone ${floorPerPod.toFixed(2)} MB`, ratio: ratio(perPod, floorPerPod),
      });
      await Promise.all(names.map((n) => http.call('DELETE', `/api/v1/namespaces/default/pods/${n}`)));
      for (let i = 0; ; i++) {
        const list = JSON.parse((await http.call('GET', '/api/v1/namespaces/default/pods')).body) as { items: unknown[] };
        if (!list.items.length) break;
        if (i > 600) throw new Error('the footprint pods were not deleted');
        await sleep(100);
      }

      // Pods stored: held back by a scheduling gate, in a namespace of their own.
      await http.call('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'stored' } }));
      await http.createMany('/api/v1/namespaces/stored/pods', o.storedPods, 64, (i) => JSON.stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `stored-${i}`, labels: { app: 'stored' } },
        spec: { schedulingGates: [{ name: 'tinykube.io/bench' }], containers: [{ name: 'c', image: TEST_IMAGE, command: WORKLOAD }] },
      }));
      await sleep(o.settleMs);
      const stored = rssMiB(pid) * MB;
      raw.storedRssMB = stored;
      rows.push({
        name: `footprint: RSS with ${o.storedPods} pods stored`, goal: '<= 500 MB', measured: `${stored.toFixed(0)} MB`,
        reference: `k3s server (documented) ${K3S_MB}–768 MB`, ratio: ratio(stored, K3S_MB), ...(o.storedPods >= 10_000 ? { met: stored <= 500 } : {}),
      });
    } finally {
      http.close();
      await up.stop();
    }
    return { rows, raw };
  } finally {
    for (const d of dirs) resetNode(d, TK_NET);
    rmSync(work, { recursive: true, force: true });
  }
}
