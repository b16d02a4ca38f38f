// Nodes: cluster-scoped; the agent sets status on create and through /status afterwards.
import type { Node } from 'kubernetes-types/core/v1.js';
import { noFieldErrors } from '../strategy.js';
import { defineStrategy, type Obj } from '../strategykit.js';
import { ageColumn, column, nameColumn, orNone } from '../table.js';
import { validateLabels } from '../validation.js';

function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  // As upstream's printNode: any Ready status but True (False or Unknown) prints NotReady.
  let s = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  if (node.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function roles(node: Node): string {
  const found = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) found.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) found.add(v);
  }
  return found.size ? [...found].sort().join(',') : '<none>';
}

const address = (node: Node, type: string): string => orNone(node.status?.addresses?.find((a) => a.type === type)?.address);

export const nodeStrategy = defineStrategy<Obj<Node>>({
  resource: { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'] },
  validate: (node) => (node.spec?.taints ?? []).flatMap((t, i) => validateLabels(t.key ? { [t.key]: t.value ?? '' } : {}, `spec.taints[${i}]`)),
  // Updates are not checked (upstream checks the taints again; `kubectl taint` is not refused here).
  validateUpdate: noFieldErrors,
  // The agent registers the node with its status, so a create keeps it.
  status: {},
  selectableFields: (node) => ({ 'spec.unschedulable': String(node.spec?.unschedulable ?? false) }),
  columns: [
    nameColumn,
    column('Status', 'string', 'Whether the node is Ready, and whether new pods may be scheduled to it.', nodeStatus),
    column('Roles', 'string', 'The roles the node plays, from its node-role.kubernetes.io labels.', roles),
    ageColumn,
    column('Version', 'string', 'The version the node agent reports.', (node) => node.status?.nodeInfo?.kubeletVersion ?? ''),
    column('Internal-IP', 'string', 'The address the node is reached at inside the cluster.', (node) => address(node, 'InternalIP'), { wide: true }),
    column('External-IP', 'string', 'The address the node is reached at from outside the cluster.', (node) => address(node, 'ExternalIP'), { wide: true }),
    column('OS-Image', 'string', 'The operating system the node runs.', (node) => orNone(node.status?.nodeInfo?.osImage), { wide: true }),
    column('Kernel-Version', 'string', 'The kernel the node runs.', (node) => orNone(node.status?.nodeInfo?.kernelVersion), { wide: true }),
    column('Container-Runtime', 'string', 'The container runtime and its version.', (node) => orNone(node.status?.nodeInfo?.containerRuntimeVersion), { wide: true }),
  ],
});
