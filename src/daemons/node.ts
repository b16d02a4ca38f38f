// The node daemon: the container runtime, the image store and the agent (pod workers, network,
// streaming server), as one unit that `up` runs beside the control plane and `agent` against a remote one.
import { join } from 'node:path';
import { Agent } from '../agent/agent.js';
import { defaultNodeName, primaryAddress } from '../agent/nodeinfo.js';
import { Runtime } from '../agent/runtime/index.js';
import { gatewayOf, parseCidr } from '../api/ipv4.js';
import { ImageStore } from '../agent/runtime/images/index.js';
import type { RestClient } from '../client/rest.js';
import { issueServingCert, type KeyPairPem } from '../apiserver/pki.js';
import { CLUSTER_DOMAIN, DEFAULT_BRIDGE, DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR, DEFAULT_SERVICE_CIDR } from './defaults.js';


export interface NodeOptions {
  dataDir: string;
  client: RestClient;
  nodeName?: string;
  /** The address other nodes and the API server reach this node at (default: the first non-loopback IPv4). */
  nodeIP?: string;
  podCidr?: string;
  clusterCidr?: string;
  bridge?: string;
  /** The Service cluster IP range this node proxies (default 10.43.0.0/16). */
  serviceCidr?: string;
  dnsServers?: string[];
  /** Where the cluster DNS sends names outside the cluster domain (`ip[:port]`); none: REFUSED. */
  dnsForward?: string;
  /** The streaming server's TLS for these names; no streaming server without it. */
  streamingTls?: (nodeName: string, hosts: string[]) => Promise<{ ca: string; cert: string; key: string }>;
}

/** The names a node's streaming server answers to (its certificate's subject alternative names). */
export const streamingHosts = (nodeName: string, hostIP = primaryAddress()): string[] => [...new Set([hostIP, '127.0.0.1', nodeName])];

/** Streaming TLS issued in this process from the cluster CA (a node beside its control plane). */
export const issuedStreamingTls = (ca: KeyPairPem) => async (nodeName: string, hosts: string[]) =>
  ({ ca: ca.cert, ...(await issueServingCert(ca, `system:node:${nodeName}`, hosts)) });

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

export function nodeRuntime(dataDir: string, opts: { podCidr?: string; clusterCidr?: string; bridge?: string; serviceCidr?: string } = {}): Runtime {
  const layout = nodeLayout(dataDir);
  return new Runtime({
    stateDir: layout.runtimeDir, logDir: layout.logDir,
    podCidr: opts.podCidr ?? DEFAULT_NODE_CIDR, clusterCidr: opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR, bridge: opts.bridge ?? DEFAULT_BRIDGE,
    serviceCidr: opts.serviceCidr ?? DEFAULT_SERVICE_CIDR,
  });
}

export interface NodeDaemon {
  agent: Agent;
  images: ImageStore;
  runtime: Runtime;
  /** Stops the agent; pods keep running (conmon owns their containers) and the next start adopts them. */
  stop(): void;
}

export async function startNode(opts: NodeOptions): Promise<NodeDaemon> {
  const layout = nodeLayout(opts.dataDir);
  const runtime = nodeRuntime(opts.dataDir, opts);
  const images = new ImageStore(layout.imagesDir);
  const nodeName = opts.nodeName ?? defaultNodeName();
  const hostIP = opts.nodeIP ?? primaryAddress();
  const gateway = gatewayOf(parseCidr(opts.podCidr ?? DEFAULT_NODE_CIDR));
  // Like the kubelet's port: on the node's address, mutual TLS, only the API server's certificate gets in.
  const streaming = opts.streamingTls && { tls: await opts.streamingTls(nodeName, streamingHosts(nodeName, hostIP)), host: hostIP, port: 0 };
  const agent = new Agent({
    client: opts.client, runtime, images, nodeName, podCidr: opts.podCidr ?? DEFAULT_NODE_CIDR,
    hostIP, podsDir: layout.podsDir, logDir: layout.logDir, streaming,
    // Cluster DNS on the bridge's gateway address: pods' nameserver, with the cluster search list.
    dns: { servers: opts.dnsServers ?? [gateway], searches: [], clusterDomain: CLUSTER_DOMAIN },
    clusterDns: { address: gateway, domain: CLUSTER_DOMAIN, forward: opts.dnsForward },
    serviceProxy: { clusterCidr: opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR, serviceCidr: opts.serviceCidr ?? DEFAULT_SERVICE_CIDR, bridge: opts.bridge ?? DEFAULT_BRIDGE },
  });
  await agent.start();
  return { agent, images, runtime, stop: () => agent.stop() };
}
