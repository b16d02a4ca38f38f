// apps/v1 ControllerRevisions: immutable snapshots of a StatefulSet's or DaemonSet's template, kept
// for rollbacks. `data` is required and never changes; `kubectl get controllerrevisions` shows the
// owning controller and the revision number, as upstream.
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { required, type FieldError } from '../errors.js';
import { parseApiVersion } from '../resource.js';
import type { KubeObject } from '../strategy.js';
import { defineStrategy, type Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';
import { immutable, nonNegative } from './workloads.js';

type RevisionObj = Obj<ControllerRevision>;

function validateRevision(r: RevisionObj): FieldError[] {
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

export const controllerRevisionStrategy = defineStrategy<RevisionObj>({
  resource: { group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions' },
  validate: validateRevision,
  validateUpdate: (r, old) => [...validateRevision(r), ...immutable('data', r.data, old.data)],
  columns: [
    nameColumn,
    column('Controller', 'string', 'The controller that owns this revision.', controllerName),
    column('Revision', 'integer', 'The revision number, growing with each new revision of the controller.', (r) => r.revision ?? 0),
    ageColumn,
  ],
});
