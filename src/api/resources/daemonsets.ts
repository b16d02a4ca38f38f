// apps/v1 DaemonSets: defaults (RollingUpdate with maxUnavailable 1 and maxSurge 0,
// revisionHistoryLimit 10), validation, status subresource and `kubectl get ds` columns, as upstream.
import type { DaemonSet, DaemonSetSpec } from 'kubernetes-types/apps/v1.js';
import { invalid, notSupported, required, type FieldError } from '../errors.js';
import type { Mutable } from '../strategy.js';
import type { Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';
import {
  defaultPodTemplate, defineWorkload, formatLabels, intOrPercentRaw, nonNegative, notMoreThan100Percent, validateIntOrPercent,
  validateSelectedTemplate, validateStatusCounts, workloadColumns,
} from './workloads.js';

export function defaultDaemonSetSpec(spec: Mutable<DaemonSetSpec>): void {
  spec.updateStrategy ??= {};
  const us = spec.updateStrategy;
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    us.rollingUpdate ??= {};
    us.rollingUpdate.maxUnavailable ??= 1;
    us.rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(spec.template);
}

function validateUpdateStrategy(spec: Mutable<DaemonSetSpec>): FieldError[] {
  const us = spec.updateStrategy ?? {};
  const path = 'spec.updateStrategy';
  if (us.type === 'OnDelete') return [];
  if (us.type !== 'RollingUpdate') return [notSupported(path, us, ['RollingUpdate', 'OnDelete'])];
  const ru = us.rollingUpdate;
  if (!ru) return [required(`${path}.rollingUpdate`)];
  const p = `${path}.rollingUpdate`;
  const errs = [
    ...validateIntOrPercent(`${p}.maxUnavailable`, ru.maxUnavailable), ...validateIntOrPercent(`${p}.maxSurge`, ru.maxSurge),
    ...notMoreThan100Percent(`${p}.maxUnavailable`, ru.maxUnavailable), ...notMoreThan100Percent(`${p}.maxSurge`, ru.maxSurge),
  ];
  const hasUnavailable = intOrPercentRaw(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentRaw(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalid(`${p}.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

export function validateDaemonSetSpec(spec: Mutable<DaemonSetSpec> | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs = validateSelectedTemplate(spec, 'spec', 'daemonset', { restartPolicies: ['Always'] });
  const deadline = spec.template?.spec?.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) errs.push(invalid('spec.template.spec.activeDeadlineSeconds', deadline, 'activeDeadlineSeconds must be nil for daemonset'));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds), ...validateUpdateStrategy(spec), ...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  return errs;
}

const STATUS_COUNTS = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'];

export const daemonSetStrategy = defineWorkload<Obj<DaemonSet>>({
  resource: { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'] },
  defaultSpec: defaultDaemonSetSpec,
  validateSpec: validateDaemonSetSpec,
  status: {
    initial: () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
    validate: (obj) => validateStatusCounts(obj.status, STATUS_COUNTS),
  },
  columns: [
    nameColumn,
    column('Desired', 'integer', 'How many nodes should run the daemon pod.', (ds) => ds.status?.desiredNumberScheduled ?? 0),
    column('Current', 'integer', 'How many nodes run at least one daemon pod.', (ds) => ds.status?.currentNumberScheduled ?? 0),
    column('Ready', 'integer', 'How many nodes run a ready daemon pod.', (ds) => ds.status?.numberReady ?? 0),
    column('Up-to-date', 'integer', 'How many nodes run the current pod template.', (ds) => ds.status?.updatedNumberScheduled ?? 0),
    column('Available', 'integer', 'How many nodes run a daemon pod that has been ready for minReadySeconds.', (ds) => ds.status?.numberAvailable ?? 0),
    column('Node Selector', 'string', 'The node labels a node needs to run the daemon pod.', (ds) => formatLabels(ds.spec?.template?.spec?.nodeSelector)),
    ageColumn, ...workloadColumns(),
  ],
});
