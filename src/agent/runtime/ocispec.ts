// OCI runtime config (config.json) for the two kinds of container in a pod. App containers join the
// pod's netns and its pinned IPC and UTS namespaces (the infra's, in sandboxes made before pinning)
// and, when the pod shares one, the infra container's PID namespace; each gets its own mount
// namespace, so a private rootfs. Defaults follow Docker's: capabilities, masked /proc paths,
// mounts; the securityContext adjusts them (capabilities, no_new_privs, read-only root, sysctls,
// the RuntimeDefault seccomp profile).
import { runtimeDefaultSeccomp, type OciSeccomp } from './seccomp.js';
import type { ContainerSpec } from './specs.js';
import type { PodFiles } from './layout.js';
import type { HostNamespaces } from './records.js';

export interface OciMount { destination: string; type: string; source: string; options: string[] }
export interface OciNamespace { type: 'pid' | 'ipc' | 'uts' | 'mount' | 'network'; path?: string }
export interface OciProcess {
  terminal: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
  rlimits: { type: string; hard: number; soft: number }[];
  noNewPrivileges: boolean;
}
export interface OciResources {
  devices: { allow: boolean; access: string }[];
  cpu?: { shares?: number; quota?: number; period?: number };
  memory?: { limit: number; swap: number };
  pids?: { limit: number };
}
export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  linux: {
    namespaces: OciNamespace[];
    cgroupsPath: string;
    resources: OciResources;
    maskedPaths: string[];
    readonlyPaths: string[];
    sysctl?: Record<string, string>;
    seccomp?: OciSeccomp;
  };
}

/** What the spec needs to know about the host. */
export interface HostFacts {
  /** The agent's own RLIMIT_NOFILE hard limit: runc cannot raise a limit above it without CAP_SYS_RESOURCE. */
  nofileHardLimit: number;
  /**
   * The agent's own bounding set: all of it for privileged containers, and the ceiling for the
   * defaults (runc fails with "unable to apply caps" on one the agent lacks; here: CAP_SYS_RESOURCE).
   */
  capabilities: string[];
}


export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];
const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
/**
 * /sys is made read-only here, per mount, not by a `ro` sysfs mount: all sysfs mounts in one netns
 * share a superblock whose flags the first mount decides, so a `ro` mount in the infra container
 * would make /sys read-only for a privileged container of the pod too.
 */
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger', '/sys'];
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Docker's default; clamped to the agent's hard limit. */
const NOFILE = 1_048_576;

function systemMounts(privileged: boolean, shm: string): OciMount[] {
  const ro = privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    // One tmpfs per pod, as POSIX shared memory is pod-wide in Kubernetes (like the IPC namespace).
    { destination: '/dev/shm', type: 'bind', source: shm, options: ['rbind', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...ro] },
  ];
}

function processOf(o: { args: string[]; env: string[]; cwd?: string; user?: ContainerSpec['user']; terminal?: boolean; capabilities: string[]; noNewPrivileges?: boolean; host: HostFacts }): OciProcess {
  const caps = o.capabilities;
  const nofile = Math.min(NOFILE, o.host.nofileHardLimit);
  const user = o.user ?? { uid: 0, gid: 0 };
  return {
    terminal: !!o.terminal,
    user: { uid: user.uid, gid: user.gid, ...(user.additionalGids?.length ? { additionalGids: user.additionalGids } : {}) },
    args: o.args,
    env: o.env.some((e) => e.startsWith('PATH=')) ? o.env : [DEFAULT_PATH, ...o.env],
    cwd: o.cwd || '/',
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }],
    // Kubernetes' allowPrivilegeEscalation defaults to true: setuid binaries keep working.
    noNewPrivileges: !!o.noNewPrivileges,
  };
}

function resourcesOf(r: ContainerSpec['resources'], privileged: boolean): OciResources {
  const out: OciResources = { devices: [{ allow: privileged, access: 'rwm' }] };
  if (r?.cpuShares !== undefined || r?.cpuQuota !== undefined) out.cpu = { shares: r.cpuShares, quota: r.cpuQuota, period: r.cpuPeriod };
  // swap = limit: the same value for memory+swap means no swap, as the kubelet does.
  if (r?.memoryLimitBytes !== undefined) out.memory = { limit: r.memoryLimitBytes, swap: r.memoryLimitBytes };
  if (r?.pidsLimit !== undefined) out.pids = { limit: r.pidsLimit };
  return out;
}

function volumeMount(m: ContainerSpec['mounts'][number]): OciMount {
  const access = m.readOnly ? 'ro' : 'rw';
  if (m.tmpfs) {
    const size = m.tmpfs.sizeBytes !== undefined ? [`size=${m.tmpfs.sizeBytes}`] : [];
    return { destination: m.containerPath, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', access, ...size] };
  }
  return { destination: m.containerPath, type: 'bind', source: m.hostPath, options: ['rbind', access] };
}

const depth = (path: string): number => path.split('/').filter(Boolean).length;

/** System mounts, then the pod files, then volumes parents-first; a volume replaces a default at the same path. */
function mountsOf(privileged: boolean, pod: PodFiles, volumes: ContainerSpec['mounts']): OciMount[] {
  const podMounts: OciMount[] = [
    { destination: '/etc/hosts', type: 'bind', source: pod.hosts, options: ['rbind', 'rw'] },
    { destination: '/etc/hostname', type: 'bind', source: pod.hostname, options: ['rbind', 'rw'] },
    { destination: '/etc/resolv.conf', type: 'bind', source: pod.resolvConf, options: ['rbind', 'rw'] },
  ];
  const user = volumes.map(volumeMount).sort((a, b) => depth(a.destination) - depth(b.destination));
  const taken = new Set(user.map((m) => m.destination));
  return [...systemMounts(privileged, pod.shm), ...podMounts].filter((m) => !taken.has(m.destination)).concat(user);
}

export interface InfraSpecInput {
  rootfs: string;
  args: string[];
  netnsPath: string;
  /** The pod's pinned IPC and UTS namespaces to join (its hostname set already); without them new ones with `hostname`. */
  pinned?: { ipc: string; uts: string };
  hostname?: string;
  cgroupsPath: string;
  shm: string;
  host: HostFacts;
  hostNamespaces?: HostNamespaces;
}

/** The pod's infra (pause) container: holds the pod's shared PID namespace; joins the pinned IPC/UTS ones. */
export function infraSpec(o: InfraSpecInput): OciSpec {
  return {
    ociVersion: '1.0.2',
    process: processOf({ args: o.args, env: [], capabilities: [], host: o.host }),
    root: { path: o.rootfs, readonly: true },
    ...(o.pinned ? {} : { hostname: o.hostname }),
    mounts: systemMounts(false, o.shm),
    linux: {
      namespaces: withoutHost([
        { type: 'pid' }, o.pinned ? { type: 'ipc', path: o.pinned.ipc } : { type: 'ipc' }, o.pinned ? { type: 'uts', path: o.pinned.uts } : { type: 'uts' },
        { type: 'mount' }, { type: 'network', path: o.netnsPath },
      ], o.hostNamespaces),
      cgroupsPath: o.cgroupsPath,
      resources: resourcesOf(undefined, false),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}

export interface AppSpecInput {
  rootfs: string;
  container: ContainerSpec;
  netnsPath: string;
  /** The infra container's pid: its PID namespace with sharePid, its IPC/UTS ones when not pinned (older sandboxes). */
  infraPid?: number;
  pinned?: { ipc: string; uts: string };
  sharePid: boolean;
  cgroupsPath: string;
  pod: PodFiles;
  host: HostFacts;
  hostNamespaces?: HostNamespaces;
}

/**
 * The namespace list without those the pod shares with the host (hostNetwork, which brings the
 * host's UTS namespace too, hostPID, hostIPC): a namespace runc is not told about is the one it
 * runs in, the host's.
 */
export function withoutHost(namespaces: OciNamespace[], host: HostNamespaces | undefined): OciNamespace[] {
  if (!host) return namespaces;
  const shared = new Set<string>([...(host.network ? ['network', 'uts'] : []), ...(host.pid ? ['pid'] : []), ...(host.ipc ? ['ipc'] : [])]);
  return namespaces.filter((n) => !shared.has(n.type));
}

/** The pod's shared PID namespace, the target container's (an ephemeral container), or a new one. */
function pidNamespace(o: AppSpecInput, shared: (type: 'pid') => OciNamespace): OciNamespace {
  if (o.sharePid) return shared('pid');
  return o.container.targetPid ? { type: 'pid', path: `/proc/${o.container.targetPid}/ns/pid` } : { type: 'pid' };
}

/**
 * An app container. It never sets `hostname`: runc 1.1.5 accepts one on a joined UTS namespace and
 * silently renames the whole pod.
 */
export function appSpec(o: AppSpecInput): OciSpec {
  const c = o.container;
  const privileged = !!c.privileged;
  const caps = containerCapabilities(privileged, c.capAdd, c.capDrop, o.host.capabilities);
  const ns = (type: 'pid' | 'ipc' | 'uts'): OciNamespace => {
    const path = type !== 'pid' && o.pinned ? o.pinned[type] : o.infraPid ? `/proc/${o.infraPid}/ns/${type}` : undefined;
    if (!path) throw new Error(`the pod's ${type} namespace is unknown (no infra container)`);
    return { type, path };
  };
  return {
    ociVersion: '1.0.2',
    process: processOf({
      args: c.command, env: c.env, cwd: c.workingDir, user: c.user, terminal: c.tty, noNewPrivileges: c.noNewPrivileges,
      capabilities: caps, host: o.host,
    }),
    root: { path: o.rootfs, readonly: !!c.readOnlyRootfs },
    mounts: mountsOf(privileged, o.pod, c.mounts),
    linux: {
      namespaces: withoutHost([pidNamespace(o, ns), { type: 'mount' }, ns('ipc'), ns('uts'), { type: 'network', path: o.netnsPath }], o.hostNamespaces),
      cgroupsPath: o.cgroupsPath,
      resources: resourcesOf(c.resources, privileged),
      ...(c.sysctls ? { sysctl: c.sysctls } : {}),
      ...(c.seccomp === 'RuntimeDefault' && !privileged ? { seccomp: runtimeDefaultSeccomp(caps) } : {}),
      maskedPaths: privileged ? [] : MASKED_PATHS,
      readonlyPaths: privileged ? [] : READONLY_PATHS,
    },
  };
}

/**
 * Docker's defaults (all the host has when privileged), minus `drop`, plus `add` (ALL in either
 * means every capability), never more than this process holds.
 */
export function containerCapabilities(privileged: boolean, add: string[] = [], drop: string[] = [], host: string[]): string[] {
  if (privileged) return host;
  let caps = drop.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  caps = add.includes('ALL') ? [...host] : [...new Set([...caps, ...add])];
  return caps.filter((c) => host.includes(c));
}

/** Capability names by number, as the kernel numbers them (see capability.h). */
const CAPABILITY_NAMES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

/** Capability names in a /proc/<pid>/status mask such as `CapBnd:\t000001fffeffffff`. */
export function capabilitiesInMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return CAPABILITY_NAMES.filter((_, bit) => (mask >> BigInt(bit)) & 1n).map((n) => `CAP_${n}`);
}

/** The agent's bounding set from /proc/self/status text. */
export function boundingCapabilities(status: string): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  if (!m) throw new Error('no CapBnd line in /proc/self/status');
  return capabilitiesInMask(m[1]);
}

/** The hard RLIMIT_NOFILE from /proc/self/limits text. */
export function nofileHardLimit(limits: string): number {
  const m = /^Max open files\s+\S+\s+(\S+)/m.exec(limits);
  if (!m) throw new Error('no "Max open files" line in /proc/self/limits');
  return m[1] === 'unlimited' ? NOFILE : Number(m[1]);
}
