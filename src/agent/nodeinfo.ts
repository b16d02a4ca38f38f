// What a node reports about itself: capacity, addresses and system info, read from the host.
import { cpus, hostname, networkInterfaces, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export const AGENT_VERSION = 'v1.33.0+tinykube';
export const MAX_PODS = 110;

const readOr = (path: string, fallback: string): string => {
  try { return readFileSync(path, 'utf8').trim(); } catch { return fallback; }
};

function osImage(): string {
  const m = readOr('/etc/os-release', '').match(/^PRETTY_NAME="?([^"\n]*)"?$/m);
  return m ? m[1] : 'Linux';
}

/** The first non-internal IPv4 address, else loopback: what pods see as their hostIP. */
export function primaryAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export const defaultNodeName = (): string => hostname().toLowerCase();

export interface NodeFacts {
  capacity: Record<string, string>;
  addresses: { type: string; address: string }[];
  nodeInfo: Record<string, string>;
}

export function nodeFacts(name: string, runtimeVersion: string, address = primaryAddress()): NodeFacts {
  return {
    capacity: { cpu: String(cpus().length), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: String(MAX_PODS), 'ephemeral-storage': '0' },
    addresses: [{ type: 'InternalIP', address }, { type: 'Hostname', address: name }],
    nodeInfo: {
      machineID: readOr('/etc/machine-id', ''), systemUUID: readOr('/sys/class/dmi/id/product_uuid', ''), bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
      kernelVersion: release(), osImage: osImage(), containerRuntimeVersion: runtimeVersion, kubeletVersion: AGENT_VERSION, kubeProxyVersion: '',
      operatingSystem: 'linux', architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
}
