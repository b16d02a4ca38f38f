// coordination.k8s.io/v1 Leases: node heartbeats live in kube-node-lease.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { noFieldErrors } from '../strategy.js';
import { age, ageColumn, columns, nameColumn } from '../table.js';
import { STORED_VERBS } from '../strategy.js';

const asLease = (o: KubeObject): Mutable<Lease> => o as unknown as Mutable<Lease>;

export const leaseStrategy: Strategy = {
  resource: {
    group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', listKind: 'LeaseList', plural: 'leases', singular: 'lease', namespaced: true,
    verbs: [...STORED_VERBS],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'subdomain',
  prepareForCreate() {},
  validate: noFieldErrors,
  prepareForUpdate() {},
  validateUpdate: noFieldErrors,
  table: {
    columns: columns([nameColumn, ['Holder', 'string', 'Who holds the lease.'], ageColumn]),
    cells: (obj, now) => [obj.metadata.name, asLease(obj).spec?.holderIdentity ?? '', age(obj.metadata.creationTimestamp, now)],
  },
};
