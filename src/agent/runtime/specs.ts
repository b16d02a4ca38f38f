// What the runtime is asked to run and what it reports: sandbox and container specs, a sandbox,
// a container's state. Apart from index.ts so the runtime's own modules can name them.
import type { HostNamespaces } from './records.js';

export interface SandboxSpec {
  uid: string; name: string; namespace: string;
  hostname: string;            // pod name, or spec.hostname
  shareProcessNamespace: boolean;
  hostPorts: { containerPort: number; hostPort: number; protocol: 'TCP' | 'UDP' | 'SCTP' }[];
  dnsServers?: string[]; dnsSearches?: string[];
  hostAliases?: { ip: string; hostnames: string[] }[];
  cgroupParent?: string;       // pod-level cgroup (limits), optional; removed with the sandbox
  host?: HostNamespaces;       // hostNetwork / hostPID / hostIPC
  hostIP?: string;             // the pod IP of a hostNetwork pod
}
/** A pod sandbox; `ip` is empty until its network is up. infraPid only when the pod shares its PID namespace. */
export interface Sandbox { id: string; uid: string; podIP: string; netnsPath: string; infraPid?: number; dir: string }
export interface ContainerSpec {
  name: string;                // container name within the pod
  attempt: number;             // restart count; part of the id and log file name (0.log, 1.log, …)
  lowerDirs: string[];         // image layer directories, bottom → top
  command: string[];           // final argv (the agent resolves entrypoint/cmd/args)
  env: string[];               // 'K=V'
  workingDir?: string;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  privileged?: boolean;
  mounts: { hostPath: string; containerPath: string; readOnly: boolean; tmpfs?: { sizeBytes?: number } }[];
  resources?: { cpuShares?: number; cpuQuota?: number; cpuPeriod?: number; memoryLimitBytes?: number; pidsLimit?: number };
  stopSignal?: string;         // image STOPSIGNAL, default SIGTERM
  logPath: string;             // e.g. <logDir>/<ns>_<pod>_<uid>/<container>/<attempt>.log (conmon writes CRI format)
  tty?: boolean; stdin?: boolean; stdinOnce?: boolean;
  capAdd?: string[]; capDrop?: string[]; // CAP_* names, or ALL
  noNewPrivileges?: boolean;   // allowPrivilegeEscalation: false
  readOnlyRootfs?: boolean;
  sysctls?: Record<string, string>;
  seccomp?: 'RuntimeDefault';  // else unconfined, the kubelet's default
  targetPid?: number;          // join this process's PID namespace (an ephemeral container's target)
}
export interface ContainerState {
  id: string; sandboxId: string; name: string; attempt: number;
  state: 'created' | 'running' | 'exited' | 'unknown';
  pid?: number; exitCode?: number; oomKilled?: boolean;
  createdAt?: string; startedAt?: string; finishedAt?: string;   // RFC 3339
  logPath: string;
}
