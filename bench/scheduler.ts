// Scheduler throughput on hollow nodes. The control plane runs with the scheduler in its own process,
// as `tinykube up` runs them (bench/controlplane.ts); the hollow nodes are a separate process (the
// future `tinykube agent --hollow N`), which keeps their Leases and reports the bound pods Running.
// This process creates the pods from many keep-alive clients and counts, on one watch of bound pods,
// when each pod got its node.
//  - end to end: pods are created while the scheduler runs; the window is first create → last pod bound.
//  - binding only: the pods are created first, then the scheduler starts (its initial LIST included);
//    the window is scheduler start → last pod bound.
// References measured in the same run: for end to end, the rate of the same creates with the
// scheduler idle (a pod cannot be bound before it exists); for binding only, the rate of the same
// binding POSTs from this client, round robin over the nodes (no filtering, no scoring: the API's
// floor under any scheduler). Those floor bindings take the first `floorBindings` pending pods.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, type BenchProcess } from './controlplane.js';
import { nameInLine, rawClient, typeOfLine } from './http.js';
import type { Row } from './stats.js';

export interface SchedulerBenchOptions {
  nodes: number;
  pods: number[];
  clients: number;
  /** Sizes at which the scheduler is also timed alone on pods created beforehand. */
  bindingOnly: number[];
  /** Sizes at which the benchmark also waits until the hollow nodes report every pod Running. */
  waitRunning: number[];
  /** Pass --cpu-prof to the control plane of the largest end-to-end run, into this directory. */
  profileDir?: string;
}
export const TINY: SchedulerBenchOptions = { nodes: 20, pods: [200], clients: 8, bindingOnly: [200], waitRunning: [200] };
export const FULL: SchedulerBenchOptions = { nodes: 5000, pods: [10_000, 50_000], clients: 64, bindingOnly: [10_000, 50_000], waitRunning: [10_000] };
/** Binding POSTs timed as the floor, per binding-only run (at most a fifth of the pods). */
const FLOOR_BINDINGS = 5000;

const GOAL = 2000;
const podBody = (i: number) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: `sp-${i}`, labels: { app: 'sched-bench' } },
  spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});

export interface SchedulerRun {
  pods: number; mode: 'end-to-end' | 'binding-only';
  createMs: number; boundMs: number; runningMs?: number; podsPerS: number; createsPerS: number;
  hollowRegisterMs: number;
  /** binding-only: POSTs of bindings by this client, round robin (the floor). */
  floorBindings?: number; floorBindingsPerS?: number;
}

async function run(o: SchedulerBenchOptions, n: number, mode: SchedulerRun['mode'], waitRunning: boolean, profile?: string): Promise<SchedulerRun> {
  const cp = await startProcess({
    kind: 'controlplane', args: ['--scheduler', mode === 'end-to-end' ? 'now' : 'stdin'],
    nodeArgs: profile ? ['--cpu-prof', '--cpu-prof-dir', profile, '--cpu-prof-name', `scheduler-${n}.cpuprofile`] : [],
  });
  let hollow: BenchProcess | undefined;
  const http = rawClient(cp, o.clients);
  let watch: { close(): void } | undefined;
  try {
    hollow = await startProcess({
      kind: 'hollow', args: ['--hollow', String(o.nodes), '--kubeconfig', join(cp.dataDir, 'kubeconfig.yaml'), '--max-in-flight', '32'],
      ready: /registered .* in \d+ ms/, timeoutMs: 300_000,
    });
    const hollowRegisterMs = hollow.readyMs;
    // Count pods as they enter the selection "bound" (ADDED) and as they show Running.
    const list = JSON.parse((await http.call('GET', '/api/v1/pods?limit=1')).body) as { metadata: { resourceVersion: string } };
    let bound = 0;
    const running = new Set<string>();
    let lastBound = 0;
    let lastRunning = 0;
    const done = { bound: () => {}, running: () => {} };
    const allBound = new Promise<void>((r) => { done.bound = r; });
    const allRunning = new Promise<void>((r) => { done.running = r; });
    watch = await http.watchLines(`/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName!=')}&watch=true&resourceVersion=${list.metadata.resourceVersion}`, (line, at) => {
      const type = typeOfLine(line);
      if (type === 'ADDED' && ++bound === n) { lastBound = at; done.bound(); }
      if ((type === 'ADDED' || type === 'MODIFIED') && line.includes('"phase":"Running"')) {
        const name = nameInLine(line);
        if (name && !running.has(name)) {
          running.add(name);
          if (running.size === n) { lastRunning = at; done.running(); }
        }
      }
    });
    const limit = (what: string, p: Promise<void>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: timed out (${bound} bound, ${running.size} running of ${n})`)), 60_000 + n * 10))]);
    const t0 = performance.now();
    await http.createMany('/api/v1/namespaces/default/pods', n, o.clients, podBody);
    const created = performance.now();
    let start = t0;
    let floor: { n: number; perS: number } | undefined;
    if (mode === 'binding-only') {
      // The floor: this client binds the first pods itself, round robin, with the same concurrency.
      const k = Math.min(FLOOR_BINDINGS, Math.floor(n / 5));
      const nodes = Array.from({ length: o.nodes }, (_, i) => `hollow-node-${String(i).padStart(String(o.nodes - 1).length, '0')}`);
      const f0 = performance.now();
      await http.createMany('/api/v1/namespaces/default/pods/binding', k, o.clients, (i) => JSON.stringify({
        apiVersion: 'v1', kind: 'Binding', metadata: { name: `sp-${i}` }, target: { apiVersion: 'v1', kind: 'Node', name: nodes[i % nodes.length] },
      }), 0, (i) => `/api/v1/namespaces/default/pods/sp-${i}/binding`);
      floor = { n: k, perS: k / ((performance.now() - f0) / 1000) };
      start = performance.now();
      cp.send('schedule');
    }
    await limit('binding', allBound);
    if (waitRunning) await limit('running', allRunning);
    const boundMs = lastBound - start;
    const scheduled = n - (floor?.n ?? 0);
    return {
      pods: scheduled, mode, createMs: created - t0, boundMs, runningMs: waitRunning ? lastRunning - start : undefined, podsPerS: scheduled / (boundMs / 1000),
      createsPerS: n / ((created - t0) / 1000), hollowRegisterMs,
      ...(floor ? { floorBindings: floor.n, floorBindingsPerS: floor.perS } : {}),
    };
  } finally {
    watch?.close();
    http.close();
    await hollow?.stop();
    await cp.stop();
    rmSync(cp.dataDir, { recursive: true, force: true });
  }
}

export async function schedulerBench(o: SchedulerBenchOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const runs: SchedulerRun[] = [];
  const rows: Row[] = [];
  const largest = Math.max(...o.pods);
  const rate = (r: number) => `${r.toFixed(0)} pods/s`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  for (const n of o.pods) {
    // Binding only first: its create phase (scheduler idle) is the end-to-end run's reference.
    let createsAlone: number | undefined;
    if (o.bindingOnly.includes(n)) {
      const b = await run(o, n, 'binding-only', o.waitRunning.includes(n));
      runs.push(b);
      createsAlone = b.createsPerS;
      rows.push({
        name: `scheduler: ${b.pods} pending pods → bound, ${o.nodes} hollow nodes (scheduler alone)`, goal: `>= ${GOAL} pods/s`,
        measured: `${rate(b.podsPerS)} (${(b.boundMs / 1000).toFixed(1)} s)`,
        reference: `API bindings alone, round robin: ${rate(b.floorBindingsPerS!)}`, ratio: ratio(b.podsPerS, b.floorBindingsPerS!), met: b.podsPerS >= GOAL,
      });
    }
    const e2e = await run(o, n, 'end-to-end', o.waitRunning.includes(n), n === largest ? o.profileDir : undefined);
    runs.push(e2e);
    rows.push({
      name: `scheduler: ${n} pods created → bound, ${o.nodes} hollow nodes (end to end)`, goal: `>= ${GOAL} pods/s`,
      measured: `${rate(e2e.podsPerS)} (${(e2e.boundMs / 1000).toFixed(1)} s)`,
      reference: createsAlone ? `API creates alone: ${createsAlone.toFixed(0)}/s` : `creates meanwhile: ${e2e.createsPerS.toFixed(0)}/s`,
      ratio: ratio(e2e.podsPerS, createsAlone ?? e2e.createsPerS), met: e2e.podsPerS >= GOAL,
    });
  }
  return { rows, raw: { runs, options: o } };
}
