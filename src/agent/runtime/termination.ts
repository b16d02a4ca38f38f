// Stopping a conmon-managed container (app or infra): the stop signal, a grace period, then SIGKILL.
// A PID-namespace init gets no default-action signals, so a process without a TERM handler only
// dies at the KILL. The exit is seen through conmon's exit file, not by polling runc.
import { setTimeout as sleep } from 'node:timers/promises';
import { conmonPidFile } from './conmon.js';
import type { RuntimeContext } from './context.js';
import { processAlive, readPid } from './proc.js';

/** How long SIGKILL may take to show up as an exit. */
const KILL_WAIT_MS = 10_000;

export interface StopOptions {
  signal: string;
  graceMs: number;
  /** SIGKILL every process in the container's cgroup (a shared PID namespace keeps children alive otherwise). */
  killAll: boolean;
}

async function conmonAlive(id: string, dir: string): Promise<boolean> {
  const pid = await readPid(conmonPidFile(dir));
  return pid !== undefined && processAlive(pid, [id]);
}

async function waitExited(ctx: RuntimeContext, id: string, withConmon: boolean, ms: number): Promise<boolean> {
  if (withConmon) return ctx.exits.waitFor(id, ms);
  // Without conmon (killed by someone) no exit file will come: poll runc, the rare case.
  const deadline = Date.now() + ms;
  for (;;) {
    const s = await ctx.runc.state(id);
    if (!s || s.status === 'stopped') return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/** Resolves once the container `id` (state dir `dir`) has exited; one that already has is fine. */
export async function stopUntilExited(ctx: RuntimeContext, id: string, dir: string, o: StopOptions): Promise<void> {
  if (await ctx.exits.waitFor(id, 0)) return;
  const withConmon = await conmonAlive(id, dir);
  if (!withConmon && (await waitExited(ctx, id, false, 0))) return;
  // Signals race with the container exiting on its own: a failed kill is judged by the wait after it.
  // A created (never started) container is still runc's init and only goes with SIGKILL.
  if (o.graceMs > 0 && (await ctx.runc.state(id))?.status !== 'created') {
    await ctx.runc.kill(id, o.signal).catch(() => {});
    if (await waitExited(ctx, id, withConmon, o.graceMs)) return;
  }
  await ctx.runc.kill(id, 'KILL', o.killAll).catch(() => {});
  if (!(await waitExited(ctx, id, withConmon, KILL_WAIT_MS))) throw new Error(`container ${id} did not exit ${KILL_WAIT_MS} ms after SIGKILL`);
}
