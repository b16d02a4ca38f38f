// apps/v1 StatefulSets: defaults (OrderedReady, RollingUpdate with partition 0, Retain claims,
// revisionHistoryLimit 10), validation, which spec fields an update may change, status and scale
// subresources and `kubectl get sts` columns, as upstream.
import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import { forbiddenField, invalid, Literal, notSupported, required, type FieldError } from '../errors.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { age, ageColumn, columns, nameColumn } from '../table.js';
import { isDNS1123Subdomain } from '../validation.js';
import {
  arr, bumpGeneration, containerCells, containersColumn, defaultPodTemplate, goLabelSelector, imagesColumn, immutable, nonNegative,
  replicasScale, semanticEqual, specOf, statusSubresource, validateIntOrPercent, validatePodTemplate, validateStatusCounts,
  validateWorkloadSelector,
} from './workloads.js';
import { STORED_VERBS } from '../strategy.js';

const asStatefulSet = (o: KubeObject): Mutable<StatefulSet> => o as unknown as Mutable<StatefulSet>;
const RETENTION = ['Retain', 'Delete'];

export function defaultStatefulSetSpec(spec: Mutable<StatefulSetSpec>): void {
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.updateStrategy ??= {};
  const us = spec.updateStrategy;
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  for (const claim of arr(spec.volumeClaimTemplates)) {
    if (claim && typeof claim === 'object' && claim.spec && typeof claim.spec === 'object') claim.spec.volumeMode ??= 'Filesystem';
  }
  defaultPodTemplate(spec.template);
}

export function validateStatefulSetSpec(spec: Mutable<StatefulSetSpec> | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') errs.push(invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  const us = spec.updateStrategy ?? {};
  switch (us.type) {
    case 'OnDelete':
      if (us.rollingUpdate) errs.push(invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (us.rollingUpdate) {
        errs.push(...nonNegative('spec.updateStrategy.rollingUpdate.partition', us.rollingUpdate.partition));
        errs.push(...validateIntOrPercent('spec.updateStrategy.rollingUpdate.maxUnavailable', us.rollingUpdate.maxUnavailable));
      }
      break;
    case undefined: case '':
      errs.push(required('spec.updateStrategy', 'must specify type'));
      break;
    default:
      errs.push(invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (retention) {
    for (const f of ['whenDeleted', 'whenScaled'] as const) {
      if (retention[f] && !RETENTION.includes(retention[f]!)) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, retention[f], RETENTION));
    }
  }
  errs.push(
    ...nonNegative('spec.replicas', spec.replicas),
    ...nonNegative('spec.minReadySeconds', spec.minReadySeconds),
    ...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit),
    ...nonNegative('spec.ordinals.start', spec.ordinals?.start),
    ...validateWorkloadSelector(spec.selector, 'spec.selector', 'statefulset'),
    ...validatePodTemplate(spec.template, spec.selector, 'spec.template', { restartPolicies: ['Always'], forbidActiveDeadline: true, kind: 'StatefulSet' }),
  );
  if (spec.serviceName) for (const msg of isDNS1123Subdomain(spec.serviceName)) errs.push(invalid('spec.serviceName', spec.serviceName, msg));
  const claimNames = new Set<string>();
  arr(spec.volumeClaimTemplates).forEach((claim, i) => {
    const name = claim?.metadata?.name;
    if (!name) errs.push(required(`spec.volumeClaimTemplates[${i}].metadata.name`));
    else if (claimNames.has(name)) errs.push({ type: 'Duplicate', field: `spec.volumeClaimTemplates[${i}].metadata.name`, value: name });
    else claimNames.add(name);
  });
  return errs;
}

/** The spec fields an update may change; everything else must stay as it was. */
const MUTABLE_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const next = asStatefulSet(obj).spec;
  const errs = validateStatefulSetSpec(next);
  const fixed = (spec: unknown) => Object.fromEntries(Object.entries((spec ?? {}) as Record<string, unknown>).filter(([k]) => !MUTABLE_FIELDS.includes(k)));
  if (!semanticEqual(fixed(next), fixed(asStatefulSet(old).spec))) {
    errs.push(forbiddenField('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  errs.push(...immutable('spec.selector', next?.selector, asStatefulSet(old).spec?.selector, new Literal(goLabelSelector(next?.selector))));
  return errs;
}

const STATUS_COUNTS = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'];

function validateStatefulSetStatus(obj: KubeObject): FieldError[] {
  const status = asStatefulSet(obj).status ?? { replicas: 0 };
  const errs = validateStatusCounts(status, STATUS_COUNTS);
  for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) {
    if ((status[f] ?? 0) > (status.replicas ?? 0)) errs.push(invalid(`status.${f}`, status[f], 'cannot be greater than status.replicas'));
  }
  if ((status.availableReplicas ?? 0) > (status.readyReplicas ?? 0)) {
    errs.push(invalid('status.availableReplicas', status.availableReplicas, 'cannot be greater than status.readyReplicas'));
  }
  return errs;
}

export const statefulSetStrategy: Strategy = {
  resource: {
    group: 'apps', version: 'v1', kind: 'StatefulSet', listKind: 'StatefulSetList', plural: 'statefulsets', singular: 'statefulset', namespaced: true,
    verbs: [...STORED_VERBS],
    shortNames: ['sts'], categories: ['all'],
    subresources: [
      { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
      { name: 'status', kind: 'StatefulSet', verbs: ['get', 'patch', 'update'] },
    ],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'subdomain',
  prepareForCreate(obj) {
    defaultStatefulSetSpec(specOf(obj) as Mutable<StatefulSetSpec>);
    obj.status = { replicas: 0, availableReplicas: 0 };
    obj.metadata.generation = 1;
  },
  validate: (obj) => validateStatefulSetSpec(asStatefulSet(obj).spec),
  prepareForUpdate(obj, old) {
    defaultStatefulSetSpec(specOf(obj) as Mutable<StatefulSetSpec>);
    obj.status = old.status;
    bumpGeneration(obj, old);
  },
  validateUpdate: validateStatefulSetUpdate,
  subresourceUpdates: { status: statusSubresource(validateStatefulSetStatus) },
  scale: replicasScale,
  table: {
    columns: columns([
      nameColumn,
      ['Ready', 'string', 'How many of the desired pods are ready.'],
      ageColumn, containersColumn, imagesColumn,
    ]),
    cells(obj, now) {
      const sts = asStatefulSet(obj);
      const [names, images] = containerCells(sts.spec?.template);
      return [obj.metadata.name, `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`, age(obj.metadata.creationTimestamp, now), names, images];
    },
  },
};
