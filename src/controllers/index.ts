// The controllers the control plane runs beside the API server. Adding a controller is adding its
// factory here; each is a ReconcileLoop (src/client/controller.ts: informers with indexes, a work
// queue, a level-triggered reconcile) but the garbage collector, which keeps two queues over a graph.
import type { RestClient } from '../client/rest.js';
import { DeploymentController } from './deployment.js';
import { GarbageCollector } from './garbagecollector.js';
import { NamespaceController } from './namespace.js';
import { ReplicaSetController } from './replicaset.js';
import { NodeLifecycleController, nodeLifecycleOptionsFromEnv } from './nodelifecycle.js';
import { JobController } from './job.js';
import { StatefulSetController } from './statefulset.js';
import { DaemonSetController } from './daemonset.js';
import { EndpointsController, EndpointSliceController } from './endpoints.js';
import { DisruptionController } from './disruption.js';

export interface Controller {
  start(): Promise<void>;
  stop(): void;
}

export const builtinControllers: ((client: RestClient) => Controller)[] = [
  (client) => new NamespaceController(client),
  (client) => new GarbageCollector(client),
  (client) => new ReplicaSetController(client),
  (client) => new DeploymentController(client),
  (client) => new NodeLifecycleController(client, nodeLifecycleOptionsFromEnv()),
  (client) => new JobController(client),
  (client) => new StatefulSetController(client),
  (client) => new DaemonSetController(client),
  (client) => new EndpointsController(client),
  (client) => new EndpointSliceController(client),
  (client) => new DisruptionController(client),
];
