// Every resource the API server serves: adding a resource is adding its strategy here.
import type { Strategy } from '../strategy.js';
import { eventStrategy } from './events.js';
import { leaseStrategy } from './leases.js';
import { namespaceStrategy } from './namespaces.js';
import { nodeStrategy } from './nodes.js';
import { podStrategy } from './pods.js';

export const builtinStrategies: Strategy[] = [podStrategy, namespaceStrategy, nodeStrategy, eventStrategy, leaseStrategy];
