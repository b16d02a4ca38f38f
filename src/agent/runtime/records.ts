// The JSON records the runtime keeps per sandbox and per container. Written atomically (temp file +
// rename) so a crash never leaves half a record for the next agent to trip over.
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PinnedNamespaces { ipc: string; uts: string }
/** A sandbox's network namespace as a path to enter: its own, or (hostNetwork: netnsPath '') the caller's, the host's. */
export const netnsOf = (sb: { netnsPath: string }): string => sb.netnsPath || '/proc/self/ns/net';

/** The host's namespaces a pod uses instead of its own (hostNetwork also means the host's UTS namespace). */
export interface HostNamespaces { network?: boolean; pid?: boolean; ipc?: boolean }

export interface SandboxRecord {
  id: string;
  uid: string;
  name: string;
  namespace: string;
  hostname: string;
  shareProcessNamespace: boolean;
  netnsPath: string;
  /** Pod-level cgroup, parent of the infra and app container cgroups. */
  cgroupParent: string;
  createdAt: string;
  /** The pod's IPC and UTS namespaces, pinned by bind mounts (absent in sandboxes made before they were). */
  pinned?: PinnedNamespaces;
  /** hostNetwork / hostPID / hostIPC: namespaces left out of the containers' specs (netnsPath is then ''). */
  host?: HostNamespaces;
  /** The infra container's pid: it holds the shared PID namespace (only with shareProcessNamespace). */
  infraPid?: number;
  /**
   * Set once the network is up; a record without it is a half-made sandbox. (infraPid here: older
   * records.) `ip` is the pod IP (Sandbox.podIP), named so on disk for the records already written.
   */
  ready?: { ip: string; infraPid?: number };
}

export interface ContainerRecord {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  logPath: string;
  createdAt: string;
  stopSignal: string;
  /** With a shared PID namespace SIGKILL must reach every process in the cgroup (`runc kill --all`). */
  killAll: boolean;
}

const RECORD = 'record.json';

export async function writeRecord(dir: string, record: object): Promise<void> {
  const tmp = join(dir, `.${RECORD}.tmp`);
  await writeFile(tmp, JSON.stringify(record, null, 2));
  await rename(tmp, join(dir, RECORD));
}

export async function readRecord<T>(dir: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, RECORD), 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Every record in the subdirectories of `parent`. */
/** The records in the subdirectories of `parent`, optionally only those whose directory name `wanted` accepts. */
export async function readRecords<T>(parent: string, wanted: (name: string) => boolean = () => true): Promise<T[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return (await Promise.all(names.filter(wanted).map((n) => readRecord<T>(join(parent, n))))).filter((r) => r !== undefined) as T[];
}
