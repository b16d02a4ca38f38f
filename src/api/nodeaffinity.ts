// Node selection as upstream's component-helpers/scheduling/corev1/nodeaffinity: a pod's
// spec.nodeSelector and required node affinity against a node's name and labels. Shared by the
// scheduler's filter and the DaemonSet controller.
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from 'kubernetes-types/core/v1.js';

/** What node selection reads of a node. */
export interface NodeLabels {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

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
function termMatches(term: NodeSelectorTerm, node: NodeLabels): boolean {
  const expressions = term.matchExpressions ?? [];
  // metadata.name is the only field a term may select on.
  const fields = term.matchFields ?? [];
  if (!expressions.length && !fields.length) return false;
  return expressions.every((r) => requirementMatches(r, node.labels))
    && fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, { 'metadata.name': node.name }));
}

/** A NodeSelector (node affinity's terms, ORed). */
export const nodeSelectorMatches = (selector: NodeSelector, node: NodeLabels): boolean =>
  selector.nodeSelectorTerms.some((term) => termMatches(term, node));

/** spec.nodeSelector: every label present with its exact value. */
export const nodeLabelsMatch = (wanted: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(wanted).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);

/** Whether `node` satisfies the pod's nodeSelector and required node affinity (upstream's GetRequiredNodeAffinity(pod).Match). */
export function requiredNodeAffinityMatches(spec: PodSpec, node: Node): boolean {
  const facts: NodeLabels = { name: node.metadata?.name ?? '', labels: node.metadata?.labels ?? {} };
  const affinity = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return (!spec.nodeSelector || nodeLabelsMatch(spec.nodeSelector, facts.labels)) && (!affinity || nodeSelectorMatches(affinity, facts));
}
