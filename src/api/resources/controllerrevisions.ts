// apps/v1 ControllerRevisions: immutable snapshots of a StatefulSet's or DaemonSet's template, kept
// for rollbacks. `data` is required and never changes; `kubectl get controllerrevisions` shows the
// owning controller and the revision number, as upstream.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { required, type FieldError } from '../errors.js';
import { parseApiVersion } from '../resource.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { age, ageColumn, columns, nameColumn } from '../table.js';
import { immutable, nonNegative } from './workloads.js';
import { STORED_VERBS } from '../strategy.js';

const asRevision = (o: KubeObject): Mutable<ControllerRevision> => o as unknown as Mutable<ControllerRevision>;

function validateRevision(obj: KubeObject): FieldError[] {
  const r = asRevision(obj);
  const errs: FieldError[] = [];
  if (r.data === undefined || r.data === null) errs.push(required('data', 'data is mandatory'));
  if (typeof r.revision !== 'number') errs.push(required('revision'));
  else errs.push(...nonNegative('revision', r.revision));
  return errs;
}

/** `statefulset.apps/web`: the controlling owner as upstream's printer names it. */
function controllerName(obj: KubeObject): string {
  const ref = obj.metadata.ownerReferences?.find((o) => o.controller);
  if (!ref) return '<none>';
  const { group } = parseApiVersion(ref.apiVersion ?? '');
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

export const controllerRevisionStrategy: Strategy = {
  resource: {
    group: 'apps', version: 'v1', kind: 'ControllerRevision', listKind: 'ControllerRevisionList', plural: 'controllerrevisions',
    singular: 'controllerrevision', namespaced: true,
    verbs: [...STORED_VERBS],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'subdomain',
  prepareForCreate() {},
  validate: validateRevision,
  prepareForUpdate() {},
  validateUpdate(obj, old) {
    return [...validateRevision(obj), ...immutable('data', asRevision(obj).data, asRevision(old).data)];
  },
  table: {
    columns: columns([
      nameColumn,
      ['Controller', 'string', 'The controller that owns this revision.'],
      ['Revision', 'integer', 'The revision number, growing with each new revision of the controller.'],
      ageColumn,
    ]),
    cells: (obj, now) => [obj.metadata.name, controllerName(obj), asRevision(obj).revision ?? 0, age(obj.metadata.creationTimestamp, now)],
  },
};
