// Starts a node: the container runtime, the image store and the agent, as one unit that `up` runs
// beside the control plane (and `agent` will run against a remote one).
import { join } from 'node:path';
import { Agent } from '../agent/agent.js';
import { defaultNodeName, primaryAddress } from '../agent/nodeinfo.js';
import { Runtime } from '../agent/runtime/index.js';
import { ImageStore } from '../agent/runtime/images/index.js';
import type { RestClient } from '../client/rest.js';

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_NODE_CIDR = '10.42.0.0/24';
export const DEFAULT_BRIDGE = 'tk0';

export interface NodeOptions {
  dataDir: string;
  client: RestClient;
  nodeName?: string;
  podCidr?: string;
  clusterCidr?: string;
  bridge?: string;
  dnsServers?: string[];
}

export interface NodeLayout {
  runtimeDir: string;
  logDir: string;
  imagesDir: string;
  podsDir: string;
}

export const nodeLayout = (dataDir: string): NodeLayout => ({
  runtimeDir: join(dataDir, 'agent', 'runtime'),
  logDir: join(dataDir, 'agent', 'logs'),
  imagesDir: join(dataDir, 'images'),
  podsDir: join(dataDir, 'agent', 'pods'),
});

export function nodeRuntime(dataDir: string, opts: { podCidr?: string; clusterCidr?: string; bridge?: string } = {}): Runtime {
  const layout = nodeLayout(dataDir);
  return new Runtime({
    stateDir: layout.runtimeDir, logDir: layout.logDir,
    podCidr: opts.podCidr ?? DEFAULT_NODE_CIDR, clusterCidr: opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR, bridge: opts.bridge ?? DEFAULT_BRIDGE,
  });
}

export async function startNode(opts: NodeOptions): Promise<{ agent: Agent; images: ImageStore; runtime: Runtime }> {
  const layout = nodeLayout(opts.dataDir);
  const runtime = nodeRuntime(opts.dataDir, opts);
  const images = new ImageStore(layout.imagesDir);
  const agent = new Agent({
    client: opts.client, runtime, images, nodeName: opts.nodeName ?? defaultNodeName(), podCidr: opts.podCidr ?? DEFAULT_NODE_CIDR,
    hostIP: primaryAddress(), podsDir: layout.podsDir, logDir: layout.logDir,
    dns: { servers: opts.dnsServers ?? [], searches: [] },
  });
  await agent.start();
  return { agent, images, runtime };
}
