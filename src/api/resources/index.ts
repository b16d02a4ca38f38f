// Every resource the API server serves: adding a resource is adding its strategy here.
import type { Strategy } from '../strategy.js';
import { configMapStrategy, secretStrategy } from './configdata.js';
import { controllerRevisionStrategy } from './controllerrevisions.js';
import { daemonSetStrategy } from './daemonsets.js';
import { deploymentStrategy } from './deployments.js';
import { endpointSliceStrategy, endpointsStrategy } from './endpoints.js';
import { eventStrategy } from './events.js';
import { cronJobStrategy, jobStrategy } from './jobs.js';
import { leaseStrategy } from './leases.js';
import { namespaceStrategy } from './namespaces.js';
import { nodeStrategy } from './nodes.js';
import { podDisruptionBudgetStrategy } from './poddisruptionbudgets.js';
import { podStrategy } from './pods.js';
import { replicaSetStrategy } from './replicasets.js';
import { selfSubjectAccessReviewStrategy, selfSubjectReviewStrategy, selfSubjectRulesReviewStrategy } from './reviews.js';
import { serviceStrategy } from './services.js';
import { statefulSetStrategy } from './statefulsets.js';

export const builtinStrategies: Strategy[] = [
  podStrategy, namespaceStrategy, nodeStrategy, eventStrategy, leaseStrategy, configMapStrategy, secretStrategy,
  // apps/v1 and batch/v1 workloads
  deploymentStrategy, replicaSetStrategy, statefulSetStrategy, daemonSetStrategy, controllerRevisionStrategy, jobStrategy, cronJobStrategy,
  // Services and their endpoints (core/v1, discovery.k8s.io/v1)
  serviceStrategy, endpointsStrategy, endpointSliceStrategy, podDisruptionBudgetStrategy,
  selfSubjectAccessReviewStrategy, selfSubjectRulesReviewStrategy, selfSubjectReviewStrategy,
];
