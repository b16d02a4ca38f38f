// Summarises a V8 .cpuprofile (from node --cpu-prof): self time per function and per source file,
// and inclusive time of chosen functions. `node dist/bench/profile.js FILE [TOP]`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  gcMs: number;
  byFunction: { name: string; ms: number; pct: number }[];
  byFile: { file: string; ms: number; pct: number }[];
  /** Inclusive time of every function by name (a function that calls itself is counted once per sample). */
  inclusive: Map<string, number>;
}

const shortUrl = (url: string): string => {
  if (!url) return '(native)';
  const m = url.match(/(?:dist\/|node_modules\/)(.*)$/);
  return m ? m[1] : url.replace(/^node:/, 'node:');
};

export function summarise(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idleMs = 0;
  let gcMs = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') idleMs += ms;
    if (name === '(garbage collector)') gcMs += ms;
    const key = `${name} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const f = shortUrl(n.callFrame.url);
    file.set(f, (file.get(f) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)!.callFrame;
      const k = `${c.functionName || '(anonymous)'} ${shortUrl(c.url)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  }
  const sorted = <K>(m: Map<K, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs, idleMs, gcMs, inclusive,
    byFunction: sorted(fn).map(([name, ms]) => ({ name, ms, pct: (100 * ms) / totalMs })),
    byFile: sorted(file).map(([f, ms]) => ({ file: f, ms, pct: (100 * ms) / totalMs })),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [path, topArg] = process.argv.slice(2);
  const top = Number(topArg ?? 30);
  const s = summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  console.log(`total ${s.totalMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms (${((100 * s.idleMs) / s.totalMs).toFixed(1)} %), GC ${s.gcMs.toFixed(0)} ms (${((100 * s.gcMs) / s.totalMs).toFixed(1)} %)`);
  console.log('\nself time by function:');
  for (const r of s.byFunction.slice(0, top)) console.log(`${r.pct.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
  console.log('\nself time by file:');
  for (const r of s.byFile.slice(0, top)) console.log(`${r.pct.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.file}`);
  console.log('\ninclusive time:');
  for (const [k, ms] of [...s.inclusive].sort((a, b) => b[1] - a[1]).slice(0, top * 2)) console.log(`${((100 * ms) / s.totalMs).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
}
