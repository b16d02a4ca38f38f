// apps/v1 ReplicaSets: defaults, validation (selector required, matching the template, immutable),
// generation bumps on spec changes, status and scale subresources, `kubectl get rs` columns and the
// status.replicas field selector, as upstream.
import type { ReplicaSet, ReplicaSetSpec } from 'kubernetes-types/apps/v1.js';
import { required, type FieldError } from '../errors.js';
import type { Mutable } from '../strategy.js';
import type { Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';
import {
  defaultPodTemplate, defineWorkload, nonNegative, replicasScale, validateReplicaStatus, validateSelectedTemplate, workloadColumns,
} from './workloads.js';

export function defaultReplicaSetSpec(spec: Mutable<ReplicaSetSpec>): void {
  spec.replicas ??= 1;
  defaultPodTemplate(spec.template);
}

export function validateReplicaSetSpec(spec: Mutable<ReplicaSetSpec> | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required('spec')];
  return [
    ...nonNegative('spec.replicas', spec.replicas),
    ...nonNegative('spec.minReadySeconds', spec.minReadySeconds),
    // Upstream's message names deployments here too.
    ...validateSelectedTemplate(spec, 'spec', 'deployment', { restartPolicies: ['Always'], forbidActiveDeadline: true, kind: 'ReplicaSet' }),
  ];
}

const STATUS_COUNTS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration', 'terminatingReplicas'];

export const replicaSetStrategy = defineWorkload<Obj<ReplicaSet>>({
  resource: { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'] },
  defaultSpec: defaultReplicaSetSpec,
  validateSpec: validateReplicaSetSpec,
  status: {
    initial: () => ({ replicas: 0 }),
    validate: (obj) => validateReplicaStatus(obj.status, STATUS_COUNTS, ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']),
  },
  scale: replicasScale,
  selectableFields: (rs) => ({ 'status.replicas': String(rs.status?.replicas ?? 0) }),
  columns: [
    nameColumn,
    column('Desired', 'integer', 'How many pods the replica set should run (spec.replicas).', (rs) => rs.spec?.replicas ?? 0),
    column('Current', 'integer', 'How many pods the replica set runs now.', (rs) => rs.status?.replicas ?? 0),
    column('Ready', 'integer', 'How many of its pods are ready.', (rs) => rs.status?.readyReplicas ?? 0),
    ageColumn, ...workloadColumns(),
  ],
});
