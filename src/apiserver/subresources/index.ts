// Every subresource served by a handler of its own, in one table: resource → subresource →
// handler. The ApiServer builds it; rest.ts routes `<object>/<subresource>` through it. Other
// declared subresources (status, finalize, ephemeralcontainers) are updates by the strategy's
// rules, through the verbs.
import type { PodStreams } from '../podstreams.js';
import { bindingHandler } from './binding.js';
import { evictionHandler } from './eviction.js';
import { podStreamHandlers } from './podstreams.js';
import { scaleHandler } from './scale.js';
import type { SubresourceHandler, SubresourceTable } from './types.js';

export type { SubresourceHandler, SubresourceTable } from './types.js';
export { resourceKey } from './types.js';

/** The table; the pod streams are served when there are nodes to stream from (`podStreams`). */
export function subresourceTable(podStreams: PodStreams | undefined): SubresourceTable {
  return new Map<string, Record<string, SubresourceHandler>>([
    ['/v1/pods', { binding: bindingHandler, eviction: evictionHandler, ...(podStreams ? podStreamHandlers(podStreams) : {}) }],
    ['apps/v1/deployments', { scale: scaleHandler }],
    ['apps/v1/replicasets', { scale: scaleHandler }],
    ['apps/v1/statefulsets', { scale: scaleHandler }],
  ]);
}
