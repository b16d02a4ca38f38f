// podman as a peer, in a private sandbox: its own --root/--runroot/tmp dir, a containers.conf (via
// CONTAINERS_CONF) with RUNTIME-RECIPE §7's workarounds (runc, cgroupfs, nofile/nproc within our hard
// limits), and its own netavark network (own bridge and /24, internal: no NAT, no DNS server). After
// the run everything podman made is removed: pods, containers, storage, the network and bridge,
// mounts under the sandbox, netavark iptables chains (when there were none before), new cgroups.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { has } from './procs.js';

export interface PodmanNet { name: string; subnet: string; gateway: string; bridge: string }

const ms = (t0: number): number => performance.now() - t0;
const LIBPOD_CGROUP = 'libpod_parent';
const CNI_STATE = '/var/lib/cni';

/** Runs one line of `iptables -S` output (shell-quoted, e.g. comments with spaces) as a command. */
function iptablesLine(table: string, op: '-D', rule: string): void {
  spawnSync('sh', ['-c', `iptables -t ${table} ${op} ${rule.slice(3)}`], { stdio: 'ignore' });
}

/** The chains netavark (NETAVARK…) or podman's CNI plugins (CNI-…: firewall, portmap) make. */
function iptablesChains(): string[] {
  if (!has('iptables')) return [];
  return ['filter', 'nat'].flatMap((t) => spawnSync('iptables', ['-t', t, '-S'], { encoding: 'utf8' }).stdout.split('\n')
    .filter((l) => l.startsWith('-N NETAVARK') || l.startsWith('-N CNI-')).map((l) => `${t} ${l.split(' ')[1]}`));
}

function cgroupChildren(): string[] {
  const out: string[] = [];
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const d = join('/sys/fs/cgroup', h, LIBPOD_CGROUP);
    if (!existsSync(d)) continue;
    out.push(d);
    try {
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) out.push(join(d, e.name));
    } catch { /* unreadable */ }
  }
  return out;
}

export class Podman {
  private readonly env: NodeJS.ProcessEnv;
  private readonly base: string[];
  private readonly chainsBefore = new Set(iptablesChains());
  private readonly cgroupsBefore = new Set(cgroupChildren());
  /** podman's CNI backend keeps IPAM state and results under /var/lib/cni. */
  private readonly cniStateExisted = existsSync(CNI_STATE);

  constructor(private readonly work: string, private readonly net: PodmanNet) {
    mkdirSync(join(work, 'tmp'), { recursive: true });
    mkdirSync(join(work, 'networks'), { recursive: true });
    // podman asks for NOFILE 1048576, above our hard limit, which runc cannot set without CAP_SYS_RESOURCE;
    // podman runs with NPROC 32768 itself.
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const nofile = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(limits)?.[1] ?? 20000);
    const nproc = Math.min(32768, Number(/^Max processes\s+\S+\s+(\d+)/m.exec(limits)?.[1] ?? 32768));
    const conf = join(work, 'containers.conf');
    writeFileSync(conf, [
      '[containers]', `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`, '',
      '[engine]', 'runtime = "runc"', 'cgroup_manager = "cgroupfs"', 'events_logger = "none"', `tmp_dir = "${join(work, 'tmp')}"`, '',
      '[network]', `network_config_dir = "${join(work, 'networks')}"`, '',
    ].join('\n'));
    this.env = { ...process.env, CONTAINERS_CONF: conf };
    this.base = ['--root', join(work, 'root'), '--runroot', join(work, 'run')];
  }

  static unavailable(): string | undefined {
    return has('podman') ? undefined : 'podman is not installed (apt-get install podman)';
  }

  exec(...args: string[]): string {
    return execFileSync('podman', [...this.base, ...args], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  }

  /** Loads the image and creates the network. */
  setup(imageTarball: string): void {
    this.exec('load', '-q', '-i', imageTarball);
    this.exec('network', 'create', '--internal', '--disable-dns', '--subnet', this.net.subnet, '--gateway', this.net.gateway, this.net.name);
    // podman 4.3 has no --interface-name: name the bridge in the network's config file, a CNI
    // conflist (Debian's podman, without netavark) or netavark's JSON.
    const dir = join(this.work, 'networks');
    const conflist = join(dir, `${this.net.name}.conflist`);
    if (existsSync(conflist)) {
      const config = JSON.parse(readFileSync(conflist, 'utf8')) as { plugins: { type: string; bridge?: string }[] };
      for (const p of config.plugins) if (p.type === 'bridge') p.bridge = this.net.bridge;
      writeFileSync(conflist, JSON.stringify(config, null, 2));
    } else {
      const file = join(dir, `${this.net.name}.json`);
      const config = JSON.parse(readFileSync(file, 'utf8')) as { network_interface?: string };
      config.network_interface = this.net.bridge;
      writeFileSync(file, JSON.stringify(config, null, 2));
    }
  }

  /** ms of `podman run -d` (no network), and of `podman rm -f -t 1`. */
  runOnce(image: string, argv: string[]): { start: number; remove: number } {
    let t0 = performance.now();
    const id = this.exec('run', '-d', '--network', 'none', image, ...argv).trim();
    const start = ms(t0);
    t0 = performance.now();
    this.exec('rm', '-f', '-t', '1', id);
    return { start, remove: ms(t0) };
  }

  /** ms of `podman kube play` (returns with every container running) and `podman kube down` of one YAML file. */
  playDown(yamlFile: string): { start: number; remove: number } {
    let t0 = performance.now();
    this.exec('kube', 'play', '--network', this.net.name, yamlFile);
    const start = ms(t0);
    t0 = performance.now();
    this.exec('kube', 'down', yamlFile);
    return { start, remove: ms(t0) };
  }

  /** Removes everything podman made for this sandbox. */
  cleanup(): void {
    const quiet = (...args: string[]) => spawnSync('podman', [...this.base, ...args], { env: this.env, stdio: 'ignore', timeout: 120_000 });
    quiet('pod', 'rm', '-a', '-f', '-t', '0');
    quiet('rm', '-a', '-f', '-t', '0');
    quiet('network', 'rm', '-f', this.net.name);
    quiet('system', 'reset', '-f');
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(`${this.work}/`));
    for (const m of mounts.sort().reverse()) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    spawnSync('ip', ['link', 'del', this.net.bridge], { stdio: 'ignore' });
    // host-local IPAM state and cached results of podman's CNI network.
    if (!this.cniStateExisted) rmSync(CNI_STATE, { recursive: true, force: true });
    else {
      rmSync(join(CNI_STATE, 'networks', this.net.name), { recursive: true, force: true });
      for (const f of existsSync(join(CNI_STATE, 'results')) ? readdirSync(join(CNI_STATE, 'results')) : []) {
        if (f.startsWith(`${this.net.name}-`)) rmSync(join(CNI_STATE, 'results', f), { force: true });
      }
    }
    // netavark leaves its top-level chains (and jumps to them) behind; remove them when they are ours.
    const ours = iptablesChains().filter((c) => !this.chainsBefore.has(c));
    for (const c of ours) {
      const [table, chain] = c.split(' ');
      const rules = spawnSync('iptables', ['-t', table, '-S'], { encoding: 'utf8' }).stdout.split('\n');
      for (const r of rules) {
        const f = r.split(' ');
        if (f[0] === '-A' && f[1] !== chain && f.includes('-j') && f[f.indexOf('-j') + 1] === chain) iptablesLine(table, '-D', r);
      }
    }
    for (const c of ours) { const [t, ch] = c.split(' '); spawnSync('iptables', ['-t', t, '-F', ch], { stdio: 'ignore' }); }
    for (const c of ours) { const [t, ch] = c.split(' '); spawnSync('iptables', ['-t', t, '-X', ch], { stdio: 'ignore' }); }
    for (const d of cgroupChildren().filter((d) => !this.cgroupsBefore.has(d)).sort().reverse()) {
      try { rmdirSync(d); } catch { /* busy: a process still in it */ }
    }
  }
}

/** A pod manifest as `kubectl apply`/`podman kube play` take it: `names` pods, `containers` containers each. */
export function podsYaml(names: string[], image: string, containers: number, command: string[]): string {
  return names.map((name) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: Array.from({ length: containers }, (_, k) => ({ name: `c${k}`, image, imagePullPolicy: 'Never', command })) },
  })).join('\n---\n');
}

/** The same pods as API objects. */
export function podObject(name: string, image: string, containers: number, command: string[]) {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: Array.from({ length: containers }, (_, k) => ({ name: `c${k}`, image, imagePullPolicy: 'Never', command })) },
  };
}
