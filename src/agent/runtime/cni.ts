// Pod networking through the standard CNI plugins: loopback, then bridge (host-local IPAM) chained
// with portmap when the pod has hostPorts. Plugins are called as the CNI spec says (env vars plus the
// config on stdin, chained with prevResult); the config and result are saved because DEL needs the
// exact same ones.
import { join } from 'node:path';
import type { SandboxSpec } from './specs.js';
import { CommandError, run } from './run.js';

const CNI_VERSION = '1.0.0';

export interface PodNetwork {
  /** Network name; host-local keeps its leases in ipamDir/<name>. */
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  ipamDir: string;
  binDir: string;
}

export type PluginConf = { type: string } & Record<string, unknown>;

export interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number }[];
}

/** Everything DEL needs, saved beside the sandbox. */
export interface CniAttachment {
  containerId: string;
  netnsPath: string;
  ifName: string;
  plugins: PluginConf[];
  result: CniResult;
}

/** The plugin chain for one pod: bridge (+ portmap for hostPorts). No ipMasq: pods get no egress NAT. */
export function podPlugins(net: PodNetwork, hostPorts: SandboxSpec['hostPorts']): PluginConf[] {
  const bridge: PluginConf = {
    type: 'bridge', bridge: net.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
    ipam: {
      type: 'host-local', dataDir: net.ipamDir,
      ranges: [[{ subnet: net.subnet, gateway: net.gateway }]],
      routes: [{ dst: '0.0.0.0/0' }],
    },
  };
  if (!hostPorts.length) return [bridge];
  const portMappings = hostPorts.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol.toLowerCase() }));
  return [bridge, { type: 'portmap', capabilities: { portMappings: true }, runtimeConfig: { portMappings }, snat: true }];
}

/** The pod's IPv4 address (without the prefix length). */
export function podIP(result: CniResult): string {
  const address = result.ips?.[0]?.address;
  if (!address) throw new Error(`CNI result has no IP address: ${JSON.stringify(result)}`);
  return address.split('/')[0];
}

async function invoke(binDir: string, command: 'ADD' | 'DEL', conf: Record<string, unknown> & { type: string }, a: { containerId: string; netnsPath: string; ifName: string }): Promise<string> {
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', // portmap execs iptables
    CNI_COMMAND: command, CNI_CONTAINERID: a.containerId, CNI_NETNS: a.netnsPath, CNI_IFNAME: a.ifName, CNI_PATH: binDir,
  };
  try {
    return await run(join(binDir, conf.type), [], { env, input: JSON.stringify(conf) });
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    // A failing plugin prints {code, msg, details} on stdout.
    let reason = e.stderr.trim() || e.stdout.trim();
    try {
      const err = JSON.parse(e.stdout) as { msg?: string; details?: string };
      reason = [err.msg, err.details].filter(Boolean).join(': ');
    } catch { /* not JSON: keep the raw text */ }
    throw new Error(`CNI ${conf.type} ${command} failed: ${reason}`);
  }
}

const confOf = (net: string, plugin: PluginConf, prevResult?: CniResult) => ({ cniVersion: CNI_VERSION, name: net, ...plugin, ...(prevResult ? { prevResult } : {}) });

/** Brings up lo, then runs the chain on eth0; on failure the chain is deleted again before rethrowing. */
export async function attach(net: PodNetwork, plugins: PluginConf[], containerId: string, netnsPath: string): Promise<CniAttachment> {
  await invoke(net.binDir, 'ADD', { cniVersion: CNI_VERSION, name: 'lo', type: 'loopback' }, { containerId, netnsPath, ifName: 'lo' });
  const a = { containerId, netnsPath, ifName: 'eth0' };
  let result: CniResult | undefined;
  try {
    for (const p of plugins) result = JSON.parse(await invoke(net.binDir, 'ADD', confOf(net.name, p, result), a)) as CniResult;
  } catch (e) {
    await detach(net, { ...a, plugins, result: result ?? { cniVersion: CNI_VERSION } }).catch(() => {});
    throw e;
  }
  return { ...a, plugins, result: result! };
}

/**
 * Runs DEL in reverse order. Works after the netns is gone (the plugins then skip the interface and
 * still release the IP and port mappings); lo needs no DEL, it dies with the netns.
 */
export async function detach(net: PodNetwork, a: CniAttachment): Promise<void> {
  for (const p of [...a.plugins].reverse()) await invoke(net.binDir, 'DEL', confOf(net.name, p, a.result), a);
}
