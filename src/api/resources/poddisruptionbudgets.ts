// policy/v1 PodDisruptionBudgets: how many of a set of pods must stay up during voluntary
// disruptions (evictions, `kubectl drain`). Exactly one of minAvailable / maxUnavailable, a valid
// selector, generation bumps on spec changes, a status subresource written by the disruption
// controller, and `kubectl get pdb` columns, as upstream.
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1.js';
import { invalid, required, type FieldError } from '../errors.js';
import type { Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';
import { defineWorkload, validateIntOrPercent, validateLabelSelector, validateStatusCounts } from './workloads.js';

const POLICIES = ['IfHealthyBudget', 'AlwaysAllow'];

function validatePdbSpec(spec: PodDisruptionBudgetSpec | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs: FieldError[] = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(spec.minAvailable) && has(spec.maxUnavailable)) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  errs.push(...validateIntOrPercent('spec.minAvailable', spec.minAvailable), ...validateIntOrPercent('spec.maxUnavailable', spec.maxUnavailable));
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[f];
    if (typeof v === 'string' && Number(v.slice(0, -1)) > 100) errs.push(invalid(`spec.${f}`, v, 'must not be greater than 100%'));
  }
  if (has(spec.selector)) errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (has(policy) && !POLICIES.includes(policy!)) errs.push({ type: 'NotSupported', field: 'spec.unhealthyPodEvictionPolicy', value: policy, detail: `supported values: ${POLICIES.map((p) => `"${p}"`).join(', ')}` });
  return errs;
}

const STATUS_COUNTS = ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods', 'observedGeneration'];

const intOrString = (v: number | string | undefined): string => (v === undefined || v === null ? 'N/A' : String(v));

export const podDisruptionBudgetStrategy = defineWorkload<Obj<PodDisruptionBudget>>({
  resource: { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'] },
  validateSpec: validatePdbSpec,
  // policy/v1 lets the selector change.
  validateUpdate: (pdb) => validatePdbSpec(pdb.spec),
  status: {
    initial: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
    validate: (obj) => validateStatusCounts(obj.status ?? {}, STATUS_COUNTS),
  },
  columns: [
    nameColumn,
    column('Min Available', 'string', 'The number or percentage of pods that must stay available.', (pdb) => intOrString(pdb.spec?.minAvailable)),
    column('Max Unavailable', 'string', 'The number or percentage of pods that may be unavailable.', (pdb) => intOrString(pdb.spec?.maxUnavailable)),
    column('Allowed Disruptions', 'integer', 'How many pods may be evicted now without breaking the budget.', (pdb) => pdb.status?.disruptionsAllowed ?? 0),
    ageColumn,
  ],
});
