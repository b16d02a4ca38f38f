// Starts a node: the container runtime, the image store and the agent, as one unit that `up` runs
// beside the control plane (and `agent` will run against a remote one).
import { join } from 'node:path';
import { Agent } from '../agent/agent.js';
import { defaultNodeName, primaryAddress } from '../agent/nodeinfo.js';
import { Runtime } from '../agent/runtime/index.js';
import { ImageStore } from '../agent/runtime/images/index.js';
import type { RestClient } from '../client/rest.js';
import { issueServingCert, type KeyPairPem } from '../apiserver/pki.js';

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
  /** The cluster CA (with its key, to issue the streaming server's certificate); no streaming server without it. */
  ca?: KeyPairPem;
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
  const nodeName = opts.nodeName ?? defaultNodeName();
  const hostIP = primaryAddress();
  // Like the kubelet's port: on the node's address, mutual TLS, only the API server's certificate gets in.
  const streaming = opts.ca && {
    tls: { ca: opts.ca.cert, ...(await issueServingCert(opts.ca, `system:node:${nodeName}`, [...new Set([hostIP, '127.0.0.1', nodeName])])) },
    host: hostIP, port: 0,
  };
  const agent = new Agent({
    client: opts.client, runtime, images, nodeName, podCidr: opts.podCidr ?? DEFAULT_NODE_CIDR,
    hostIP, podsDir: layout.podsDir, logDir: layout.logDir, streaming: streaming || undefined,
    dns: { servers: opts.dnsServers ?? [], searches: [] },
  });
  await agent.start();
  return { agent, images, runtime };
}
