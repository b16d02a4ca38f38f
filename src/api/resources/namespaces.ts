// Namespaces: cluster-scoped, Active until deleted, then Terminating while the namespace controller
// empties them; spec.finalizers (changed only through /finalize) hold the object until then.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { invalid, type FieldError } from '../errors.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { age, ageColumn, columns, nameColumn } from '../table.js';

export const NAME_LABEL = 'kubernetes.io/metadata.name';
export const KUBERNETES_FINALIZER = 'kubernetes';

const asNs = (o: KubeObject): Mutable<Namespace> => o as unknown as Mutable<Namespace>;

function labelWithName(ns: Namespace): void {
  ns.metadata!.labels = { ...(ns.metadata!.labels ?? {}), [NAME_LABEL]: ns.metadata!.name! };
}

function validateFinalizers(ns: Namespace): FieldError[] {
  const list = ns.spec?.finalizers ?? [];
  return list.filter((f) => typeof f !== 'string' || !f).map((f, i) => invalid(`spec.finalizers[${i}]`, f, 'must be a non-empty string'));
}

export const namespaceStrategy: Strategy = {
  resource: {
    group: '', version: 'v1', kind: 'Namespace', listKind: 'NamespaceList', plural: 'namespaces', singular: 'namespace', namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'],
    subresources: [
      { name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] },
      { name: 'finalize', kind: 'Namespace', verbs: ['update'] },
    ],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'label',
  prepareForCreate(obj) {
    const ns = asNs(obj);
    ns.spec = { finalizers: ns.spec?.finalizers ?? [KUBERNETES_FINALIZER] };
    ns.status = { phase: 'Active' };
    labelWithName(ns);
  },
  validate: (obj) => validateFinalizers(asNs(obj)),
  prepareForUpdate(obj, old) {
    const ns = asNs(obj);
    ns.spec = asNs(old).spec;
    ns.status = asNs(old).status;
    labelWithName(ns);
  },
  validateUpdate: (obj) => validateFinalizers(asNs(obj)),
  subresourceUpdates: {
    status: {
      prepare(obj, old) {
        asNs(obj).spec = asNs(old).spec;
      },
    },
    // Only spec.finalizers change through /finalize; the namespace controller clears them.
    finalize: {
      prepare(obj, old) {
        const finalizers = asNs(obj).spec?.finalizers ?? [];
        asNs(obj).spec = { ...(asNs(old).spec ?? {}), finalizers };
        asNs(obj).status = asNs(old).status;
        const { resourceVersion: _rv, ...meta } = old.metadata;
        obj.metadata = meta;
      },
      validate: (obj) => validateFinalizers(asNs(obj)),
    },
  },
  pendingFinalizers: (obj) => (asNs(obj).spec?.finalizers?.length ?? 0) > 0,
  prepareForDeletion(obj) {
    asNs(obj).status = { ...(asNs(obj).status ?? {}), phase: 'Terminating' };
  },
  table: {
    columns: columns([nameColumn, ['Status', 'string', 'Whether the namespace is Active or Terminating.'], ageColumn]),
    cells: (obj, now) => [obj.metadata.name, asNs(obj).status?.phase ?? '', age(obj.metadata.creationTimestamp, now)],
  },
};
