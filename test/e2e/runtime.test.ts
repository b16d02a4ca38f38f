// The container runtime against the real thing: runc, conmon, CNI bridge/host-local/portmap and
// catatonit, as root. The pods use a test bridge and 10.42.250.0/24; traffic goes only to
// loopback and to the pods made here. Everything created is checked to be gone at the end (netns,
// veths, bridge, route, iptables chains, mounts, cgroups, conmon, runc containers).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runtime, type ContainerSpec, type ContainerState, type RuntimeOptions, type Sandbox, type SandboxSpec } from '../../src/agent/runtime/index.js';
import { cgroupDirs } from '../../src/agent/runtime/cgroups.js';
import { findTools } from '../../src/agent/runtime/tools.js';
import { pinnedNamespacesOf } from '../../src/agent/runtime/layout.js';

const BUSYBOX = '/usr/bin/busybox';
const POD_CIDR = '10.42.250.0/24';
const CLUSTER_CIDR = '10.42.0.0/16';
const HOST_PORT = 18_931;

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (runc, netns, mounts)';
  if (!existsSync(BUSYBOX)) return `${BUSYBOX} missing (apt-get install busybox-static)`;
  try {
    findTools('/usr/lib/cni');
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
const skip = skipReason();
if (skip) console.log(`# runtime e2e skipped: ${skip}`);

/** A one-layer busybox rootfs, as the image store would unpack it. */
function busyboxLayer(dir: string): void {
  for (const d of ['bin', 'etc', 'tmp', 'root', 'var/www']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of execFileSync(BUSYBOX, ['--list']).toString().split('\n').filter((a) => a && a !== 'busybox')) symlinkSync('busybox', join(dir, 'bin', applet));
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  writeFileSync(join(dir, 'var/www/index.html'), 'hello from busybox httpd\n');
  chmodSync(join(dir, 'tmp'), 0o1777);
}

interface Exec { code: number | null; stdout: string; stderr: string }

function execIn(rt: Runtime, id: string, argv: string[], opts: { tty?: boolean } = {}): Promise<Exec> {
  const child = rt.exec(id, argv, opts);
  // A tty echoes what it gets, EOF included (as ^@): leave its stdin open, the command ends anyway.
  if (!opts.tty) child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => { stdout += b; });
  child.stderr!.on('data', (b: Buffer) => { stderr += b; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => { body += b; });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

const nsInode = (pid: number, ns: string): string => readlinkSync(`/proc/${pid}/ns/${ns}`);
const ip = (...args: string[]): string => execFileSync('ip', args).toString();
const natRules = (): string => execFileSync('iptables', ['-t', 'nat', '-S']).toString();
const ms = (t0: bigint): number => Number((process.hrtime.bigint() - t0) / 1_000_000n);

describe('runtime: pods from runc + conmon + CNI', { skip }, () => {
  const tmp = skip ? '' : mkdtempSync('/tmp/tkrt-');
  const bridge = `tkt${process.pid.toString(36).slice(-5)}`;
  const opts: RuntimeOptions = { stateDir: join(tmp, 'state'), logDir: join(tmp, 'logs'), podCidr: POD_CIDR, clusterCidr: CLUSTER_CIDR, bridge };
  const layer = join(tmp, 'layer');
  const shared = join(tmp, 'shared');
  let rt: Runtime;
  let ipForwardBefore = '';
  let routeExisted = false;
  let portmapChainsExisted = false;
  const timings: Record<string, number[]> = {};
  const time = (name: string, value: number): void => { (timings[name] ??= []).push(value); };
  const sandboxes: Sandbox[] = [];

  const podSpec = (name: string, extra: Partial<SandboxSpec> = {}): SandboxSpec => ({
    uid: `uid-${name}`, name, namespace: 'default', hostname: name, shareProcessNamespace: false, hostPorts: [], ...extra,
  });
  const logPath = (pod: string, name: string, attempt = 0): string => join(opts.logDir, `default_${pod}_uid-${pod}`, name, `${attempt}.log`);
  const ctrSpec = (pod: string, name: string, command: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
    name, attempt: 0, lowerDirs: [layer], command, env: ['HOME=/root'], mounts: [], logPath: logPath(pod, name), ...extra,
  });
  async function runPod(spec: SandboxSpec): Promise<Sandbox> {
    const t0 = process.hrtime.bigint();
    const sb = await rt.runSandbox(spec);
    time('runSandbox', ms(t0));
    sandboxes.push(sb);
    return sb;
  }
  async function run(sb: Sandbox, spec: ContainerSpec): Promise<string> {
    const t0 = process.hrtime.bigint();
    const id = await rt.createContainer(sb, spec);
    await rt.startContainer(id);
    time('create+start', ms(t0));
    return id;
  }
  async function exited(id: string, timeoutMs = 10_000): Promise<ContainerState> {
    return eventually(`${id} to exit`, async () => {
      const s = await rt.containerState(id);
      return s?.state === 'exited' && s;
    }, timeoutMs);
  }
  const stateOf = async (id: string): Promise<ContainerState> => (await rt.containerState(id))!;

  before(async () => {
    busyboxLayer(layer);
    mkdirSync(shared);
    ipForwardBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    routeExisted = ip('route', 'show', 'type', 'unreachable').includes(CLUSTER_CIDR);
    portmapChainsExisted = natRules().includes('CNI-HOSTPORT-DNAT');
    rt = new Runtime(opts);
    await rt.init();
  });

  after(async () => {
    await rt?.cleanupAll().catch((e) => console.log(`# cleanupAll failed: ${(e as Error).message}`));
    if (!readFileSync('/proc/self/mountinfo', 'utf8').includes(tmp)) rmSync(tmp, { recursive: true, force: true });
    for (const [name, values] of Object.entries(timings)) console.log(`# timing ${name} (ms): ${values.join(', ')}`);
  });

  it('installs the unreachable route for the cluster CIDR', () => {
    assert.match(ip('route', 'show', 'type', 'unreachable'), new RegExp(`unreachable ${CLUSTER_CIDR.replace(/\./g, '\\.')}`));
  });

  let podA: Sandbox;
  let web: string;
  let sidecar: string;

  it('runs a two-container pod sharing hostname, IP, localhost, IPC and a volume, but not the rootfs', async () => {
    podA = await runPod(podSpec('pod-a', { hostPorts: [{ containerPort: 8080, hostPort: HOST_PORT, protocol: 'TCP' }] }));
    assert.match(podA.podIP, /^10\.42\.250\.\d+$/);
    const vol = [{ hostPath: shared, containerPath: '/shared', readOnly: false }];
    web = await run(podA, ctrSpec('pod-a', 'web', ['httpd', '-f', '-p', '8080', '-h', '/var/www'], { mounts: vol }));
    sidecar = await run(podA, ctrSpec('pod-a', 'sidecar', ['sh', '-c', 'echo sidecar up; echo to-stderr >&2; exec sleep 3600'], { mounts: vol }));
    assert.equal((await stateOf(web)).state, 'running');

    for (const id of [web, sidecar]) {
      assert.equal((await execIn(rt, id, ['hostname'])).stdout.trim(), 'pod-a');
      assert.match((await execIn(rt, id, ['ip', '-4', '-o', 'addr', 'show', 'eth0'])).stdout, new RegExp(`inet ${podA.podIP.replace(/\./g, '\\.')}/24`));
    }
    const page = await eventually('httpd on localhost:8080', async () => {
      const r = await execIn(rt, sidecar, ['wget', '-qO-', 'http://localhost:8080/']);
      return r.code === 0 && r.stdout;
    });
    assert.equal(page, 'hello from busybox httpd\n');

    assert.equal((await execIn(rt, web, ['sh', '-c', 'echo mine > /only-in-web && cat /only-in-web'])).stdout, 'mine\n');
    assert.notEqual((await execIn(rt, sidecar, ['test', '-e', '/only-in-web'])).code, 0, 'a file in one rootfs must be invisible to the other');

    await execIn(rt, web, ['sh', '-c', 'echo from-web > /shared/msg; echo shm > /dev/shm/seg; touch /dev/mqueue/q1']);
    assert.equal((await execIn(rt, sidecar, ['cat', '/shared/msg'])).stdout, 'from-web\n');
    assert.equal(readFileSync(join(shared, 'msg'), 'utf8'), 'from-web\n');
    assert.equal((await execIn(rt, sidecar, ['cat', '/dev/shm/seg'])).stdout, 'shm\n', '/dev/shm is pod-wide');
    assert.equal((await execIn(rt, sidecar, ['ls', '/dev/mqueue'])).stdout.trim(), 'q1', 'the IPC namespace is shared');

    const [pw, ps] = [(await stateOf(web)).pid!, (await stateOf(sidecar)).pid!];
    for (const ns of ['net', 'uts', 'ipc']) assert.equal(nsInode(pw, ns), nsInode(ps, ns), `${ns} namespace shared`);
    const pinned = pinnedNamespacesOf(podA.dir);
    assert.equal(podA.infraPid, undefined, 'no infra container without a shared PID namespace');
    for (const [ns, file] of [['net', podA.netnsPath], ['uts', pinned.uts], ['ipc', pinned.ipc]]) assert.equal(nsInode(pw, ns), `${ns}:[${statSync(file).ino}]`, `${ns} namespace is the pod's pinned one`);
    assert.notEqual(nsInode(pw, 'mnt'), nsInode(ps, 'mnt'));
    assert.notEqual(nsInode(pw, 'pid'), nsInode(ps, 'pid'), 'no shareProcessNamespace: own PID namespaces');
    assert.equal((await execIn(rt, sidecar, ['ps', '-o', 'comm'])).stdout.includes('httpd'), false);

    // The host reaches the pod by IP and through the hostPort on loopback (portmap).
    assert.equal(await httpGet(`http://${podA.podIP}:8080/`), 'hello from busybox httpd\n');
    assert.equal(await httpGet(`http://127.0.0.1:${HOST_PORT}/`), 'hello from busybox httpd\n');
  });

  it('writes CRI-format logs at logPath', async () => {
    const lines = await eventually('sidecar log', async () => {
      const text = readFileSync(logPath('pod-a', 'sidecar'), 'utf8');
      return text.includes('to-stderr') && text.trim().split('\n');
    });
    const cri = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d (stdout|stderr) [PF] (.*)$/;
    assert.ok(lines.every((l) => cri.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => / stdout F sidecar up$/.test(l)));
    assert.ok(lines.some((l) => / stderr F to-stderr$/.test(l)));
  });

  it('fails a second container that binds the same port in the pod', async () => {
    const clash = await run(podA, ctrSpec('pod-a', 'clash', ['httpd', '-f', '-p', '8080', '-h', '/var/www']));
    const s = await exited(clash);
    assert.notEqual(s.exitCode, 0);
    assert.match(readFileSync(s.logPath, 'utf8'), /Address (already )?in use/);
    assert.ok(s.startedAt && s.finishedAt && s.createdAt);
    await rt.removeContainer(clash);
    assert.equal(await rt.containerState(clash), undefined);
    assert.ok(existsSync(s.logPath), 'logs outlive the container');
  });

  it('rejects a container whose command does not exist with runc\'s reason, leaving nothing behind', async () => {
    const spec = ctrSpec('pod-a', 'broken', ['/no/such/binary']);
    await assert.rejects(rt.createContainer(podA, spec), /exec: "\/no\/such\/binary": stat \/no\/such\/binary: no such file or directory/);
    assert.equal((await rt.listContainers()).some((c) => c.name === 'broken'), false);
    assert.equal(existsSync(join(opts.stateDir, 'containers', `${podA.id}-broken-0`)), false);
    const stdin = await run(podA, ctrSpec('pod-a', 'stdin', ['cat'], { stdin: true }));
    await sleep(100);
    assert.equal((await stateOf(stdin)).state, 'running', 'cat keeps reading the stdin conmon holds open');
    await rt.removeContainer(stdin);
  });

  it('honours user, workingDir, env, privileged, read-only and tmpfs mounts, cgroup limits and ttys', async () => {
    const ro = join(tmp, 'ro');
    mkdirSync(ro);
    const id = await run(podA, ctrSpec('pod-a', 'nobody', ['sleep', '3600'], {
      user: { uid: 65534, gid: 65534, additionalGids: [1234] }, workingDir: '/tmp', env: ['GREETING=hi'],
      mounts: [{ hostPath: ro, containerPath: '/ro', readOnly: true }, { hostPath: '', containerPath: '/scratch', readOnly: false, tmpfs: { sizeBytes: 1 << 20 } }],
      resources: { cpuShares: 256, cpuQuota: 20_000, cpuPeriod: 100_000, pidsLimit: 32 },
    }));
    const sh = async (script: string, target = id): Promise<string> => (await execIn(rt, target, ['sh', '-c', script])).stdout.trim();
    assert.equal(await sh('id -u; id -G; pwd; echo $GREETING'), '65534\n65534 1234\n/tmp\nhi');
    assert.equal(await sh('grep CapEff /proc/self/status'), 'CapEff:\t0000000000000000');
    assert.equal(await sh('touch /ro/x 2>/dev/null || echo refused'), 'refused');
    assert.match(await sh('grep " /scratch " /proc/mounts'), /^tmpfs \/scratch tmpfs rw,.*size=1024k/);
    assert.match(await sh('grep " /sys sysfs" /proc/mounts'), / ro,/, '/sys read-only');
    assert.match(await sh('grep " /proc/keys " /proc/self/mountinfo'), /\/proc\/keys/, '/proc/keys is masked (a bind of /dev/null)');
    const cg = (controller: string, file: string): string => readFileSync(`/sys/fs/cgroup/${controller}/tinykube/pod-${podA.id}/${id}/${file}`, 'utf8').trim();
    assert.deepEqual([cg('cpu', 'cpu.shares'), cg('cpu', 'cpu.cfs_quota_us'), cg('pids', 'pids.max')], ['256', '20000', '32']);
    assert.match((await execIn(rt, id, ['tty'], { tty: true })).stdout, /^\/dev\/pts\/\d+/);

    const priv = await run(podA, ctrSpec('pod-a', 'priv', ['sh', '-c', 'tty; exec sleep 3600'], { privileged: true, tty: true }));
    const own = /^CapBnd:\t(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    assert.equal(await sh('grep CapEff /proc/self/status', priv), `CapEff:\t${own}`, 'privileged: every capability the agent has');
    assert.match(await sh('grep " /sys sysfs" /proc/mounts', priv), / rw,/, 'privileged: /sys writable although the rest of the pod has it read-only');
    await eventually('tty output in the log', async () => /stdout F \/dev\/pts\/\d+\r?$/m.test(readFileSync(logPath('pod-a', 'priv'), 'utf8')));
    for (const c of [id, priv]) await rt.removeContainer(c);
  });

  let podB: Sandbox;

  it('shares the PID namespace when asked; two pods get distinct IPs and reach each other', async () => {
    podB = await runPod(podSpec('pod-b', { shareProcessNamespace: true, hostAliases: [{ ip: '10.42.250.250', hostnames: ['alias.test'] }] }));
    assert.notEqual(podB.podIP, podA.podIP);
    const server = await run(podB, ctrSpec('pod-b', 'server', ['httpd', '-f', '-p', '8080', '-h', '/var/www']));
    const shell = await run(podB, ctrSpec('pod-b', 'shell', ['sleep', '3600']));
    const ps = (await execIn(rt, shell, ['ps', '-o', 'pid,comm'])).stdout;
    assert.match(ps, /^\s*1 pause$/m, ps);
    assert.match(ps, /httpd/, ps);
    assert.equal(nsInode((await stateOf(server)).pid!, 'pid'), nsInode(podB.infraPid!, 'pid'));
    assert.match((await execIn(rt, shell, ['cat', '/etc/hosts'])).stdout, /10\.42\.250\.250\talias\.test/);

    const fromA = await eventually('pod-a → pod-b', async () => {
      const r = await execIn(rt, sidecar, ['wget', '-qO-', `http://${podB.podIP}:8080/`]);
      return r.code === 0 && r.stdout;
    });
    assert.equal(fromA, 'hello from busybox httpd\n');
    assert.equal((await execIn(rt, shell, ['wget', '-qO-', `http://${podA.podIP}:8080/`])).stdout, 'hello from busybox httpd\n');
    assert.equal(await httpGet(`http://${podB.podIP}:8080/`), 'hello from busybox httpd\n');
  });

  it('stops a TERM-handling container at once and a TERM-ignoring one at its grace with 137', async () => {
    const trap = await run(podA, ctrSpec('pod-a', 'trap', ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1 & wait $!; done']));
    const deaf = await run(podA, ctrSpec('pod-a', 'deaf', ['sleep', '3600']));
    await sleep(200); // let sh install its trap
    let t0 = process.hrtime.bigint();
    await rt.stopContainer(trap, 3);
    const trapMs = ms(t0);
    time('stop (TERM handled)', trapMs);
    assert.ok(trapMs < 1000, `TERM-handling container took ${trapMs} ms`);
    assert.equal((await rt.containerState(trap))!.exitCode, 0);

    t0 = process.hrtime.bigint();
    await rt.stopContainer(deaf, 3);
    const deafMs = ms(t0);
    time('stop (TERM ignored, grace 3 s)', deafMs);
    assert.ok(deafMs >= 3000 && deafMs < 4000, `TERM-ignoring container took ${deafMs} ms`);
    const s = (await rt.containerState(deaf))!;
    assert.equal(s.state, 'exited');
    assert.equal(s.exitCode, 137);
    assert.equal(s.oomKilled, false);
    await rt.stopContainer(deaf, 3); // already stopped: resolves at once
  });

  it('reports an OOM kill under a memory limit', async () => {
    const events: string[] = [];
    rt.onExit((id) => events.push(id));
    const hog = await run(podA, ctrSpec('pod-a', 'hog', ['tail', '/dev/zero'], { resources: { memoryLimitBytes: 16 * 1024 * 1024, cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, pidsLimit: 64 } }));
    const cg = (await cgroupDirs(`/tinykube/pod-${podA.id}/${hog}`)).find((d) => d.includes('/memory/'));
    if (cg && existsSync(join(cg, 'memory.limit_in_bytes'))) assert.equal(readFileSync(join(cg, 'memory.limit_in_bytes'), 'utf8').trim(), String(16 * 1024 * 1024));
    const s = await exited(hog, 20_000);
    assert.equal(s.exitCode, 137);
    assert.equal(s.oomKilled, true);
    await eventually('onExit event', async () => events.includes(hog));
  });

  it('finds the same containers and sandboxes from disk after an agent restart', async () => {
    const before = (await rt.listContainers()).filter((c) => c.state === 'running').map((c) => `${c.id}@${c.pid}`).sort();
    assert.ok(before.length >= 4, before.join(' '));
    const restarted = new Runtime(opts);
    await restarted.init();
    const after = (await restarted.listContainers()).filter((c) => c.state === 'running').map((c) => `${c.id}@${c.pid}`).sort();
    assert.deepEqual(after, before);
    assert.deepEqual((await restarted.listSandboxes()).map((s) => s.id).sort(), [podA.id, podB.id].sort());
    const events: string[] = [];
    restarted.onExit((id) => events.push(id));
    await restarted.stopContainer(sidecar, 1);
    await eventually('exit event in the restarted runtime', async () => events.includes(sidecar));
    assert.equal((await restarted.containerState(sidecar))!.state, 'exited');
    rt = restarted;
  });

  it('tears pods down completely, then cleanupAll leaves nothing behind', async () => {
    const conmons = (): string[] => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(opts.stateDir);
      } catch {
        return false;
      }
    });
    assert.ok(conmons().length > 0);
    for (const sb of sandboxes) {
      const t0 = process.hrtime.bigint();
      await rt.stopSandbox(sb.id);
      time('stopSandbox', ms(t0));
      await rt.stopSandbox(sb.id); // idempotent
    }
    assert.deepEqual(await rt.listSandboxes(), []);
    assert.deepEqual(await rt.listContainers(), []);
    const netns = ip('netns', 'list');
    for (const sb of sandboxes) assert.ok(!netns.includes(`tk-${sb.id}`), `netns of ${sb.id} left`);
    await eventually('veths to leave the bridge', async () => ip('-o', 'link', 'show', 'master', bridge).trim() === '');
    assert.equal(execFileSync('runc', ['--root', join(opts.stateDir, 'runc'), 'list', '-q']).toString().trim(), '');
    await eventually('conmon processes to exit', async () => conmons().length === 0);
    for (const sb of sandboxes) assert.deepEqual(await cgroupDirs(`/tinykube/pod-${sb.id}`), []);
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(opts.stateDir), 'no mount left under the state dir');
    assert.doesNotMatch(natRules(), new RegExp(`--dport ${HOST_PORT}`), 'hostPort DNAT rule left');

    await rt.cleanupAll();
    assert.equal(existsSync(join('/sys/class/net', bridge)), false, 'bridge left');
    if (!routeExisted) assert.doesNotMatch(ip('route', 'show', 'type', 'unreachable'), new RegExp(CLUSTER_CIDR.replace(/\./g, '\\.')));
    if (!portmapChainsExisted) assert.doesNotMatch(natRules(), /CNI-HOSTPORT/, 'portmap chains left');
    if (ipForwardBefore === '0') assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), '0', 'ip_forward not restored');
    assert.equal(existsSync(opts.stateDir), false, 'state dir left');
    assert.deepEqual(await cgroupDirs('/tinykube'), [], 'cgroup root left (or used by another runtime)');
  });
});
