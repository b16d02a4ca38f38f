// The container runtime the node agent drives, CRI-like: pod sandboxes (netns + CNI + infra
// container) and their app containers, run by runc under one conmon each. All state is in files
// under stateDir, so a restarted agent finds its pods again; the containers never depend on it.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cidrContains, formatCidr, gatewayOf, parseCidr } from '../../api/ipv4.js';
import { removeCgroupIfEmpty } from './cgroups.js';
import type { PodNetwork } from './cni.js';
import { Containers } from './containers.js';
import type { RuntimeContext } from './context.js';
import { ExitWatcher } from './exitwatcher.js';
import {
  deleteLink, deleteNodeRoute, disableIpForward, ensureUnreachableRoute, ipForwardOn, reachableWithoutDefaultRoute,
  releaseUnreachableRoute, removeIdlePortmapChains, replaceNodeRoute, type NodeRoute,
} from './hostnet.js';
import { layoutOf, type Layout } from './layout.js';
import { removeServiceChains } from './servicenet.js';
import { boundingCapabilities, nofileHardLimit, type HostFacts } from './ocispec.js';
import { Runc, type RuncExecOptions } from './runc.js';
import { CGROUP_ROOT, PAUSE_PATH, Sandboxes, type StartedSandbox } from './sandbox.js';

export type { StartedSandbox };
import { findTools } from './tools.js';
import type { ContainerSpec, ContainerState, Sandbox, SandboxSpec } from './specs.js';
export { netnsOf } from './records.js';
export type { ContainerSpec, ContainerState, Sandbox, SandboxSpec } from './specs.js';

export interface RuntimeOptions {
  stateDir: string;            // e.g. /var/lib/tinykube/agent (tests: a temp dir)
  logDir: string;              // pod logs root, e.g. /var/log/pods (tests: a temp dir)
  podCidr: string;             // this node's range, e.g. '10.42.0.0/24'
  clusterCidr: string;         // e.g. '10.42.0.0/16' (gets the unreachable route)
  bridge: string;              // e.g. 'tk0' (tests: a unique name they delete afterwards)
  serviceCidr?: string;        // e.g. '10.43.0.0/16' (gets an unreachable route too; the service proxy's chains are named for the bridge)
  cniBinDir?: string;          // default /usr/lib/cni
}
export type ExecOptions = RuncExecOptions;

/** Network name of the pods (host-local keeps leases per network name). */
const NETWORK_NAME = 'tinykube';

/** Host network settings this runtime changed, so reset undoes exactly those (never another runtime's). */
interface NodeNetworkState { unreachableRoute?: string; serviceRoute?: string; ipForwardWasOff?: boolean; nodeRoutes?: NodeRoute[] }

/** Reads the limits the OCI configs must respect on this host. */
async function hostFacts(): Promise<HostFacts> {
  const [limits, status] = await Promise.all([readFile('/proc/self/limits', 'utf8'), readFile('/proc/self/status', 'utf8')]);
  return { nofileHardLimit: nofileHardLimit(limits), capabilities: boundingCapabilities(status) };
}

/** The infra rootfs: the static catatonit as /pause plus mount points. Replaced by rename, as a running pause keeps it busy. */
async function preparePauseRootfs(dir: string, catatonit: string): Promise<void> {
  await Promise.all(['dev', 'proc', 'sys'].map((d) => mkdir(join(dir, d), { recursive: true })));
  const tmp = join(dir, '.pause.tmp');
  await copyFile(catatonit, tmp);
  await chmod(tmp, 0o755);
  await rename(tmp, join(dir, PAUSE_PATH));
}

interface Parts { ctx: RuntimeContext; sandboxes: Sandboxes; containers: Containers }

export class Runtime {
  private readonly layout: Layout;
  private readonly exits: ExitWatcher;
  private parts?: Parts;

  constructor(private readonly opts: RuntimeOptions) {
    this.layout = layoutOf(opts.stateDir);
    this.exits = new ExitWatcher(this.layout.exitDir);
  }

  private initialized(): Parts {
    if (!this.parts) throw new Error('Runtime.init() has not run');
    return this.parts;
  }

  /** The runtime's parts, without touching the host (so cleanupAll works without init()). */
  private async assemble(): Promise<Parts> {
    const cniBinDir = this.opts.cniBinDir ?? '/usr/lib/cni';
    const tools = findTools(cniBinDir);
    const podRange = parseCidr(this.opts.podCidr);
    if (!cidrContains(parseCidr(this.opts.clusterCidr), podRange)) throw new Error(`pod CIDR ${this.opts.podCidr} is not inside the cluster CIDR ${this.opts.clusterCidr}`);
    const l = this.layout;
    const ctx: RuntimeContext = { layout: l, tools, runc: new Runc(tools.runc, l.runcRoot, tools.script), exits: this.exits, host: await hostFacts() };
    const net: PodNetwork = { name: NETWORK_NAME, bridge: this.opts.bridge, subnet: formatCidr(podRange), gateway: gatewayOf(podRange), ipamDir: l.ipamDir, binDir: cniBinDir };
    const containers = new Containers(ctx);
    return { ctx, containers, sandboxes: new Sandboxes(ctx, net, containers) };
  }

  async init(): Promise<void> {
    const parts = await this.assemble();
    const l = this.layout;
    await Promise.all([l.runcRoot, l.exitDir, l.ipamDir, l.socketDir, l.sandboxesDir, l.containersDir, this.opts.logDir].map((d) => mkdir(d, { recursive: true })));
    await preparePauseRootfs(l.pauseRootfs, parts.ctx.tools.catatonit);
    const network = await this.networkState();
    const clusterCidr = formatCidr(parseCidr(this.opts.clusterCidr));
    if (await ensureUnreachableRoute(clusterCidr)) network.unreachableRoute = clusterCidr;
    if (this.opts.serviceCidr) {
      const serviceCidr = formatCidr(parseCidr(this.opts.serviceCidr));
      if (await ensureUnreachableRoute(serviceCidr)) network.serviceRoute = serviceCidr;
    }
    if (!(await ipForwardOn())) network.ipForwardWasOff = true;
    await writeFile(l.networkFile, JSON.stringify(network));
    this.parts = parts;
    for (const id of await parts.sandboxes.unfinished()) await parts.sandboxes.stop(id);
  }

  private networkState(): Promise<NodeNetworkState> {
    return readFile(this.layout.networkFile, 'utf8').then((t) => JSON.parse(t) as NodeNetworkState, () => ({}));
  }

  /** A pod sandbox, complete (network up). */
  async runSandbox(spec: SandboxSpec): Promise<Sandbox> {
    return (await this.startSandbox(spec)).ready;
  }

  /** A pod sandbox in two steps: its namespaces (create containers now), then `ready` once the network is up (start them then). */
  startSandbox(spec: SandboxSpec): Promise<StartedSandbox> {
    return this.initialized().sandboxes.start(spec);
  }

  stopSandbox(id: string): Promise<void> {
    return this.initialized().sandboxes.stop(id);
  }

  listSandboxes(): Promise<Sandbox[]> {
    return this.initialized().sandboxes.list();
  }

  createContainer(sandbox: Sandbox, spec: ContainerSpec): Promise<string> {
    return this.initialized().containers.create(sandbox, spec);
  }

  startContainer(id: string): Promise<void> {
    return this.initialized().containers.start(id);
  }

  stopContainer(id: string, graceSeconds: number): Promise<void> {
    return this.initialized().containers.stop(id, graceSeconds);
  }

  removeContainer(id: string): Promise<void> {
    return this.initialized().containers.remove(id);
  }

  containerState(id: string): Promise<ContainerState | undefined> {
    return this.initialized().containers.state(id);
  }

  /** All containers, or those of one sandbox. */
  listContainers(sandboxId?: string): Promise<ContainerState[]> {
    return this.initialized().containers.list(sandboxId);
  }

  /** Called with the id of each app container that exits (infra containers are not reported). */
  onExit(listener: (id: string) => void): void {
    this.initialized(); // the exit dir exists only after init()
    this.exits.onExit((id) => {
      if (existsSync(this.layout.containerDir(id))) listener(id);
    });
  }

  /**
   * Routes to the other nodes' pod CIDRs (inside the cluster CIDR, not this node's), each through
   * the node's address when that address is reached without the default route; routes no longer
   * wanted go. Recorded, so reset removes them. Returns the routes in place.
   */
  async syncNodeRoutes(wanted: NodeRoute[]): Promise<NodeRoute[]> {
    const cluster = parseCidr(this.opts.clusterCidr);
    const own = formatCidr(parseCidr(this.opts.podCidr));
    const usable: NodeRoute[] = [];
    for (const r of wanted) {
      let range;
      try { range = parseCidr(r.cidr); } catch { continue; }
      if (formatCidr(range) !== own && cidrContains(cluster, range) && (await reachableWithoutDefaultRoute(r.via))) usable.push({ cidr: formatCidr(range), via: r.via });
    }
    const key = (r: NodeRoute) => `${r.cidr} ${r.via}`;
    const state = await this.networkState();
    const keep = new Set(usable.map(key));
    for (const r of state.nodeRoutes ?? []) if (!keep.has(key(r))) await deleteNodeRoute(r);
    const done: NodeRoute[] = [];
    for (const r of usable) {
      try {
        await replaceNodeRoute(r);
        done.push(r);
      } catch {
        // e.g. the address went away meanwhile: next sync
      }
    }
    state.nodeRoutes = done;
    await writeFile(this.layout.networkFile, JSON.stringify(state));
    return done;
  }

  /** `runc exec` in a running container (see Runc.exec for the options). */
  exec(id: string, argv: string[], opts: ExecOptions = {}): ChildProcess {
    return this.initialized().containers.exec(id, argv, opts);
  }

  /** The container's state dir: its OCI bundle and conmon's persist dir (conmon's `ctl` FIFO is here). */
  /** The container's cgroup path (its OCI config's linux.cgroupsPath), or undefined if it is gone. */
  async containerCgroup(id: string): Promise<string | undefined> {
    try {
      return (JSON.parse(await readFile(join(this.layout.containerDir(id), 'config.json'), 'utf8')) as { linux?: { cgroupsPath?: string } }).linux?.cgroupsPath;
    } catch {
      return undefined;
    }
  }

  containerDir(id: string): string {
    return this.layout.containerDir(id);
  }

  /** `tinykube reset`: every sandbox and container, the bridge, idle portmap chains, the host settings init() changed, and the state. */
  async cleanupAll(): Promise<void> {
    const { ctx, sandboxes, containers } = this.parts ?? (await this.assemble());
    await Promise.all((await sandboxes.ids()).map((id) => sandboxes.stop(id)));
    await Promise.all((await containers.list()).map((c) => containers.remove(c.id)));
    // Anything runc still knows without a record here (e.g. a crash between create and record).
    for (const c of await ctx.runc.list()) await ctx.runc.forceDelete(c.id);
    await removeServiceChains(this.opts.bridge);
    await deleteLink(this.opts.bridge);
    await removeIdlePortmapChains();
    const network = await this.networkState();
    if (network.serviceRoute) await releaseUnreachableRoute(network.serviceRoute);
    for (const r of network.nodeRoutes ?? []) await deleteNodeRoute(r);
    if (network.unreachableRoute) await releaseUnreachableRoute(network.unreachableRoute);
    if (network.ipForwardWasOff) await disableIpForward();
    await removeCgroupIfEmpty(CGROUP_ROOT);
    this.exits.close();
    const l = this.layout;
    await Promise.all([l.runcRoot, l.exitDir, l.ipamDir, l.socketDir, l.pauseRootfs, l.sandboxesDir, l.containersDir, l.networkFile].map((p) => rm(p, { recursive: true, force: true })));
    await rmdir(l.root).catch(() => {}); // only if nothing else lives there
    this.parts = undefined;
  }
}
