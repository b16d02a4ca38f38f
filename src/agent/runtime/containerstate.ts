// A container's state from what is on disk: conmon's exit and oom markers are the truth about an
// exit (runc forgets exit codes), runc's status tells created from running.
import type { ContainerState } from './specs.js';
import type { ContainerRecord } from './records.js';
import type { RuncStatus } from './runc.js';

export interface Observed {
  runcStatus?: RuncStatus;
  pid?: number;
  startedAt?: string;
  /** From conmon's exit file, with its mtime as the finish time. */
  exit?: { code: number; at: string };
  oom: boolean;
  /** conmon is still running (so an exit file will come). */
  conmonAlive: boolean;
}

export function containerStateOf(r: ContainerRecord, o: Observed): ContainerState {
  const base = { id: r.id, sandboxId: r.sandboxId, name: r.name, attempt: r.attempt, logPath: r.logPath, createdAt: r.createdAt, pid: o.pid, startedAt: o.startedAt };
  if (o.exit) return { ...base, state: 'exited', exitCode: o.exit.code, oomKilled: o.oom, finishedAt: o.exit.at };
  if (o.runcStatus === 'created') return { ...base, state: 'created' };
  // A stopped container whose conmon lives is being reaped: its exit file is moments away.
  if (o.runcStatus === 'running' || o.runcStatus === 'paused' || (o.runcStatus === 'stopped' && o.conmonAlive)) return { ...base, state: 'running' };
  // No exit file and no conmon to write one (killed, or a reboot): nothing more can be known.
  return { ...base, state: 'unknown' };
}
