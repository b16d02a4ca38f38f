// Resource usage of the node and of each running container, for the metrics API (`kubectl top`),
// as the kubelet's resource metrics endpoint gives metrics-server: CPU as a rate over the window
// between two samples (from the cgroup's cumulative usage), memory as the working set (usage
// minus inactive file pages). cgroup v1 (cpuacct, memory) and v2 (cpu.stat, memory.current).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerUsage, PodUsage, StatsReport } from '../api/nodecontract.js';
import { metaTime } from '../api/time.js';

/** Cumulative CPU time and current working set of one cgroup (or the node). */
export interface Usage { cpuNs: number; memoryBytes: number }

/** A running container to measure: its pod, name and cgroup path (as in its OCI config). */
export interface MeasuredContainer { namespace: string; pod: string; name: string; id: string; cgroup: string }

const num = async (path: string): Promise<number | undefined> => {
  const text = (await readFile(path, 'utf8').catch(() => '')).trim();
  const n = Number(text);
  return text && Number.isFinite(n) ? n : undefined;
};

/** `key value` lines (memory.stat, cpu.stat) as a map. */
export function parseKeyValues(text: string): Map<string, number> {
  return new Map(text.split('\n').filter(Boolean).map((l) => {
    const [k, v] = l.split(/\s+/);
    return [k, Number(v)] as [string, number];
  }));
}

/** The usage of a cgroup path under `root`, or undefined when it does not exist (the container is gone). */
export async function cgroupUsage(cgroup: string, root = '/sys/fs/cgroup'): Promise<Usage | undefined> {
  const v1cpu = await num(join(root, 'cpuacct', cgroup, 'cpuacct.usage'));
  if (v1cpu !== undefined) {
    const usage = (await num(join(root, 'memory', cgroup, 'memory.usage_in_bytes'))) ?? 0;
    const stat = parseKeyValues(await readFile(join(root, 'memory', cgroup, 'memory.stat'), 'utf8').catch(() => ''));
    return { cpuNs: v1cpu, memoryBytes: Math.max(0, usage - (stat.get('total_inactive_file') ?? 0)) };
  }
  const cpuStat = await readFile(join(root, cgroup, 'cpu.stat'), 'utf8').catch(() => undefined);
  if (cpuStat === undefined) return undefined;
  const usage = (await num(join(root, cgroup, 'memory.current'))) ?? 0;
  const stat = parseKeyValues(await readFile(join(root, cgroup, 'memory.stat'), 'utf8').catch(() => ''));
  return { cpuNs: (parseKeyValues(cpuStat).get('usage_usec') ?? 0) * 1000, memoryBytes: Math.max(0, usage - (stat.get('inactive_file') ?? 0)) };
}

/** The node's busy CPU time (/proc/stat, all but idle and iowait) and used memory (MemTotal − MemAvailable). */
export function nodeUsage(procStat: string, meminfo: string, ticksPerSecond = 100): Usage {
  const cpu = procStat.split('\n').find((l) => l.startsWith('cpu '))?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const busy = cpu.reduce((sum, v, i) => (i === 3 || i === 4 || i >= 8 ? sum : sum + v), 0); // idle, iowait; guest is in user already
  const kb = (key: string) => Number(meminfo.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1] ?? 0) * 1024;
  return { cpuNs: (busy / ticksPerSecond) * 1e9, memoryBytes: kb('MemTotal') - kb('MemAvailable') };
}

interface Sample { at: number; node: Usage; containers: Map<string, { c: MeasuredContainer; usage: Usage }> }

/** CPU in nanocores between two cumulative readings `seconds` apart. */
export const rate = (before: number, after: number, seconds: number): number => (seconds > 0 ? Math.max(0, Math.round((after - before) / seconds)) : 0);

/** Samples every `intervalMs`; a report is the rate between the last two samples (taking them if missing). */
export class ResourceSampler {
  private samples: Sample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly containers: () => Promise<MeasuredContainer[]>, private readonly intervalMs = 10_000, private readonly minWindowMs = 1000) {}

  start(): void {
    void this.sample().catch(() => {});
    this.timer = setInterval(() => void this.sample().catch(() => {}), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async sample(): Promise<void> {
    const [procStat, meminfo, list] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8'), this.containers()]);
    const containers = new Map<string, { c: MeasuredContainer; usage: Usage }>();
    await Promise.all(list.map(async (c) => {
      const usage = await cgroupUsage(c.cgroup);
      if (usage) containers.set(c.id, { c, usage });
    }));
    this.samples = [...this.samples, { at: Date.now(), node: nodeUsage(procStat, meminfo), containers }].slice(-2);
  }

  async report(): Promise<StatsReport> {
    if (this.samples.length < 2) {
      if (!this.samples.length) await this.sample();
      await new Promise((r) => setTimeout(r, Math.max(0, this.minWindowMs - (Date.now() - this.samples[0].at))));
      await this.sample();
    }
    const [before, after] = this.samples;
    const seconds = (after.at - before.at) / 1000;
    const pods = new Map<string, PodUsage>();
    for (const [id, { c, usage }] of after.containers) {
      const was = before.containers.get(id);
      if (!was) continue; // started within the window: no rate yet, as metrics-server
      const key = `${c.namespace}/${c.pod}`;
      if (!pods.has(key)) pods.set(key, { namespace: c.namespace, name: c.pod, containers: [] });
      pods.get(key)!.containers.push({ name: c.name, cpuNanoCores: rate(was.usage.cpuNs, usage.cpuNs, seconds), memoryBytes: usage.memoryBytes });
    }
    return {
      timestamp: metaTime(after.at),
      windowSeconds: Math.round(seconds * 1000) / 1000,
      node: { cpuNanoCores: rate(before.node.cpuNs, after.node.cpuNs, seconds), memoryBytes: after.node.memoryBytes },
      pods: [...pods.values()],
    };
  }
}
