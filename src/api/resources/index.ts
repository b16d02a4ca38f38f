// Every resource the API server serves: adding a resource is adding its strategy here.
import type { Strategy } from '../strategy.js';
import { controllerRevisionStrategy } from './controllerrevisions.js';
import { daemonSetStrategy } from './daemonsets.js';
import { deploymentStrategy } from './deployments.js';
import { eventStrategy } from './events.js';
import { cronJobStrategy, jobStrategy } from './jobs.js';
import { leaseStrategy } from './leases.js';
import { namespaceStrategy } from './namespaces.js';
import { nodeStrategy } from './nodes.js';
import { podStrategy } from './pods.js';
import { replicaSetStrategy } from './replicasets.js';
import { statefulSetStrategy } from './statefulsets.js';

export const builtinStrategies: Strategy[] = [
  podStrategy, namespaceStrategy, nodeStrategy, eventStrategy, leaseStrategy,
  // apps/v1 and batch/v1 workloads
  deploymentStrategy, replicaSetStrategy, statefulSetStrategy, daemonSetStrategy, controllerRevisionStrategy, jobStrategy, cronJobStrategy,
];
