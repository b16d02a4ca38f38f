// Process helpers for the benchmarks.
//  - As an entry point (`node dist/bench/controlplane.js --data-dir D [--scheduler now|stdin|none]`):
//    the control plane with the scheduler in the same process, started exactly as `tinykube server`
//    starts them (src/daemons/controlplane.ts), without a node agent. `--scheduler stdin` starts the
//    scheduler only when the line "schedule" arrives on stdin, so a benchmark can time the scheduler
//    alone on pods created beforehand.
//  - startProcess(): spawns that entry, `tinykube server|up`, `tinykube agent --hollow N`, or the
//    floor server (bench/floor.ts), with node
//    flags of our own (e.g. --cpu-prof), and waits until it says it is ready.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RestClient } from '../src/client/rest.js';
import { startControlPlane } from '../src/daemons/controlplane.js';
import { CLI } from '../test/e2e/harness.js';

const SELF = fileURLToPath(import.meta.url);
export const FLOOR_SERVER = join(dirname(SELF), 'floor.js');

export interface BenchProcess {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  /** Milliseconds from spawn until the ready line. */
  readyMs: number;
  client(): RestClient;
  /** Writes a line to the process's stdin. */
  send(line: string): void;
  /** Resolves when the process prints a line matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(hard?: boolean): Promise<void>;
}

export interface ProcessOptions {
  /** `server`/`up` run the tinykube CLI; `controlplane` this file's entry; `hollow` `tinykube agent` (pass --hollow N --kubeconfig F in args); `floor` bench/floor.ts (needs dataDir's pki). */
  kind: 'server' | 'up' | 'controlplane' | 'hollow' | 'floor';
  dataDir?: string;
  args?: string[];
  /** Flags for node itself, e.g. ['--cpu-prof', '--cpu-prof-dir', DIR]. */
  nodeArgs?: string[];
  /** Text that says the process is ready; its first group (if any) is the URL. */
  ready?: RegExp;
  timeoutMs?: number;
}

/** Spawns a tinykube process and waits for its ready line. */
export async function startProcess(o: ProcessOptions): Promise<BenchProcess> {
  // The hollow agent keeps nothing on disk: it gets no data dir.
  const dataDir = o.dataDir ?? (o.kind === 'hollow' ? '' : mkdtempSync(join(tmpdir(), 'tinykube-bench-')));
  const listen = ['--data-dir', dataDir, '--port', '0', '--bind-address', '127.0.0.1'];
  const script = o.kind === 'controlplane' ? [SELF, ...listen] : o.kind === 'floor' ? [FLOOR_SERVER, ...listen] : o.kind === 'hollow' ? [CLI, 'agent'] : [CLI, o.kind, ...listen];
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), ...script, ...(o.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const lineWaiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  proc.stderr!.on('data', (d) => { err += d; if (err.length > 1e6) err = err.slice(-1e5); });
  proc.stdout!.on('data', (d) => {
    out += d;
    for (const w of [...lineWaiters]) {
      const m = out.match(w.re);
      if (m) { lineWaiters.splice(lineWaiters.indexOf(w), 1); w.resolve(m[0]); }
    }
  });
  const waitFor = (re: RegExp, timeoutMs = 60_000) => new Promise<string>((resolve, reject) => {
    const m = out.match(re);
    if (m) { resolve(m[0]); return; }
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${out}${err}`)), timeoutMs);
    const onExit = (code: number | null) => { clearTimeout(timer); reject(new Error(`${o.kind} exited with ${code}: ${out}${err}`)); };
    proc.once('exit', onExit);
    lineWaiters.push({ re, resolve: (l) => { clearTimeout(timer); proc.off('exit', onExit); resolve(l); } });
  });
  const readyLine = await waitFor(o.ready ?? /ready at (https:\/\/\S+)/, o.timeoutMs ?? 30_000);
  const readyMs = performance.now() - t0;
  const url = readyLine.match(/(https:\/\/\S+)/)?.[1] ?? '';
  const clients: RestClient[] = [];
  return {
    url, dataDir, proc, readyMs, waitFor,
    client() {
      const pki = (n: string) => readFileSync(join(dataDir, 'pki', n), 'utf8');
      const c = new RestClient({ server: url, ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key') });
      clients.push(c);
      return c;
    },
    send(line: string) { proc.stdin!.write(`${line}\n`); },
    async stop(hard = false) {
      for (const c of clients) c.close();
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
      await exited;
    },
  };
}

/** `tinykube reset` with the same network flags (what `up` made), then the data dir goes. */
export function resetNode(dataDir: string, net: string[]): void {
  spawnSync(process.execPath, [CLI, 'reset', '--data-dir', dataDir, ...net], { stdio: 'ignore' });
  rmSync(dataDir, { recursive: true, force: true });
}

/** The network flags of one benchmark's `tinykube up`: its own /24 of 10.49.0.0/16 and bridge. */
export const benchNet = (n: number, node: string): string[] =>
  ['--cluster-cidr', '10.49.0.0/16', '--pod-cidr', `10.49.${n}.0/24`, '--bridge', `tkb${n}`, '--node-name', node];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' }, port: { type: 'string', default: '0' }, 'bind-address': { type: 'string', default: '127.0.0.1' },
      scheduler: { type: 'string', default: 'now' },
    },
  });
  const started = Date.now();
  const cp = await startControlPlane({ dataDir: values['data-dir']!, host: values['bind-address']!, port: Number(values.port), scheduler: values.scheduler === 'now' });
  let scheduling = false;
  process.stdout.write(`tinykube control plane (scheduler: ${values.scheduler}) ready at ${cp.url} in ${Date.now() - started} ms\n`);
  if (values.scheduler === 'stdin') {
    let buf = '';
    process.stdin.on('data', (d) => {
      buf += d;
      if (!scheduling && buf.includes('schedule\n')) {
        scheduling = true;
        void cp.startScheduler().then(() => process.stdout.write('scheduler started\n'));
      }
    });
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // process.exit (not a signal's default action) lets --cpu-prof write its profile.
    cp.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] === SELF) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench control plane: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
