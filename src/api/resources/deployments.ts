// apps/v1 Deployments: defaults (RollingUpdate 25%/25%, revisionHistoryLimit 10, progress deadline
// 600 s), validation, generation bumps on spec or annotation changes, status and scale subresources
// and the `kubectl get deploy` columns, as upstream.
import type { Deployment, DeploymentSpec } from 'kubernetes-types/apps/v1.js';
import { forbiddenField, invalid, notSupported, required, type FieldError } from '../errors.js';
import type { Mutable } from '../strategy.js';
import type { Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';
import {
  defaultPodTemplate, defineWorkload, intOrPercentRaw, nonNegative, notMoreThan100Percent, replicasScale, semanticEqual, validateIntOrPercent,
  validateReplicaStatus, validateSelectedTemplate, workloadColumns,
} from './workloads.js';

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
    ...validateSelectedTemplate(spec, 'spec', 'deployment', { restartPolicies: ['Always'], forbidActiveDeadline: true, kind: 'ReplicaSet' }),
  ];
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

export const deploymentStrategy = defineWorkload<Obj<Deployment>>({
  resource: { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'] },
  defaultSpec: defaultDeploymentSpec,
  validateSpec: validateDeploymentSpec,
  status: {
    initial: () => ({}),
    validate: (obj) => validateReplicaStatus(obj.status, STATUS_COUNTS, ['updatedReplicas', 'readyReplicas', 'availableReplicas']),
  },
  // Annotations count too: the controller copies them to the deployment's replica sets.
  generation: (obj, old) => !semanticEqual(obj.metadata.annotations ?? {}, old.metadata.annotations ?? {}),
  scale: replicasScale,
  columns: [
    nameColumn,
    column('Ready', 'string', 'How many of the desired pods are ready.', (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`),
    column('Up-to-date', 'string', 'How many pods run the current pod template.', (d) => d.status?.updatedReplicas ?? 0),
    column('Available', 'string', 'How many pods have been ready for at least minReadySeconds.', (d) => d.status?.availableReplicas ?? 0),
    ageColumn, ...workloadColumns(),
  ],
});
