// End-to-end test harness: starts a real tinykube server (as a child process, so tests can kill it)
// and runs the real kubectl binaries against it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestClient } from '../../src/client/rest.js';

const here = dirname(fileURLToPath(import.meta.url));
export const CLI = resolve(here, '../../src/cli/main.js');

export interface RunningServer {
  url: string;
  dataDir: string;
  kubeconfig: string;
  proc: ChildProcess;
  client(): RestClient;
  /** Stops the server (SIGTERM, or SIGKILL with `hard`) and waits for it to exit. */
  stop(hard?: boolean): Promise<void>;
  /** Removes the data directory. */
  cleanup(): void;
}

export interface StartOptions {
  /** `server` (control plane only, the default) or `up` (a whole single-node cluster). */
  command?: 'server' | 'up';
  args?: string[];
}

/** Starts `tinykube server` (or `up`) on a free loopback port with a fresh (or given) data directory. */
export async function startServer(dataDir = mkdtempSync(join(tmpdir(), 'tinykube-e2e-')), opts: StartOptions = {}): Promise<RunningServer> {
  const args = [CLI, opts.command ?? 'server', '--data-dir', dataDir, '--port', '0', '--bind-address', '127.0.0.1', ...(opts.args ?? [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => { err += d; });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 20_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/ready at (https:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolveUrl(m[1]); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}: ${out}${err}`)); });
  });
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const clients: RestClient[] = [];
  return {
    url, dataDir, kubeconfig, proc,
    client() {
      const pki = (n: string) => readFileSync(join(dataDir, 'pki', n), 'utf8');
      const c = new RestClient({ server: url, ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key') });
      clients.push(c);
      return c;
    },
    async stop(hard = false) {
      for (const c of clients) c.close();
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
      await exited;
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The directory holding kubectl.1.NN binaries beside the kubectl on PATH, if any. */
function kubectlDir(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  return which ? dirname(realpathSync(which)) : undefined;
}

/** Path of kubectl 1.NN, or undefined when it is not installed. Falls back to a plain kubectl of that minor version. */
export function findKubectl(minor: number): string | undefined {
  const dir = kubectlDir();
  const versioned = dir && join(dir, `kubectl.1.${minor}`);
  if (versioned && existsSync(versioned)) return versioned;
  for (const candidate of ['/usr/bin/kubectl', 'kubectl']) {
    const v = spawnSync(candidate, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
    if (v.status === 0 && JSON.parse(v.stdout).clientVersion?.minor?.startsWith(String(minor))) return candidate;
  }
  return undefined;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with this server's kubeconfig and a private discovery cache. */
export function kubectlRunner(binary: string, server: RunningServer, cwd: string) {
  const cacheDir = join(server.dataDir, `kubectl-cache-${Math.random().toString(36).slice(2)}`);
  return (args: string[], input?: string): Promise<KubectlResult> => new Promise((resolveRun) => {
    const p = spawn(binary, ['--cache-dir', cacheDir, ...args], { cwd, env: { ...process.env, KUBECONFIG: server.kubeconfig }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input ?? '');
  });
}

export const fixtures = resolve(here, '../../../test/e2e/fixtures');
