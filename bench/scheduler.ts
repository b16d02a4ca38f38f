// Scheduler throughput on hollow nodes. The control plane runs with the scheduler in its own process,
// as `tinykube up` runs them (bench/controlplane.ts); the hollow nodes are a separate process (the
// future `tinykube agent --hollow N`), which keeps their Leases and reports the bound pods Running.
// This process creates the pods from many keep-alive clients and counts, on one watch of bound pods,
// when each pod got its node.
//  - end to end: pods are created while the scheduler runs; the window is first create → last pod bound.
//  - binding only: the pods are created first, then the scheduler starts (its initial LIST included);
//    the window is scheduler start → last pod bound.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, type BenchProcess } from './controlplane.js';
import { nameInLine, rawClient, typeOfLine } from './http.js';
import type { Row } from './stats.js';

export interface SchedulerBenchOptions {
  nodes: number;
  pods: number[];
  clients: number;
  /** Also time the scheduler alone on pods created beforehand. */
  bindingOnly: boolean;
  /** Pass --cpu-prof to the control plane of the largest end-to-end run, into this directory. */
  profileDir?: string;
}
export const TINY: SchedulerBenchOptions = { nodes: 20, pods: [200], clients: 8, bindingOnly: true };
export const FULL: SchedulerBenchOptions = { nodes: 5000, pods: [10_000, 50_000], clients: 64, bindingOnly: true };

const GOAL = 2000;
const podBody = (i: number) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: `sp-${i}`, labels: { app: 'sched-bench' } },
  spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});

export interface SchedulerRun {
  pods: number; mode: 'end-to-end' | 'binding-only';
  createMs: number; boundMs: number; runningMs: number; podsPerS: number; createsPerS: number;
  hollowRegisterMs: number;
}

async function run(o: SchedulerBenchOptions, n: number, mode: SchedulerRun['mode'], profile?: string): Promise<SchedulerRun> {
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
    if (mode === 'binding-only') {
      start = performance.now();
      cp.send('schedule');
    }
    await limit('binding', allBound);
    await limit('running', allRunning);
    const boundMs = lastBound - start;
    return {
      pods: n, mode, createMs: created - t0, boundMs, runningMs: lastRunning - start, podsPerS: n / (boundMs / 1000),
      createsPerS: n / ((created - t0) / 1000), hollowRegisterMs,
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
  for (const n of o.pods) {
    const e2e = await run(o, n, 'end-to-end', n === largest ? o.profileDir : undefined);
    runs.push(e2e);
    rows.push({
      name: `scheduler: ${n} pods created → bound on ${o.nodes} hollow nodes`, goal: `>= ${GOAL} pods/s`,
      measured: `${e2e.podsPerS.toFixed(0)} pods/s (${(e2e.boundMs / 1000).toFixed(1)} s; creates alone ${e2e.createsPerS.toFixed(0)}/s)`, met: e2e.podsPerS >= GOAL,
    });
    if (o.bindingOnly) {
      const b = await run(o, n, 'binding-only');
      runs.push(b);
      rows.push({
        name: `scheduler: ${n} pending pods → bound (scheduler alone)`, goal: '-',
        measured: `${b.podsPerS.toFixed(0)} pods/s (${(b.boundMs / 1000).toFixed(1)} s)`,
      });
    }
  }
  return { rows, raw: { runs, options: o } };
}
