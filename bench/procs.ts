// /proc helpers for the benchmarks: memory of a process (RSS, PSS), the processes whose command
// line mentions a path, and the children of a process.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const read = (path: string): string | undefined => {
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
};

/** VmRSS in MiB (0 when the process is gone). */
export function rssMiB(pid: number): number {
  const m = read(`/proc/${pid}/status`)?.match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) / 1024 : 0;
}

/** Proportional set size in MiB: shared pages (libraries of many conmons) divided among their users. */
export function pssMiB(pid: number): number {
  const m = read(`/proc/${pid}/smaps_rollup`)?.match(/^Pss:\s+(\d+)/m);
  return m ? Number(m[1]) / 1024 : 0;
}

export interface ProcInfo { pid: number; ppid: number; comm: string; cmdline: string }

export function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    if (fields[0] === 'Z') continue;
    out.push({ pid: Number(name), ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, close), cmdline: (read(`/proc/${name}/cmdline`) ?? '').replace(/\0/g, ' ') });
  }
  return out;
}

/** `pid` and all its descendants. */
export function descendants(all: ProcInfo[], pid: number): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: ProcInfo[] = [];
  const walk = (id: number) => { for (const c of children.get(id) ?? []) { found.push(c); walk(c.pid); } };
  walk(pid);
  return found;
}

/** Whether `tool` is on PATH. */
export const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
