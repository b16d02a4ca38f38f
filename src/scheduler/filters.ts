// The filters, in upstream's plugin order: a node is out at the first filter it fails, and that
// filter's reasons are what the unschedulable message counts.
import { nodeAffinityFilter } from './filteraffinity.js';
import { hostPortsFilter } from './filterports.js';
import { resourcesFilter } from './filterresources.js';
import { taintsFilter } from './filtertaints.js';
import { unschedulableFilter } from './filterunschedulable.js';
import type { Filter, FilterFailure } from './filter.js';
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

export type { Filter, FilterFailure } from './filter.js';

const FILTERS: readonly Filter[] = [unschedulableFilter, taintsFilter, nodeAffinityFilter, hostPortsFilter, resourcesFilter];

export function runFilters(pod: PodInfo, node: NodeInfo): FilterFailure | undefined {
  for (const filter of FILTERS) {
    const failure = filter(pod, node);
    if (failure) return failure;
  }
  return undefined;
}
