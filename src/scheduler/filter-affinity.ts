// NodeAffinity: spec.nodeSelector and the required node affinity must both match the node.
import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import type { Filter } from './filter.js';
import type { NodeInfo } from './nodeinfo.js';

export const AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector";

/** Go's strconv.ParseInt(s, 10, 64), which Gt and Lt use on both the label and the bound. */
function parseInt64(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function requirementMatches(r: NodeSelectorRequirement, values: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(values, r.key);
  const wanted = r.values ?? [];
  switch (r.operator) {
    case 'In': return has && wanted.includes(values[r.key]);
    case 'NotIn': return !has || !wanted.includes(values[r.key]);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      const actual = parseInt64(has ? values[r.key] : undefined);
      const bound = wanted.length === 1 ? parseInt64(wanted[0]) : undefined;
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default: return false;
  }
}

/** A term matches when all its requirements do; a term with none matches nothing, as upstream. */
function termMatches(term: NodeSelectorTerm, node: NodeInfo): boolean {
  const expressions = term.matchExpressions ?? [];
  // metadata.name is the only field a term may select on.
  const fields = term.matchFields ?? [];
  if (!expressions.length && !fields.length) return false;
  return expressions.every((r) => requirementMatches(r, node.labels))
    && fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, { 'metadata.name': node.name }));
}

/** Terms are ORed. */
export const nodeSelectorMatches = (selector: NodeSelector, node: NodeInfo): boolean =>
  selector.nodeSelectorTerms.some((term) => termMatches(term, node));

const labelsMatch = (wanted: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(wanted).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);

export const nodeAffinityFilter: Filter = (pod, node) => {
  const ok = (!pod.nodeSelector || labelsMatch(pod.nodeSelector, node.labels))
    && (!pod.requiredNodeAffinity || nodeSelectorMatches(pod.requiredNodeAffinity, node));
  return ok ? undefined : { reasons: [AFFINITY_REASON], unresolvable: true };
};
