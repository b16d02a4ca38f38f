// Every subresource served by a handler of its own, in one table: resource → subresource →
// handler. The ApiServer builds it; rest.ts routes `<object>/<subresource>` through it. Other
// declared subresources (status, finalize, ephemeralcontainers) are updates by the strategy's
// rules, through the verbs.
import type { Strategy } from '../../api/strategy.js';
import type { PodStreams } from '../podstreams.js';
import { bindingHandler } from './binding.js';
import { evictionHandler } from './eviction.js';
import { podStreamHandlers } from './podstreams.js';
import { scaleHandler } from './scale.js';
import { resourceKey, type SubresourceHandler, type SubresourceTable } from './types.js';

export type { SubresourceHandler, SubresourceTable } from './types.js';
export { resourceKey };

/**
 * The table for the served resources: `scale` for every resource whose strategy can be scaled, the
 * pod's binding and eviction, and the pod streams when there are nodes to stream from (`podStreams`).
 */
export function subresourceTable(strategies: readonly Strategy[], podStreams: PodStreams | undefined): SubresourceTable {
  const table = new Map<string, Record<string, SubresourceHandler>>();
  for (const s of strategies) if (s.scale) table.set(resourceKey(s.resource), { scale: scaleHandler });
  table.set('/v1/pods', { binding: bindingHandler, eviction: evictionHandler, ...(podStreams ? podStreamHandlers(podStreams) : {}) });
  return table;
}
