// Percentiles and the machine description every recorded result carries.
import { cpus, totalmem, release } from 'node:os';

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] };
}

export function machine() {
  return {
    cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version,
  };
}

export interface Row {
  name: string;
  goal: string;
  measured: string;
  reference?: string;
  ratio?: string;
  met?: boolean;
}

export function printTable(rows: Row[]): void {
  const head: Row = { name: 'benchmark', goal: 'goal', measured: 'measured', reference: 'reference', ratio: 'ratio' };
  const all = [head, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => String(r[k] ?? '-').length));
  const keys: (keyof Row)[] = ['name', 'goal', 'measured', 'reference', 'ratio'];
  for (const r of all) {
    const mark = r === head ? '   ' : r.met === undefined ? '   ' : r.met ? ' ok' : ' MISS';
    console.log(keys.map((k) => String(r[k] ?? '-').padEnd(w(k))).join('  ') + mark);
  }
}
