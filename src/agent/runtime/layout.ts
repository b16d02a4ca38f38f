// Where the runtime keeps its state under stateDir. Everything the runtime knows is in these files,
// so a restarted agent rebuilds its view from disk; the processes belong to conmon.
import { join } from 'node:path';

export interface Layout {
  root: string;
  /** runc's --root: container state of this runtime only. */
  runcRoot: string;
  /** conmon writes `<id>` here with the exit code of every container (watched for onExit). */
  exitDir: string;
  /** host-local IPAM leases. */
  ipamDir: string;
  /** conmon attach sockets; short because socket paths are limited to 107 bytes. */
  socketDir: string;
  /** The read-only rootfs of every infra container: just the pause binary. */
  pauseRootfs: string;
  sandboxesDir: string;
  containersDir: string;
  /** Node-level network facts, e.g. whether init() added the unreachable route. */
  networkFile: string;
  sandboxDir(id: string): string;
  containerDir(id: string): string;
}

export function layoutOf(stateDir: string): Layout {
  const sandboxesDir = join(stateDir, 'sandboxes');
  const containersDir = join(stateDir, 'containers');
  return {
    root: stateDir,
    runcRoot: join(stateDir, 'runc'),
    exitDir: join(stateDir, 'exits'),
    ipamDir: join(stateDir, 'ipam'),
    socketDir: join(stateDir, 's'),
    pauseRootfs: join(stateDir, 'pause'),
    sandboxesDir,
    containersDir,
    networkFile: join(stateDir, 'network.json'),
    sandboxDir: (id) => join(sandboxesDir, id),
    containerDir: (id) => join(containersDir, id),
  };
}

/** The per-pod files every container of the pod bind-mounts. */
export interface PodFiles { hosts: string; hostname: string; resolvConf: string; shm: string }

export function podFilesOf(sandboxDir: string): PodFiles {
  return { hosts: join(sandboxDir, 'hosts'), hostname: join(sandboxDir, 'hostname'), resolvConf: join(sandboxDir, 'resolv.conf'), shm: join(sandboxDir, 'shm') };
}

/** Where a sandbox's IPC and UTS namespaces are bind-mounted (pinned). */
export function pinnedNamespacesOf(sandboxDir: string): { ipc: string; uts: string } {
  return { ipc: join(sandboxDir, 'ns-ipc'), uts: join(sandboxDir, 'ns-uts') };
}
