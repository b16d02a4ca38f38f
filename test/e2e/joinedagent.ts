// `tinykube agent` processes joined to a test cluster (`up` or `server`), each with its own data dir
// and bridge, for the multi-node e2e tests; reset() checks that nothing of one is left.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, type KubectlResult } from './harness.js';
import { importTestImage } from './podimage.js';
import { waitFor } from './cluster.js';

/** What an agent joins: the API server's URL and a kubectl against it. */
export interface JoinTarget {
  server: { url: string };
  kubectl(args: string[]): Promise<KubectlResult>;
}

/** `tinykube agent` joined to a cluster, optionally inside another "host"'s network namespace (its network only: same mounts). */
export class JoinedAgent {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'tinykube-agent-'));
  podCidr = '';
  private proc?: ChildProcess;
  private out = '';

  /** `host`: run in that network namespace, reached at that address. */
  constructor(readonly name: string, readonly bridge: string, readonly clusterCidr: string, readonly host?: { netns: string; ip: string }) {}

  private command(args: string[]): [string, string[]] {
    return this.host ? ['nsenter', [`--net=/var/run/netns/${this.host.netns}`, process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  }

  private get net(): string[] {
    return ['--bridge', this.bridge, '--cluster-cidr', this.clusterCidr];
  }

  async join(cluster: JoinTarget, token: string[]): Promise<void> {
    importTestImage(this.dataDir);
    const [cmd, args] = this.command(['agent', '--server', cluster.server.url, ...token, '--data-dir', this.dataDir, '--node-name', this.name, ...this.net, ...(this.host ? ['--node-ip', this.host.ip] : [])]);
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout!.on('data', (d) => { this.out += d; });
    proc.stderr!.on('data', (d) => { this.out += d; });
    this.podCidr = await waitFor(`${this.name} joined`, async () => /\(pods (\S+)\) joined/.exec(this.out)?.[1] ?? (proc.exitCode !== null ? Promise.reject(new Error(this.out)) : undefined), 30_000);
    await waitFor(`${this.name} Ready`, async () => (new RegExp(`${this.name}\\s+Ready`).test((await cluster.kubectl(['get', 'nodes'])).stdout) ? true : undefined));
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }

  /** Stops it and runs `tinykube reset` where it ran; checks nothing of it is left. */
  async reset(): Promise<void> {
    await this.stop();
    const [cmd, args] = this.command(['reset', '--data-dir', this.dataDir, '--pod-cidr', this.podCidr || '10.40.250.0/24', ...this.net]);
    execFileSync(cmd, args);
    assert.ok(!existsSync(this.dataDir), `${this.name}: data dir removed`);
    assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(this.dataDir), `${this.name}: no mount left`);
    const link = this.host ? spawnSync('ip', ['-n', this.host.netns, 'link', 'show', this.bridge]) : spawnSync('ip', ['link', 'show', this.bridge]);
    assert.equal(link.status, 1, `${this.name}: bridge removed`);
  }
}
