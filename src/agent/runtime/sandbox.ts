// Pod sandboxes: a network namespace wired up by CNI, the per-pod /etc files and /dev/shm, and the
// pod's IPC and UTS namespaces pinned by bind mounts (`unshare --ipc=F --uts=F hostname NAME`, as
// CRI-O's pinns does). An infra container (catatonit -P under conmon) runs only when the pod shares
// one PID namespace (shareProcessNamespace), which must have a process to live. Starting comes in
// two steps: once the namespaces exist app containers can be created, while CNI wires the network;
// they start once it is up.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { basename, join } from 'node:path';
import { attach, detach, podIP, podPlugins, type CniAttachment, type PodNetwork } from './cni.js';
import { createWithConmon } from './conmon.js';
import type { Containers } from './containers.js';
import { conmonBase, type RuntimeContext } from './context.js';
import { removeCgroup } from './cgroups.js';
import { hostnameFile, hostsFile, resolvConf } from './etcfiles.js';
import { addNetns, deleteNetns, NETNS_DIR } from './hostnet.js';
import type { Sandbox, SandboxSpec } from './specs.js';
import { pinnedNamespacesOf, podFilesOf } from './layout.js';
import { mountTmpfs, unmountUnder } from './mounts.js';
import { infraSpec } from './ocispec.js';
import { readRecord, readRecords, writeRecord, type HostNamespaces, type PinnedNamespaces, type SandboxRecord } from './records.js';
import { run as runCommand } from './run.js';
import { stopUntilExited } from './termination.js';

/** Pod cgroups go under this parent unless the agent names one. */
export const CGROUP_ROOT = '/tinykube';
/** The pause binary inside the infra rootfs. */
export const PAUSE_PATH = '/pause';
const SHM_OPTIONS = 'mode=1777,size=64m,nosuid,nodev,noexec';
const CNI_FILE = 'cni.json';

const infraDir = (sandboxDir: string): string => join(sandboxDir, 'infra');
const netnsName = (id: string): string => `tk-${id}`;

function toSandbox(r: SandboxRecord, dir: string): Sandbox {
  return { id: r.id, uid: r.uid, podIP: r.ready?.ip ?? '', netnsPath: r.netnsPath, infraPid: r.infraPid ?? r.ready?.infraPid, dir };
}

/** New IPC and UTS namespaces (those not the host's), bind-mounted on the (created) files, with the pod's hostname set. */
async function pinNamespaces(ns: PinnedNamespaces, hostname: string, host: HostNamespaces = {}): Promise<void> {
  const uts = !host.network;
  if (host.ipc && !uts) return;
  await Promise.all([host.ipc ? undefined : writeFile(ns.ipc, ''), uts ? writeFile(ns.uts, '') : undefined]);
  await runCommand('unshare', [...(host.ipc ? [] : [`--ipc=${ns.ipc}`]), ...(uts ? [`--uts=${ns.uts}`, 'hostname', hostname] : ['true'])]);
}

/** The /etc files of a hostNetwork pod: the host's hosts and hostname, its resolv.conf unless the pod sets DNS. */
async function hostNetworkFiles(spec: SandboxSpec): Promise<[string, string, string]> {
  const [hosts, resolv] = await Promise.all([readFile('/etc/hosts', 'utf8').catch(() => ''), readFile('/etc/resolv.conf', 'utf8').catch(() => '')]);
  return [hosts, spec.dnsServers?.length ? resolvConf(spec.dnsServers, spec.dnsSearches) : resolv, hostnameFile(osHostname())];
}

/** A sandbox whose namespaces exist (containers can be created in it) and whose network comes up in `ready`. */
export interface StartedSandbox { sandbox: Sandbox; ready: Promise<Sandbox> }

export class Sandboxes {
  constructor(private readonly ctx: RuntimeContext, private readonly net: PodNetwork, private readonly containers: Containers) {}

  /** Namespaces first (returned), then the network (`ready`); on any failure everything made is removed. */
  async start(spec: SandboxSpec): Promise<StartedSandbox> {
    const id = randomBytes(8).toString('hex');
    const dir = this.ctx.layout.sandboxDir(id);
    const record: SandboxRecord = {
      id, uid: spec.uid, name: spec.name, namespace: spec.namespace, hostname: spec.hostname,
      shareProcessNamespace: spec.shareProcessNamespace, netnsPath: spec.host?.network ? '' : join(NETNS_DIR, netnsName(id)),
      cgroupParent: spec.cgroupParent ?? `${CGROUP_ROOT}/pod-${id}`, createdAt: new Date().toISOString(), pinned: pinnedNamespacesOf(dir),
      ...(spec.host ? { host: spec.host } : {}),
    };
    await mkdir(infraDir(dir), { recursive: true });
    await writeRecord(dir, record);
    const files = podFilesOf(dir);
    let network: Promise<string> | undefined;
    try {
      await Promise.all([
        record.netnsPath && addNetns(netnsName(id)), mountTmpfs(files.shm, SHM_OPTIONS), pinNamespaces(record.pinned!, spec.hostname, spec.host),
        // Containers bind-mount these at create time; wireNetwork fills them in place (same inode).
        ...[files.hosts, files.resolvConf, files.hostname].map((f) => writeFile(f, '')),
      ]);
      // CNI needs only the netns; the infra (when there is one) and app containers need no interfaces.
      network = this.wireNetwork(record, spec);
      if (record.shareProcessNamespace) {
        record.infraPid = await this.startInfra(record);
        await writeRecord(dir, record);
      }
    } catch (e) {
      await network?.catch(() => {});
      await this.stop(id).catch(() => {});
      throw e;
    }
    const ready = network.then(async (ip) => {
      record.ready = { ip };
      await writeRecord(dir, record);
      return toSandbox(record, dir);
    }).catch(async (e) => {
      await this.stop(id).catch(() => {});
      throw e;
    });
    ready.catch(() => {}); // the caller awaits it; a sandbox nobody waits for must not crash the agent
    return { sandbox: toSandbox(record, dir), ready };
  }

  /** CNI ADD, then the /etc files that need the pod IP; returns the IP. A hostNetwork pod has the node's. */
  private async wireNetwork(record: SandboxRecord, spec: SandboxSpec): Promise<string> {
    const dir = this.ctx.layout.sandboxDir(record.id);
    if (!record.netnsPath) {
      const files = podFilesOf(dir);
      const [hosts, resolv, hostname] = await hostNetworkFiles(spec);
      await Promise.all([writeFile(files.hosts, hosts), writeFile(files.resolvConf, resolv), writeFile(files.hostname, hostname)]);
      return spec.hostIP ?? '';
    }
    const cni = await attach(this.net, podPlugins(this.net, spec.hostPorts), record.id, record.netnsPath);
    await writeFile(join(dir, CNI_FILE), JSON.stringify(cni));
    const ip = podIP(cni.result);
    const files = podFilesOf(dir);
    await Promise.all([
      writeFile(files.hosts, hostsFile(ip, spec.hostname, spec.hostAliases)),
      writeFile(files.resolvConf, resolvConf(spec.dnsServers, spec.dnsSearches)),
      writeFile(files.hostname, hostnameFile(spec.hostname)),
    ]);
    return ip;
  }

  /** The running infra container (the pod's /dev/shm is already mounted); returns its pid. */
  private async startInfra(record: SandboxRecord): Promise<number> {
    const dir = this.ctx.layout.sandboxDir(record.id);
    const shm = podFilesOf(dir).shm;
    const bundle = infraDir(dir);
    const config = infraSpec({
      rootfs: this.ctx.layout.pauseRootfs, args: [PAUSE_PATH, '-P'], netnsPath: record.netnsPath, pinned: record.pinned!,
      cgroupsPath: `${record.cgroupParent}/infra`, shm, host: this.ctx.host, hostNamespaces: record.host,
    });
    await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
    const pid = await createWithConmon({ ...conmonBase(this.ctx), id: record.id, bundle, dir: bundle, logPath: join(bundle, 'infra.log') });
    await this.ctx.runc.start(record.id);
    return pid;
  }

  /**
   * Tears everything down: containers and infra (together: all are SIGKILLed anyway), then the netns
   * before CNI DEL (~15 ms faster, and DEL still releases the IP), mounts, cgroups, files.
   */
  async stop(id: string): Promise<void> {
    const dir = this.ctx.layout.sandboxDir(id);
    const record = await readRecord<SandboxRecord>(dir);
    const containers = (await this.containers.idsIn(id)).map((c) => this.containers.remove(c));
    await Promise.all([...containers, record && (record.infraPid || record.ready?.infraPid) && this.removeInfra(id)]);
    if (record) {
      await Promise.all([this.unwireNetwork(record), unmountUnder(dir)]);
      await removeCgroup(record.cgroupParent);
    }
    await rm(dir, { recursive: true, force: true });
    await rm(this.ctx.exits.exitFile(id), { force: true });
  }

  private async removeInfra(id: string): Promise<void> {
    await stopUntilExited(this.ctx, id, infraDir(this.ctx.layout.sandboxDir(id)), { signal: 'KILL', graceMs: 0, killAll: true });
    await this.ctx.runc.delete(id);
  }

  private async unwireNetwork(record: SandboxRecord): Promise<void> {
    if (!record.netnsPath) return; // the host's network: nothing of ours to undo
    await deleteNetns(basename(record.netnsPath));
    const saved = await readFile(join(this.ctx.layout.sandboxDir(record.id), CNI_FILE), 'utf8').catch(() => undefined);
    if (saved) await detach(this.net, JSON.parse(saved) as CniAttachment);
  }

  /** The sandboxes that came up completely (after an agent restart too). */
  async list(): Promise<Sandbox[]> {
    const records = await readRecords<SandboxRecord>(this.ctx.layout.sandboxesDir);
    return records.filter((r) => r.ready).map((r) => toSandbox(r, this.ctx.layout.sandboxDir(r.id)));
  }

  /** Sandboxes a crash left half-made (never ready): torn down at init. */
  async unfinished(): Promise<string[]> {
    return (await readRecords<SandboxRecord>(this.ctx.layout.sandboxesDir)).filter((r) => !r.ready).map((r) => r.id);
  }

  /** Every sandbox id on disk, ready or not. */
  async ids(): Promise<string[]> {
    return (await readRecords<SandboxRecord>(this.ctx.layout.sandboxesDir)).map((r) => r.id);
  }
}
