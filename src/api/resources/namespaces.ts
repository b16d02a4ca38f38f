// Namespaces: cluster-scoped, Active until deleted, then Terminating while the namespace controller
// empties them; spec.finalizers (changed only through /finalize) hold the object until then.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { invalid, type FieldError } from '../errors.js';
import { defineStrategy, type Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';

export const NAME_LABEL = 'kubernetes.io/metadata.name';
export const KUBERNETES_FINALIZER = 'kubernetes';

type NamespaceObj = Obj<Namespace>;

function labelWithName(ns: Namespace): void {
  ns.metadata!.labels = { ...(ns.metadata!.labels ?? {}), [NAME_LABEL]: ns.metadata!.name! };
}

function validateFinalizers(ns: Namespace): FieldError[] {
  const list = ns.spec?.finalizers ?? [];
  return list.filter((f) => typeof f !== 'string' || !f).map((f, i) => invalid(`spec.finalizers[${i}]`, f, 'must be a non-empty string'));
}

export const namespaceStrategy = defineStrategy<NamespaceObj>({
  resource: {
    group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  nameRule: 'label',
  prepareForCreate(ns) {
    ns.spec = { finalizers: ns.spec?.finalizers ?? [KUBERNETES_FINALIZER] };
    labelWithName(ns);
  },
  validate: validateFinalizers,
  // spec.finalizers change only through /finalize.
  prepareForUpdate(ns, old) {
    ns.spec = old.spec;
    labelWithName(ns);
  },
  status: { initial: () => ({ phase: 'Active' }) },
  subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  subresourceUpdates: {
    // Only spec.finalizers change through /finalize; the namespace controller clears them.
    finalize: {
      prepare(ns, old) {
        const finalizers = ns.spec?.finalizers ?? [];
        ns.spec = { ...(old.spec ?? {}), finalizers };
        ns.status = old.status;
        const { resourceVersion: _rv, ...meta } = old.metadata;
        ns.metadata = meta;
      },
      validate: validateFinalizers,
    },
  },
  pendingFinalizers: (ns) => (ns.spec?.finalizers?.length ?? 0) > 0,
  prepareForDeletion(ns) {
    ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
  },
  columns: [nameColumn, column('Status', 'string', 'Whether the namespace is Active or Terminating.', (ns) => ns.status?.phase ?? ''), ageColumn],
});
