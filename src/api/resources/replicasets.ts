// apps/v1 ReplicaSets: defaults, validation (selector required, matching the template, immutable),
// generation bumps on spec changes, status and scale subresources, `kubectl get rs` columns and the
// status.replicas field selector, as upstream.
import type { ReplicaSet, ReplicaSetSpec } from 'kubernetes-types/apps/v1.js';
import { invalid, Literal, required, type FieldError } from '../errors.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { age, ageColumn, columns, nameColumn } from '../table.js';
import {
  bumpGeneration, containerCells, containersColumn, defaultPodTemplate, formatLabelSelector, goLabelSelector, imagesColumn, immutable,
  nonNegative, replicasScale, selectorColumn, specOf, statusSubresource, validatePodTemplate, validateStatusCounts, validateWorkloadSelector,
} from './workloads.js';
import { STORED_VERBS } from '../strategy.js';

const asReplicaSet = (o: KubeObject): Mutable<ReplicaSet> => o as unknown as Mutable<ReplicaSet>;

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
    ...validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment'),
    ...validatePodTemplate(spec.template, spec.selector, 'spec.template', { restartPolicies: ['Always'], forbidActiveDeadline: true, kind: 'ReplicaSet' }),
  ];
}

const STATUS_COUNTS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration', 'terminatingReplicas'];

function validateReplicaSetStatus(obj: KubeObject): FieldError[] {
  const status = asReplicaSet(obj).status ?? { replicas: 0 };
  const errs = validateStatusCounts(status, STATUS_COUNTS);
  const replicas = status.replicas ?? 0;
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) {
    if ((status[f] ?? 0) > replicas) errs.push(invalid(`status.${f}`, status[f], 'cannot be greater than status.replicas'));
  }
  if ((status.availableReplicas ?? 0) > (status.readyReplicas ?? 0)) {
    errs.push(invalid('status.availableReplicas', status.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

export const replicaSetStrategy: Strategy = {
  resource: {
    group: 'apps', version: 'v1', kind: 'ReplicaSet', listKind: 'ReplicaSetList', plural: 'replicasets', singular: 'replicaset', namespaced: true,
    verbs: [...STORED_VERBS],
    shortNames: ['rs'], categories: ['all'],
    subresources: [
      { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
      { name: 'status', kind: 'ReplicaSet', verbs: ['get', 'patch', 'update'] },
    ],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'subdomain',
  prepareForCreate(obj) {
    defaultReplicaSetSpec(specOf(obj) as Mutable<ReplicaSetSpec>);
    obj.status = { replicas: 0 };
    obj.metadata.generation = 1;
  },
  validate: (obj) => validateReplicaSetSpec(asReplicaSet(obj).spec),
  prepareForUpdate(obj, old) {
    defaultReplicaSetSpec(specOf(obj) as Mutable<ReplicaSetSpec>);
    obj.status = old.status;
    bumpGeneration(obj, old);
  },
  validateUpdate(obj, old) {
    const next = asReplicaSet(obj).spec;
    const errs = validateReplicaSetSpec(next);
    errs.push(...immutable('spec.selector', next?.selector, asReplicaSet(old).spec?.selector, new Literal(goLabelSelector(next?.selector))));
    return errs;
  },
  subresourceUpdates: { status: statusSubresource(validateReplicaSetStatus) },
  scale: replicasScale,
  selectableFields: (obj) => ({ 'status.replicas': String(asReplicaSet(obj).status?.replicas ?? 0) }),
  table: {
    columns: columns([
      nameColumn,
      ['Desired', 'integer', 'How many pods the replica set should run (spec.replicas).'],
      ['Current', 'integer', 'How many pods the replica set runs now.'],
      ['Ready', 'integer', 'How many of its pods are ready.'],
      ageColumn, containersColumn, imagesColumn, selectorColumn,
    ]),
    cells(obj, now) {
      const rs = asReplicaSet(obj);
      const [names, images] = containerCells(rs.spec?.template);
      return [
        obj.metadata.name, rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0,
        age(obj.metadata.creationTimestamp, now), names, images, formatLabelSelector(rs.spec?.selector),
      ];
    },
  },
};
