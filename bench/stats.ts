// Percentiles and the machine description every recorded result carries.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** The first line of `cmd args` that matches `re` (its first group), or undefined when the tool is missing. */
function version(cmd: string, args: string[], re: RegExp): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? re.exec(`${r.stdout}${r.stderr}`)?.[1] : undefined;
}

export function machine() {
  let os: string | undefined;
  try { os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]; } catch { /* not Linux */ }
  let sqlite: string | undefined;
  try { sqlite = (createRequire(import.meta.url)('better-sqlite3/package.json') as { version: string }).version; } catch { /* absent */ }
  return {
    cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), os, node: process.version,
    betterSqlite3: sqlite,
    runc: version('runc', ['--version'], /runc version (\S+)/), conmon: version('conmon', ['--version'], /conmon version (\S+)/),
    podman: version('podman', ['--version'], /podman version (\S+)/), cniPlugins: version('dpkg-query', ['-W', '-f', '${Version}', 'containernetworking-plugins'], /(\S+)/),
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
