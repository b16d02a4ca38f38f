// `tinykube up` as one daemon: the control plane and a node agent in one process, the API server
// handing this node's streams to its agent directly.
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './controlplane.js';
import { issuedStreamingTls, startNode, type NodeDaemon, type NodeOptions } from './node.js';

export interface SingleNodeCluster {
  controlPlane: ControlPlane;
  node: NodeDaemon;
  /** Stops the agent, then the control plane; pods keep running and the next start adopts them. */
  stop(): Promise<void>;
}

export async function startSingleNodeCluster(
  cp: ControlPlaneOptions, node: Omit<NodeOptions, 'client' | 'streamingTls' | 'dataDir'>,
): Promise<SingleNodeCluster> {
  const controlPlane = await startControlPlane(cp);
  let started: NodeDaemon;
  try {
    started = await startNode({ ...node, dataDir: cp.dataDir, client: controlPlane.client, streamingTls: issuedStreamingTls(controlPlane.pki.ca) });
  } catch (e) {
    await controlPlane.stop();
    throw e;
  }
  // One process: no TLS hop from the API server to this node's streaming server.
  if (started.agent.streams) controlPlane.server.attachLocalNode(started.agent.nodeName, started.agent.streams);
  return {
    controlPlane, node: started,
    async stop() {
      started.stop();
      await controlPlane.stop();
    },
  };
}
