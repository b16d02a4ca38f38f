// apps/v1 StatefulSets: defaults (OrderedReady, RollingUpdate with partition 0, Retain claims,
// revisionHistoryLimit 10), validation, which spec fields an update may change, status and scale
// subresources and `kubectl get sts` columns, as upstream.
import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import { forbiddenField, invalid, notSupported, required, type FieldError } from '../errors.js';
import type { Mutable } from '../strategy.js';
import type { Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';
import { isDNS1123Subdomain } from '../validation.js';
import {
  arr, defaultPodTemplate, defineWorkload, nonNegative, replicasScale, selectorUnchanged, semanticEqual, templateColumns,
  validateIntOrPercent, validateReplicaStatus, validateSelectedTemplate,
} from './workloads.js';

type StatefulSetObj = Obj<StatefulSet>;
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
    ...validateSelectedTemplate(spec, 'spec', 'statefulset', { restartPolicies: ['Always'], forbidActiveDeadline: true, kind: 'StatefulSet' }),
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

function validateStatefulSetUpdate(obj: StatefulSetObj, old: StatefulSetObj): FieldError[] {
  const errs = validateStatefulSetSpec(obj.spec);
  const fixed = (spec: unknown) => Object.fromEntries(Object.entries((spec ?? {}) as Record<string, unknown>).filter(([k]) => !MUTABLE_FIELDS.includes(k)));
  if (!semanticEqual(fixed(obj.spec), fixed(old.spec))) {
    errs.push(forbiddenField('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  errs.push(...selectorUnchanged(obj, old));
  return errs;
}

const STATUS_COUNTS = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'];

export const statefulSetStrategy = defineWorkload<StatefulSetObj>({
  resource: { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], categories: ['all'] },
  defaultSpec: defaultStatefulSetSpec,
  validateSpec: validateStatefulSetSpec,
  validateUpdate: validateStatefulSetUpdate,
  status: {
    initial: () => ({ replicas: 0, availableReplicas: 0 }),
    validate: (obj) => validateReplicaStatus(obj.status, STATUS_COUNTS, ['readyReplicas', 'currentReplicas', 'updatedReplicas'], 'status.readyReplicas'),
  },
  scale: replicasScale,
  columns: [
    nameColumn,
    column('Ready', 'string', 'How many of the desired pods are ready.', (sts) => `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`),
    ageColumn, ...templateColumns<StatefulSetObj>((sts) => sts.spec?.template),
  ],
});
