// Deployment scale-out on hollow nodes: one Deployment of N replicas on M hollow nodes
// (`tinykube agent --hollow M`, a separate process: simulated nodes that report the pods bound to
// them Running and Ready without starting containers, as kubemark/kwok do) until the Deployment
// reports N available replicas. The control plane runs with its scheduler in one process, as
// `tinykube up` runs them (bench/controlplane.ts); everything is real but the containers: the
// Deployment controller makes the ReplicaSet, the ReplicaSet controller the pods, the scheduler binds
// them, the hollow nodes report them Running, the ReplicaSet and Deployment controllers count them
// available. Timed from the Deployment's POST to the watch event that shows N available replicas;
// a watch on the pods gives the phases (created, bound, Running) on the way.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, type BenchProcess } from './controlplane.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { hollowPodStatus } from '../src/agent/hollow.js';
import { rawClient, typeOfLine } from './http.js';
import type { Row } from './stats.js';

export interface DeployScaleOptions {
  replicas: number;
  nodes: number;
  /** Also watch every pod, for the times of the last create, binding and Running (a watch the API server must feed too). */
  phases?: boolean;
  /** Pass --cpu-prof to the control plane, into this directory. */
  profileDir?: string;
}
export const TINY: DeployScaleOptions = { replicas: 100, nodes: 5, phases: true };
export const FULL: DeployScaleOptions = { replicas: 3000, nodes: 100, phases: true };
const GOAL = 1000;

export interface DeployScaleRun {
  replicas: number; nodes: number;
  /** From the Deployment's POST: the last pod created, bound, reported Running; N available on the Deployment. */
  createdMs?: number; boundMs?: number; runningMs?: number; availableMs: number;
  podsPerS: number;
  hollowRegisterMs: number;
  /** Store revisions from the Deployment's POST to N available (a little later): every write of the run. */
  writes: number;
}

export async function deployScaleRun(o: DeployScaleOptions): Promise<DeployScaleRun> {
  const cp = await startProcess({
    kind: 'controlplane', args: ['--scheduler', 'now'],
    nodeArgs: o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir, '--cpu-prof-name', `deployscale-${o.replicas}.cpuprofile`] : [],
  });
  let hollow: BenchProcess | undefined;
  const http = rawClient(cp, 4);
  const watches: { close(): void }[] = [];
  try {
    hollow = await startProcess({
      kind: 'hollow', args: ['--hollow', String(o.nodes), '--kubeconfig', join(cp.dataDir, 'kubeconfig.yaml'), '--max-in-flight', '32'],
      ready: /registered .* in \d+ ms/, timeoutMs: 120_000,
    });
    const ns = '/apis/apps/v1/namespaces/default/deployments';
    const rv = (JSON.parse((await http.call('GET', '/api/v1/pods?limit=1')).body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const n = o.replicas;
    let created = 0;
    let bound = 0;
    const running = new Set<string>();
    const at = { created: 0, bound: 0, running: 0, available: 0 };
    let available!: () => void;
    const allAvailable = new Promise<void>((r) => { available = r; });
    // Pods: ADDED = created; the first MODIFIED with a nodeName = bound; phase Running.
    const boundSet = new Set<string>();
    // (Decoded here, in the benchmark's process: the pods' names come after their ownerReferences.)
    if (o.phases) watches.push(await http.watchLines(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`, (line, t) => {
      const type = typeOfLine(line);
      const pod = (JSON.parse(line) as { object: { metadata: { name: string }; spec?: { nodeName?: string }; status?: { phase?: string } } }).object;
      const name = pod.metadata.name;
      if (type === 'ADDED' && ++created === n) at.created = t;
      if ((type === 'ADDED' || type === 'MODIFIED') && pod.spec?.nodeName && !boundSet.has(name)) {
        boundSet.add(name);
        if (++bound === n) at.bound = t;
      }
      if ((type === 'ADDED' || type === 'MODIFIED') && pod.status?.phase === 'Running' && !running.has(name)) {
        running.add(name);
        if (running.size === n) at.running = t;
      }
    }));
    let lastAvailable = 0;
    watches.push(await http.watchLines(`${ns}?watch=true&resourceVersion=${rv}`, (line, t) => {
      const m = /"availableReplicas":(\d+)/.exec(line);
      lastAvailable = m ? Number(m[1]) : lastAvailable;
      if (lastAvailable === n && !at.available) { at.available = t; available(); }
    }));
    const body = JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'scale' },
      spec: {
        replicas: n, selector: { matchLabels: { app: 'scale' } },
        template: { metadata: { labels: { app: 'scale' } }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
      },
    });
    const t0 = performance.now();
    const r = await http.call('POST', ns, body);
    if (r.status !== 201) throw new Error(`create deployment: ${r.status} ${r.body}`);
    await Promise.race([allAvailable, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(
      `timed out: ${created} created, ${bound} bound, ${running.size} running, ${lastAvailable} available of ${n}`)), 60_000 + n * 20))]);
    const ms = (t: number) => t - t0;
    // Every write (pods, bindings, statuses, events, ReplicaSet/Deployment updates) is one store revision.
    const rvAfter = (JSON.parse((await http.call('GET', '/api/v1/pods?limit=1')).body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    return {
      writes: Number(rvAfter) - Number(rv),
      replicas: n, nodes: o.nodes,
      ...(o.phases ? { createdMs: ms(at.created), boundMs: ms(at.bound), runningMs: ms(at.running) } : {}), availableMs: ms(at.available),
      podsPerS: n / (ms(at.available) / 1000), hollowRegisterMs: hollow.readyMs,
    };
  } finally {
    for (const w of watches) w.close();
    http.close();
    await hollow?.stop();
    await cp.stop();
    rmSync(cp.dataDir, { recursive: true, force: true });
  }
}

/**
 * The API's floor under this: the same four writes per pod that the run makes (pod create, binding,
 * Scheduled event, Running status patch), sent by this process from `workers` clients to a control
 * plane that runs its controllers but no scheduler and has no nodes: what the API server takes
 * without any controller, scheduler or node agent deciding anything.
 */
export async function apiFloor(n: number, nodes: number, workers = 32): Promise<{ pods: number; ms: number; podsPerS: number }> {
  const cp = await startProcess({ kind: 'controlplane', args: ['--scheduler', 'none'] });
  // The client the controllers use (src/client/rest.ts, 32 keep-alive sockets), with the admin certificate.
  const client = cp.client();
  try {
    const pods = '/api/v1/namespaces/default/pods';
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: workers }, async () => {
      while (next < n) {
        const i = next++;
        const name = `floor-${i}`;
        const node = `floor-node-${i % nodes}`;
        const pod = await client.post<Pod>(pods, {
          apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'floor', 'pod-template-hash': '5d8f7c9b6' } },
          spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        });
        await client.post(`${pods}/${name}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
        const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        await client.post('/api/v1/namespaces/default/events', {
          apiVersion: 'v1', kind: 'Event', metadata: { name: `${name}.${i.toString(16)}` },
          involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace: 'default', uid: pod.metadata!.uid },
          type: 'Normal', reason: 'Scheduled', message: `Successfully assigned default/${name} to ${node}`, count: 1, firstTimestamp: ts, lastTimestamp: ts,
          source: { component: 'default-scheduler' }, reportingComponent: 'default-scheduler', reportingInstance: '',
        });
        const status = hollowPodStatus({ ...pod, spec: { ...pod.spec!, nodeName: node } }, { podIP: `198.19.${(i >> 8) & 255}.${i & 255}`, hostIP: '198.18.0.1', now: ts });
        await client.patch(`${pods}/${name}/status`, { metadata: { uid: pod.metadata!.uid }, status }, 'application/strategic-merge-patch+json');
      }
    }));
    const ms = performance.now() - t0;
    return { pods: n, ms, podsPerS: n / (ms / 1000) };
  } finally {
    await cp.stop();
    rmSync(cp.dataDir, { recursive: true, force: true });
  }
}

export async function deployScaleBench(o: DeployScaleOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const run = await deployScaleRun(o);
  const floor = await apiFloor(o.replicas, o.nodes);
  const s = (v: number) => `${(v / 1000).toFixed(2)} s`;
  return {
    rows: [{
      name: `deployment: ${run.replicas} replicas → ${run.replicas} available, ${run.nodes} hollow nodes`, goal: `>= ${GOAL} pods/s`,
      measured: `${run.podsPerS.toFixed(0)} pods/s (${s(run.availableMs)})`,
      reference: `${run.createdMs === undefined ? '' : `created ${s(run.createdMs)}, bound ${s(run.boundMs!)}, Running ${s(run.runningMs!)}; `}${(run.writes / run.replicas).toFixed(1)} writes/pod`,
      ratio: `${(run.podsPerS / GOAL).toFixed(2)}x`, met: run.podsPerS >= GOAL,
    }, {
      name: `deployment: API floor, the same 4 writes/pod for ${floor.pods} pods from 32 clients (no controller decides)`, goal: '-',
      measured: `${floor.podsPerS.toFixed(0)} pods/s (${s(floor.ms)})`,
      reference: `deployment run: ${run.podsPerS.toFixed(0)} pods/s`, ratio: `${(run.podsPerS / floor.podsPerS).toFixed(2)}x`,
    }],
    raw: { run, floor, options: o },
  };
}
