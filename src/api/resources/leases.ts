// coordination.k8s.io/v1 Leases: node heartbeats live in kube-node-lease.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { defineStrategy, type Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';

export const leaseStrategy = defineStrategy<Obj<Lease>>({
  resource: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases' },
  columns: [nameColumn, column('Holder', 'string', 'Who holds the lease.', (lease) => lease.spec?.holderIdentity ?? ''), ageColumn],
});
