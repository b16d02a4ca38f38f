// apps/v1 DaemonSets: defaults (RollingUpdate with maxUnavailable 1 and maxSurge 0,
// revisionHistoryLimit 10), validation, status subresource and `kubectl get ds` columns, as upstream.
import type { DaemonSet, DaemonSetSpec } from 'kubernetes-types/apps/v1.js';
import { invalid, Literal, notSupported, required, type FieldError } from '../errors.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { age, ageColumn, columns, nameColumn } from '../table.js';
import {
  bumpGeneration, containerCells, containersColumn, defaultPodTemplate, formatLabels, formatLabelSelector, goLabelSelector, imagesColumn,
  immutable, intOrPercentRaw, nonNegative, notMoreThan100Percent, selectorColumn, specOf, statusSubresource, validateIntOrPercent,
  validatePodTemplate, validateStatusCounts, validateWorkloadSelector,
} from './workloads.js';
import { STORED_VERBS } from '../strategy.js';

const asDaemonSet = (o: KubeObject): Mutable<DaemonSet> => o as unknown as Mutable<DaemonSet>;

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
  const errs = [
    ...validateWorkloadSelector(spec.selector, 'spec.selector', 'daemonset'),
    ...validatePodTemplate(spec.template, spec.selector, 'spec.template', { restartPolicies: ['Always'] }),
  ];
  const deadline = spec.template?.spec?.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) errs.push(invalid('spec.template.spec.activeDeadlineSeconds', deadline, 'activeDeadlineSeconds must be nil for daemonset'));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds), ...validateUpdateStrategy(spec), ...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  return errs;
}

const STATUS_COUNTS = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'];

export const daemonSetStrategy: Strategy = {
  resource: {
    group: 'apps', version: 'v1', kind: 'DaemonSet', listKind: 'DaemonSetList', plural: 'daemonsets', singular: 'daemonset', namespaced: true,
    verbs: [...STORED_VERBS],
    shortNames: ['ds'], categories: ['all'],
    subresources: [{ name: 'status', kind: 'DaemonSet', verbs: ['get', 'patch', 'update'] }],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'subdomain',
  prepareForCreate(obj) {
    defaultDaemonSetSpec(specOf(obj) as Mutable<DaemonSetSpec>);
    obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    obj.metadata.generation = 1;
  },
  validate: (obj) => validateDaemonSetSpec(asDaemonSet(obj).spec),
  prepareForUpdate(obj, old) {
    defaultDaemonSetSpec(specOf(obj) as Mutable<DaemonSetSpec>);
    obj.status = old.status;
    bumpGeneration(obj, old);
  },
  validateUpdate(obj, old) {
    const next = asDaemonSet(obj).spec;
    const errs = validateDaemonSetSpec(next);
    errs.push(...immutable('spec.selector', next?.selector, asDaemonSet(old).spec?.selector, new Literal(goLabelSelector(next?.selector))));
    return errs;
  },
  subresourceUpdates: { status: statusSubresource((obj) => validateStatusCounts(asDaemonSet(obj).status, STATUS_COUNTS)) },
  table: {
    columns: columns([
      nameColumn,
      ['Desired', 'integer', 'How many nodes should run the daemon pod.'],
      ['Current', 'integer', 'How many nodes run at least one daemon pod.'],
      ['Ready', 'integer', 'How many nodes run a ready daemon pod.'],
      ['Up-to-date', 'integer', 'How many nodes run the current pod template.'],
      ['Available', 'integer', 'How many nodes run a daemon pod that has been ready for minReadySeconds.'],
      ['Node Selector', 'string', 'The node labels a node needs to run the daemon pod.'],
      ageColumn, containersColumn, imagesColumn, selectorColumn,
    ]),
    cells(obj, now) {
      const ds = asDaemonSet(obj);
      const s = ds.status;
      const [names, images] = containerCells(ds.spec?.template);
      return [
        obj.metadata.name, s?.desiredNumberScheduled ?? 0, s?.currentNumberScheduled ?? 0, s?.numberReady ?? 0, s?.updatedNumberScheduled ?? 0,
        s?.numberAvailable ?? 0, formatLabels(ds.spec?.template?.spec?.nodeSelector), age(obj.metadata.creationTimestamp, now),
        names, images, formatLabelSelector(ds.spec?.selector),
      ];
    },
  },
};
