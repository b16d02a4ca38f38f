// Driver of the raw-path reference (bench/rawpod.sh): prepares the infra rootfs (catatonit as
// /pause), OCI config templates (the same generator the agent uses, with placeholders), the CNI
// config and an env file; runs the script; and removes everything it made afterwards (containers,
// mounts, netns, bridge, cgroups, the unreachable route it added, ip_forward if it was off).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeLayout } from '../src/daemons/node.js';
import { ImageStore } from '../src/agent/runtime/images/index.js';
import { appSpec, boundingCapabilities, infraSpec, nofileHardLimit, type OciSpec } from '../src/agent/runtime/ocispec.js';
import { TEST_IMAGE } from '../test/e2e/podimage.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../bench/rawpod.sh');
const CNI_PATH = '/usr/lib/cni';
const FAKE_PID = 999_999_999;

export interface RawNet { subnet: string; gateway: string; bridge: string; clusterCidr: string }
export interface RawTimes { up: number[]; down: number[] }

/** The shm of the raw path is a tmpfs per container (as in the recipe), not a per-pod host mount. */
function tmpfsShm(spec: OciSpec): OciSpec {
  spec.mounts = spec.mounts.map((m) => (m.destination === '/dev/shm' ? { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] } : m));
  return spec;
}

const ipOk = (...args: string[]) => spawnSync('ip', args, { stdio: 'ignore' }).status === 0;

export class RawPods {
  private readonly state: string;
  private readonly cgroot = `tinykube-bench-raw-${process.pid}`;
  private readonly prefix = `tkbraw${process.pid % 10000}`;
  private addedRoute = false;
  private readonly forwardWasOff: boolean;

  /** `dataDir`: a node data dir whose image store holds TEST_IMAGE; `workload`: the app containers' argv. */
  constructor(dataDir: string, private readonly net: RawNet, workload: string[]) {
    const image = new ImageStore(nodeLayout(dataDir).imagesDir).get(TEST_IMAGE);
    if (!image) throw new Error(`${TEST_IMAGE} is not in the store of ${dataDir}`);
    this.forwardWasOff = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '0';
    // Short: conmon's socket paths are limited to 107 bytes.
    this.state = mkdtempSync('/tmp/tkbraw-');
    const pause = join(this.state, 'pause');
    for (const d of ['dev', 'proc', 'sys']) mkdirSync(join(pause, d), { recursive: true });
    copyFileSync('/usr/bin/catatonit', join(pause, 'pause'));
    chmodSync(join(pause, 'pause'), 0o755);
    const host = { nofileHardLimit: nofileHardLimit(readFileSync('/proc/self/limits', 'utf8')), capabilities: boundingCapabilities(readFileSync('/proc/self/status', 'utf8')) };
    const podFiles = { hosts: '@DIR@/hosts', hostname: '@DIR@/hostname', resolvConf: '@DIR@/resolv.conf', shm: '@DIR@/shm' };
    const infra = tmpfsShm(infraSpec({ rootfs: pause, args: ['/pause', '-P'], hostname: '@POD@', netnsPath: '/var/run/netns/@POD@', cgroupsPath: `/${this.cgroot}/@POD@/infra`, shm: podFiles.shm, host }));
    const app = tmpfsShm(appSpec({
      rootfs: '@ROOT@', netnsPath: '/var/run/netns/@POD@', infraPid: FAKE_PID, sharePid: false, cgroupsPath: `/${this.cgroot}/@POD@/@CTR@`, pod: podFiles, host,
      container: { name: 'c', attempt: 0, lowerDirs: [], command: workload, env: [], mounts: [], logPath: '' },
    }));
    const conf = join(this.state, 'conf');
    mkdirSync(conf);
    writeFileSync(join(conf, 'infra.json'), JSON.stringify(infra));
    writeFileSync(join(conf, 'app.json'), JSON.stringify(app).replaceAll(`/proc/${FAKE_PID}/`, '/proc/@PID@/'));
    const netconf = {
      cniVersion: '1.0.0', name: 'tkbraw', type: 'bridge', bridge: net.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
      ipam: { type: 'host-local', dataDir: join(this.state, 'ipam'), ranges: [[{ subnet: net.subnet, gateway: net.gateway }]], routes: [{ dst: '0.0.0.0/0' }] },
    };
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    writeFileSync(join(conf, 'env.sh'), [
      `STATE=${q(join(this.state, 'run'))}`, `RUNC_ROOT=${q(join(this.state, 'runc'))}`, `CGROOT=${q(this.cgroot)}`, `PREFIX=${q(this.prefix)}`,
      `LOWER=${q([...image.layers].reverse().join(':'))}`, `NETCONF=${q(JSON.stringify(netconf))}`, `CNI_PATH=${q(CNI_PATH)}`, '',
    ].join('\n'));
    // As the agent does: a packet for any other address of the cluster range is refused on the spot.
    if (!execFileSync('ip', ['route', 'show', 'type', 'unreachable', net.clusterCidr], { encoding: 'utf8' }).trim()) {
      execFileSync('ip', ['route', 'add', 'unreachable', net.clusterCidr, 'metric', '4000']);
      this.addedRoute = true;
    }
  }

  private run(args: string[]): string[][] {
    // A stuck step (say, a container that never dies) fails the run instead of hanging it.
    const r = spawnSync('bash', [SCRIPT, join(this.state, 'conf'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000, killSignal: 'SIGKILL' });
    if (r.status !== 0) throw new Error(`rawpod.sh ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split(' '));
  }

  /** `n` pods, one after another, each with `containers` app containers: ms to running, ms to gone. */
  sequential(n: number, containers: number): RawTimes {
    const lines = this.run(['seq', String(n), String(containers)]);
    return { up: lines.map((l) => Number(l[1]) / 1000), down: lines.map((l) => Number(l[2]) / 1000) };
  }

  /** `reps` times: `n` pods started at once (until all run), then stopped at once. */
  parallel(n: number, containers: number, reps: number): RawTimes {
    const lines = this.run(['par', String(n), String(containers), String(reps)]);
    return { up: lines.map((l) => Number(l[1]) / 1000), down: lines.map((l) => Number(l[2]) / 1000) };
  }

  /** Removes everything, also after a failed run. */
  cleanup(): void {
    const runcRoot = join(this.state, 'runc');
    if (existsSync(runcRoot)) {
      const ids = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      for (const id of ids) spawnSync('runc', ['--root', runcRoot, 'delete', '-f', id], { stdio: 'ignore' });
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(`${this.state}/`));
    for (const m of mounts.sort().reverse()) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${this.prefix}-`));
    for (const n of netns) ipOk('netns', 'del', n);
    ipOk('link', 'del', this.net.bridge);
    for (const h of readdirSync('/sys/fs/cgroup')) {
      const root = join('/sys/fs/cgroup', h, this.cgroot);
      if (!existsSync(root)) continue;
      const dirs = (function walk(d: string): string[] {
        return readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => [...walk(join(d, e.name)), join(d, e.name)]);
      })(root);
      for (const d of [...dirs, root]) { try { rmdirSync(d); } catch { /* busy or gone */ } }
    }
    if (this.addedRoute) ipOk('route', 'del', 'unreachable', this.net.clusterCidr, 'metric', '4000');
    this.addedRoute = false;
    if (this.forwardWasOff) writeFileSync('/proc/sys/net/ipv4/ip_forward', '0');
    rmSync(this.state, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}
