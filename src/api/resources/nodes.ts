// Nodes: cluster-scoped; the agent sets status on create and through /status afterwards.
import type { Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject, Mutable, Strategy } from '../strategy.js';
import { noFieldErrors } from '../strategy.js';
import { age, ageColumn, columns, nameColumn, orNone } from '../table.js';
import { validateLabels } from '../validation.js';
import { STORED_VERBS } from '../strategy.js';

const asNode = (o: KubeObject): Mutable<Node> => o as unknown as Mutable<Node>;

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

export const nodeStrategy: Strategy = {
  resource: {
    group: '', version: 'v1', kind: 'Node', listKind: 'NodeList', plural: 'nodes', singular: 'node', namespaced: false,
    verbs: [...STORED_VERBS], shortNames: ['no'],
    subresources: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }],
  },
  allowUnconditionalUpdate: true,
  nameRule: 'subdomain',
  prepareForCreate() {},
  validate: (obj) => {
    const taints = asNode(obj).spec?.taints ?? [];
    return taints.flatMap((t, i) => validateLabels(t.key ? { [t.key]: t.value ?? '' } : {}, `spec.taints[${i}]`));
  },
  prepareForUpdate(obj, old) {
    asNode(obj).status = asNode(old).status;
  },
  validateUpdate: noFieldErrors,
  subresourceUpdates: {
    status: { prepare(obj, old) { asNode(obj).spec = asNode(old).spec; } },
  },
  selectableFields: (obj) => ({ 'spec.unschedulable': String(asNode(obj).spec?.unschedulable ?? false) }),
  table: {
    columns: columns([
      nameColumn,
      ['Status', 'string', 'Whether the node is Ready, and whether new pods may be scheduled to it.'],
      ['Roles', 'string', 'The roles the node plays, from its node-role.kubernetes.io labels.'],
      ageColumn,
      ['Version', 'string', 'The version the node agent reports.'],
      ['Internal-IP', 'string', 'The address the node is reached at inside the cluster.', true],
      ['External-IP', 'string', 'The address the node is reached at from outside the cluster.', true],
      ['OS-Image', 'string', 'The operating system the node runs.', true],
      ['Kernel-Version', 'string', 'The kernel the node runs.', true],
      ['Container-Runtime', 'string', 'The container runtime and its version.', true],
    ]),
    cells(obj, now) {
      const node = asNode(obj);
      const info = node.status?.nodeInfo;
      return [
        node.metadata?.name, nodeStatus(node), roles(node), age(node.metadata?.creationTimestamp, now), info?.kubeletVersion ?? '',
        address(node, 'InternalIP'), address(node, 'ExternalIP'), orNone(info?.osImage), orNone(info?.kernelVersion), orNone(info?.containerRuntimeVersion),
      ];
    },
  },
};
