// apps/v1 Deployments: defaults (RollingUpdate 25%/25%, revisionHistoryLimit 10, progress deadline
// 600 s), validation, generation bumps on spec or annotation changes, status and scale subresources
// and the `kubectl get deploy` columns, as upstream.
import type { Deployment, DeploymentSpec } from 'kubernetes-types/apps/v1.js';
import { forbiddenField, invalid, Literal, notSupported, required, type FieldError } from '../errors.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { age, ageColumn, columns, nameColumn } from '../table.js';
import {
  bumpGeneration, containerCells, containersColumn, defaultPodTemplate, formatLabelSelector, goLabelSelector, imagesColumn, immutable,
  intOrPercentRaw, nonNegative, notMoreThan100Percent, replicasScale, selectorColumn, semanticEqual, specOf, statusSubresource,
  validateIntOrPercent, validatePodTemplate, validateStatusCounts, validateWorkloadSelector,
} from './workloads.js';
import { STORED_VERBS } from '../strategy.js';

const asDeployment = (o: KubeObject): Mutable<Deployment> => o as unknown as Mutable<Deployment>;
const STRATEGY_TYPES = ['Recreate', 'RollingUpdate'];

export function defaultDeploymentSpec(spec: Mutable<DeploymentSpec>): void {
  spec.replicas ??= 1;
  spec.strategy ??= {};
  const strategy = spec.strategy;
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    strategy.rollingUpdate.maxUnavailable ??= '25%';
    strategy.rollingUpdate.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

function validateStrategy(strategy: Mutable<DeploymentSpec>['strategy'], path: string): FieldError[] {
  if (!strategy) return [];
  const errs: FieldError[] = [];
  if (strategy.type === 'Recreate') {
    if (strategy.rollingUpdate) errs.push(forbiddenField(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (strategy.type === 'RollingUpdate') {
    const ru = strategy.rollingUpdate;
    if (!ru) errs.push(required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil'));
    else {
      const p = `${path}.rollingUpdate`;
      errs.push(...validateIntOrPercent(`${p}.maxUnavailable`, ru.maxUnavailable), ...validateIntOrPercent(`${p}.maxSurge`, ru.maxSurge));
      if (intOrPercentRaw(ru.maxUnavailable) === 0 && intOrPercentRaw(ru.maxSurge) === 0) {
        errs.push(invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(`${p}.maxUnavailable`, ru.maxUnavailable));
    }
  } else {
    errs.push(notSupported(`${path}.type`, strategy.type ?? '', STRATEGY_TYPES));
  }
  return errs;
}

export function validateDeploymentSpec(spec: Mutable<DeploymentSpec> | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs: FieldError[] = [
    ...nonNegative('spec.replicas', spec.replicas),
    ...validateWorkloadSelector(spec.selector, 'spec.selector', 'deployment'),
  ];
  errs.push(...validatePodTemplate(spec.template, spec.selector, 'spec.template', { restartPolicies: ['Always'], forbidActiveDeadline: true, kind: 'ReplicaSet' }));
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit), ...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
    errs.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

const STATUS_COUNTS = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration', 'collisionCount', 'terminatingReplicas'];

function validateDeploymentStatus(obj: KubeObject): FieldError[] {
  const status = asDeployment(obj).status ?? {};
  const errs = validateStatusCounts(status, STATUS_COUNTS);
  const replicas = status.replicas ?? 0;
  for (const f of ['updatedReplicas', 'readyReplicas', 'availableReplicas'] as const) {
    if ((status[f] ?? 0) > replicas) errs.push(invalid(`status.${f}`, status[f], 'cannot be greater than status.replicas'));
  }
  if ((status.availableReplicas ?? 0) > (status.readyReplicas ?? 0)) {
    errs.push(invalid('status.availableReplicas', status.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

export const deploymentStrategy: Strategy = {
  resource: {
    group: 'apps', version: 'v1', kind: 'Deployment', listKind: 'DeploymentList', plural: 'deployments', singular: 'deployment', namespaced: true,
    verbs: [...STORED_VERBS],
    shortNames: ['deploy'], categories: ['all'],
    subresources: [
      { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
      { name: 'status', kind: 'Deployment', verbs: ['get', 'patch', 'update'] },
    ],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'subdomain',
  prepareForCreate(obj) {
    defaultDeploymentSpec(specOf(obj) as Mutable<DeploymentSpec>);
    obj.status = {};
    obj.metadata.generation = 1;
  },
  validate: (obj) => validateDeploymentSpec(asDeployment(obj).spec),
  prepareForUpdate(obj, old) {
    defaultDeploymentSpec(specOf(obj) as Mutable<DeploymentSpec>);
    obj.status = old.status;
    // Annotations count too: the controller copies them to the deployment's replica sets.
    bumpGeneration(obj, old, !semanticEqual(obj.metadata.annotations ?? {}, old.metadata.annotations ?? {}));
  },
  validateUpdate(obj, old) {
    const next = asDeployment(obj).spec;
    const errs = validateDeploymentSpec(next);
    errs.push(...immutable('spec.selector', next?.selector, asDeployment(old).spec?.selector, new Literal(goLabelSelector(next?.selector))));
    return errs;
  },
  subresourceUpdates: { status: statusSubresource(validateDeploymentStatus) },
  scale: replicasScale,
  table: {
    columns: columns([
      nameColumn,
      ['Ready', 'string', 'How many of the desired pods are ready.'],
      ['Up-to-date', 'string', 'How many pods run the current pod template.'],
      ['Available', 'string', 'How many pods have been ready for at least minReadySeconds.'],
      ageColumn, containersColumn, imagesColumn, selectorColumn,
    ]),
    cells(obj, now) {
      const d = asDeployment(obj);
      const [names, images] = containerCells(d.spec?.template);
      return [
        obj.metadata.name, `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0,
        age(obj.metadata.creationTimestamp, now), names, images, formatLabelSelector(d.spec?.selector),
      ];
    },
  },
};
