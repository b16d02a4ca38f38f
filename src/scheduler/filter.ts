// The shape of one scheduling filter and of its verdict, apart from filters.ts (which lists the
// filters) so that each filter-*.ts can name the type without importing the list that imports it.
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo } from './podinfo.js';

export interface FilterFailure {
  readonly reasons: readonly string[];
  /** Upstream's UnschedulableAndUnresolvable: evicting pods (preemption) could not change the outcome. */
  readonly unresolvable: boolean;
}

/** Returns why `node` cannot take `pod`, or undefined when it can. */
export type Filter = (pod: PodInfo, node: NodeInfo) => FilterFailure | undefined;
