import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSpec } from './specs.js';
import { appSpec, boundingCapabilities, capabilitiesInMask, DEFAULT_CAPABILITIES, infraSpec, nofileHardLimit, type HostFacts } from './ocispec.js';

const host: HostFacts = { nofileHardLimit: 20_000, capabilities: capabilitiesInMask('000001ffffffffff') };
const pod = { hosts: '/sb/hosts', hostname: '/sb/hostname', resolvConf: '/sb/resolv.conf', shm: '/sb/shm' };
const container = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name: 'web', attempt: 0, lowerDirs: ['/l1'], command: ['httpd', '-f'], env: ['A=1'], mounts: [], logPath: '/logs/0.log', ...extra,
});
const app = (c: ContainerSpec, sharePid = false) => appSpec({
  rootfs: '/c/rootfs', container: c, netnsPath: '/var/run/netns/tk-x', infraPid: 42, sharePid, cgroupsPath: '/tinykube/pod-x/c', pod, host,
});

test('infra: new pid/ipc/uts/mount namespaces, the pod netns, the hostname, no capabilities', () => {
  const s = infraSpec({ rootfs: '/pause', args: ['/pause', '-P'], hostname: 'web-0', netnsPath: '/var/run/netns/tk-x', cgroupsPath: '/tinykube/pod-x/infra', shm: '/sb/shm', host });
  assert.deepEqual(s.linux.namespaces, [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network', path: '/var/run/netns/tk-x' }]);
  assert.equal(s.hostname, 'web-0');
  assert.deepEqual(s.process.capabilities.bounding, []);
  assert.equal(s.root.readonly, true);
  const joined = infraSpec({ rootfs: '/pause', args: ['/pause', '-P'], pinned: { ipc: '/sb/ns-ipc', uts: '/sb/ns-uts' }, netnsPath: '/var/run/netns/tk-x', cgroupsPath: '/c', shm: '/sb/shm', host });
  assert.deepEqual(joined.linux.namespaces.slice(0, 3), [{ type: 'pid' }, { type: 'ipc', path: '/sb/ns-ipc' }, { type: 'uts', path: '/sb/ns-uts' }]);
  assert.equal(joined.hostname, undefined, 'the pinned UTS namespace has its hostname already');
});

test('app: joins the pinned IPC/UTS namespaces, and the infra PID namespace only when shared', () => {
  const pinned = { ipc: '/sb/ns-ipc', uts: '/sb/ns-uts' };
  const alone = appSpec({ rootfs: '/r', container: container(), netnsPath: '/n', pinned, sharePid: false, cgroupsPath: '/c', pod, host });
  assert.deepEqual(alone.linux.namespaces, [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc', path: '/sb/ns-ipc' }, { type: 'uts', path: '/sb/ns-uts' }, { type: 'network', path: '/n' }]);
  const shared = appSpec({ rootfs: '/r', container: container(), netnsPath: '/n', pinned, infraPid: 7, sharePid: true, cgroupsPath: '/c', pod, host });
  assert.deepEqual(shared.linux.namespaces[0], { type: 'pid', path: '/proc/7/ns/pid' });
  assert.throws(() => appSpec({ rootfs: '/r', container: container(), netnsPath: '/n', pinned, sharePid: true, cgroupsPath: '/c', pod, host }), /pid namespace is unknown/);
  const debug = appSpec({ rootfs: '/r', container: container({ targetPid: 99 }), netnsPath: '/n', pinned, sharePid: false, cgroupsPath: '/c', pod, host });
  assert.deepEqual(debug.linux.namespaces[0], { type: 'pid', path: '/proc/99/ns/pid' }, "an ephemeral container joins its target's PID namespace");
  const onHost = appSpec({ rootfs: '/r', container: container(), netnsPath: '', pinned, sharePid: false, cgroupsPath: '/c', pod, host, hostNamespaces: { network: true, pid: true } });
  assert.deepEqual(onHost.linux.namespaces, [{ type: 'mount' }, { type: 'ipc', path: '/sb/ns-ipc' }], "hostNetwork and hostPID: the host's network, UTS and PID namespaces");
});

test('app: joins the infra namespaces, own mount namespace, never sets the hostname', () => {
  const s = app(container());
  assert.equal(s.hostname, undefined);
  assert.deepEqual(s.linux.namespaces, [
    { type: 'pid' }, { type: 'mount' }, { type: 'ipc', path: '/proc/42/ns/ipc' }, { type: 'uts', path: '/proc/42/ns/uts' }, { type: 'network', path: '/var/run/netns/tk-x' },
  ]);
  assert.deepEqual(app(container(), true).linux.namespaces[0], { type: 'pid', path: '/proc/42/ns/pid' });
  assert.equal(s.linux.cgroupsPath, '/tinykube/pod-x/c');
});

test('app: default capabilities limited to what the agent holds', () => {
  const lacking = { ...host, capabilities: host.capabilities.filter((c) => c !== 'CAP_AUDIT_WRITE') };
  const s = appSpec({ rootfs: '/r', container: container(), netnsPath: '/n', infraPid: 1, sharePid: false, cgroupsPath: '/c', pod, host: lacking });
  assert.deepEqual(s.process.capabilities.bounding, DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_AUDIT_WRITE'));
});

test('app: Docker-like process defaults, PATH added, NOFILE within the host hard limit', () => {
  const p = app(container()).process;
  assert.deepEqual(p.capabilities.effective, DEFAULT_CAPABILITIES);
  assert.equal(p.capabilities.bounding.length, 14);
  assert.deepEqual(p.user, { uid: 0, gid: 0 });
  assert.equal(p.cwd, '/');
  assert.match(p.env[0], /^PATH=/);
  assert.deepEqual(p.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 20_000, soft: 20_000 }]);
  assert.deepEqual(app(container({ env: ['PATH=/x'] })).process.env, ['PATH=/x']);
  const u = app(container({ user: { uid: 1000, gid: 2000, additionalGids: [3000] }, workingDir: '/srv', tty: true })).process;
  assert.deepEqual(u.user, { uid: 1000, gid: 2000, additionalGids: [3000] });
  assert.equal(u.cwd, '/srv');
  assert.equal(u.terminal, true);
});

test('app: masks /proc paths and keeps /sys read-only unless privileged', () => {
  const s = app(container());
  assert.ok(s.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
  assert.ok(s.linux.readonlyPaths.includes('/sys'));
  assert.ok(s.mounts.find((m) => m.destination === '/sys/fs/cgroup')!.options.includes('ro'));
  assert.deepEqual(s.linux.resources.devices, [{ allow: false, access: 'rwm' }]);
  const p = app(container({ privileged: true }));
  assert.deepEqual(p.linux.maskedPaths, []);
  assert.deepEqual(p.linux.readonlyPaths, []);
  assert.ok(!p.mounts.find((m) => m.destination === '/sys/fs/cgroup')!.options.includes('ro'));
  assert.equal(p.process.capabilities.bounding.length, 41);
  assert.ok(p.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
  assert.deepEqual(p.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
});

test('app: cgroup resources with memory+swap equal to the limit', () => {
  const r = app(container({ resources: { cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimitBytes: 64 << 20, pidsLimit: 64 } })).linux.resources;
  assert.deepEqual(r.cpu, { shares: 512, quota: 50_000, period: 100_000 });
  assert.deepEqual(r.memory, { limit: 64 << 20, swap: 64 << 20 });
  assert.deepEqual(r.pids, { limit: 64 });
  const none = app(container()).linux.resources;
  assert.equal(none.cpu, undefined);
  assert.equal(none.memory, undefined);
});

test('app: system mounts, pod files, then volumes parents first; a volume replaces a default', () => {
  const s = app(container({
    mounts: [
      { hostPath: '/v/b', containerPath: '/data/sub', readOnly: true },
      { hostPath: '/v/a', containerPath: '/data', readOnly: false },
      { hostPath: '', containerPath: '/cache', readOnly: false, tmpfs: { sizeBytes: 1 << 20 } },
      { hostPath: '/my/hosts', containerPath: '/etc/hosts', readOnly: true },
    ],
  }));
  const dests = s.mounts.map((m) => m.destination);
  assert.deepEqual(dests.slice(0, 7), ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
  assert.deepEqual(dests.slice(7), ['/etc/hostname', '/etc/resolv.conf', '/data', '/cache', '/data/sub', '/etc/hosts']);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/sb/shm', options: ['rbind', 'nosuid', 'noexec', 'nodev'] });
  assert.deepEqual(s.mounts.find((m) => m.destination === '/data/sub')!.options, ['rbind', 'ro']);
  assert.deepEqual(s.mounts.find((m) => m.destination === '/etc/hosts')!.source, '/my/hosts');
  assert.deepEqual(s.mounts.find((m) => m.destination === '/cache'), { destination: '/cache', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'rw', 'size=1048576'] });
});

test('host facts parsing', () => {
  assert.equal(nofileHardLimit('Max open files            1024                 20000                files     \n'), 20_000);
  assert.equal(nofileHardLimit('Max open files            unlimited            unlimited            files\n'), 1_048_576);
  assert.deepEqual(capabilitiesInMask('7'), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH']);
  // This host's root: everything but CAP_SYS_RESOURCE (bit 24).
  const caps = boundingCapabilities('Name:\tnode\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n');
  assert.equal(caps.length, 40);
  assert.ok(!caps.includes('CAP_SYS_RESOURCE'));
});
