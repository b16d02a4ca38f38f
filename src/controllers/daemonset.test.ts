import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { DaemonSetController, daemonPod, daemonSetStatus, daemonTolerations, nodeShouldRun, planDaemonSet, podNodeName, scaled, type DaemonAction } from './daemonset.js';
import { REVISION_LABEL } from './revisions.js';
import { until, withController } from '../../test/helpers/controllers.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const template = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const ds = (spec: Partial<NonNullable<DaemonSet['spec']>> = {}, tpl: object = {}): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 3 },
  spec: {
    selector: { matchLabels: { app: 'agent' } }, template: { ...template, spec: { ...template.spec, ...tpl } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, ...spec,
  },
});
const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints } });
const pod = (name: string, nodeName: string, opts: { hash?: string; phase?: string; ready?: boolean; deleting?: boolean; created?: string } = {}): Pod => ({
  metadata: {
    name, labels: { app: 'agent', [REVISION_LABEL]: opts.hash ?? 'h1' }, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:09:00Z' } : {}),
  },
  spec: { nodeName, containers: [] },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});
const show = (actions: DaemonAction[]) => actions.map((a) => (a.kind === 'create' ? `create on ${a.node}` : `delete ${a.pod} (${a.why})`));

test('default tolerations: NoExecute not-ready/unreachable forever, NoSchedule pressure and unschedulable; same-key ones replaced', () => {
  const t = daemonTolerations({ tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'x', operator: 'Exists' }] });
  assert.deepEqual(t.map((x) => `${x.key}:${x.effect ?? ''}:${x.tolerationSeconds ?? '-'}`), [
    'node.kubernetes.io/unreachable:NoExecute:-', 'x::-', 'node.kubernetes.io/not-ready:NoExecute:-', 'node.kubernetes.io/disk-pressure:NoSchedule:-',
    'node.kubernetes.io/memory-pressure:NoSchedule:-', 'node.kubernetes.io/pid-pressure:NoSchedule:-', 'node.kubernetes.io/unschedulable:NoSchedule:-',
  ]);
  assert.ok(daemonTolerations({ hostNetwork: true }).some((x) => x.key === 'node.kubernetes.io/network-unavailable'));
});

test('which nodes run a daemon: selector, affinity, taints (NoSchedule keeps running pods, NoExecute does not)', () => {
  const sel = { ...template, spec: { ...template.spec, nodeSelector: { disk: 'ssd' } } };
  assert.deepEqual(nodeShouldRun(node('a', { disk: 'ssd' }), sel), { shouldRun: true, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRun(node('b'), sel), { shouldRun: false, shouldContinueRunning: false });
  const aff = { ...template, spec: { ...template.spec, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } } } };
  assert.equal(nodeShouldRun(node('a', { zone: 'z1' }), aff).shouldRun, true);
  assert.equal(nodeShouldRun(node('a', { zone: 'z2' }), aff).shouldRun, false);
  assert.deepEqual(nodeShouldRun(node('t', {}, [{ key: 'gpu', effect: 'NoSchedule' }]), template), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRun(node('t', {}, [{ key: 'gpu', effect: 'NoExecute' }]), template), { shouldRun: false, shouldContinueRunning: false });
  assert.equal(nodeShouldRun(node('u', {}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), template).shouldRun, true, 'default tolerations');
});

test('daemon pods: node-name affinity (replacing matchFields in every term), tolerations, revision labels', () => {
  const p = daemonPod(ds({}, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['other'] }] }] } } } }), ds({}, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['other'] }] }] } } } }).spec!.template, 'h1', 'n1');
  assert.deepEqual(p.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms, [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]);
  assert.equal(podNodeName(p), 'n1');
  assert.equal(p.metadata!.generateName, 'agent-');
  assert.deepEqual(p.metadata!.labels, { app: 'agent', [REVISION_LABEL]: 'h1', 'pod-template-generation': '3' });
  assert.ok(p.spec!.tolerations!.length >= 6);
});

test('plan: creates on matching nodes, deletes extras, misplaced and failed pods, follows label changes', () => {
  const nodes = [node('a'), node('b'), node('c', {}, [{ key: 'dedicated', effect: 'NoExecute' }])];
  assert.deepEqual(show(planDaemonSet(ds(), nodes, [], 'h1', NOW).actions), ['create on a', 'create on b']);
  const pods = [pod('p-a', 'a'), pod('p-a2', 'a', { created: '2026-01-01T00:05:00Z' }), pod('p-c', 'c'), pod('p-b', 'b', { phase: 'Failed' })];
  assert.deepEqual(show(planDaemonSet(ds(), nodes, pods, 'h1', NOW).actions), ['delete p-a2 (extra)', 'delete p-b (failed)', 'delete p-c (node no longer runs it)']);
  assert.deepEqual(show(planDaemonSet(ds(), [node('a')], [pod('p-a', 'a', { deleting: true })], 'h1', NOW).actions), ['create on a'], 'a terminating pod does not count');
  const backoff = planDaemonSet(ds(), [node('a')], [], 'h1', NOW, () => 5000);
  assert.deepEqual([backoff.actions, backoff.retryInMs], [[], 5000]);
  const selective = ds({}, { nodeSelector: { role: 'edge' } });
  assert.deepEqual(show(planDaemonSet(selective, [node('a', { role: 'edge' }), node('b')], [pod('p-b', 'b')], 'h1', NOW).actions), ['create on a', 'delete p-b (node no longer runs it)']);
});

test('rolling update: within maxUnavailable (unavailable old pods first), or surging new pods first', () => {
  const nodes = [node('a'), node('b'), node('c')];
  const old = [pod('p-a', 'a'), pod('p-b', 'b'), pod('p-c', 'c')];
  assert.deepEqual(show(planDaemonSet(ds(), nodes, old, 'h2', NOW).actions), ['delete p-a (update)']);
  const one = [pod('p-a', 'a', { hash: 'h2', ready: false }), pod('p-b', 'b'), pod('p-c', 'c')];
  assert.deepEqual(show(planDaemonSet(ds(), nodes, one, 'h2', NOW).actions), [], 'the budget is used by the unavailable new pod');
  const broken = [pod('p-a', 'a'), pod('p-b', 'b', { ready: false }), pod('p-c', 'c')];
  assert.deepEqual(show(planDaemonSet(ds(), nodes, broken, 'h2', NOW).actions), ['delete p-b (update)']);
  const pct = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } });
  assert.equal(planDaemonSet(pct, nodes, old, 'h2', NOW).actions.length, 2);
  const surge = ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
  assert.deepEqual(show(planDaemonSet(surge, nodes, old, 'h2', NOW).actions), ['create on a']);
  const surged = [...old, pod('n-a', 'a', { hash: 'h2' })];
  assert.deepEqual(show(planDaemonSet(surge, nodes, surged, 'h2', NOW).actions), ['delete p-a (update)']);
  assert.deepEqual(show(planDaemonSet(ds({ updateStrategy: { type: 'OnDelete' } }), nodes, old, 'h2', NOW).actions), []);
  assert.equal(scaled('25%', 3, 1), 1);
  assert.equal(scaled(undefined, 3, 1), 1);
});

test('status: desired, current, misscheduled, ready, updated, available', () => {
  const nodes = [node('a'), node('b'), node('c', {}, [{ key: 'x', effect: 'NoSchedule' }])];
  const s = daemonSetStatus(ds(), nodes, [pod('p-a', 'a', { hash: 'h2' }), pod('p-c', 'c'), pod('p-b', 'b', { ready: false })], 'h2', 0, NOW);
  assert.deepEqual(s, { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 1, observedGeneration: 3 });
});

// ---------- against a real API server (no scheduler: pods stay unbound, targeted by affinity) ----------

test('a DaemonSet follows nodes joining, leaving, relabelled and tainted', () => withController((c) => new DaemonSetController(c), async (client) => {
  for (const n of ['n1', 'n2']) await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n, labels: { role: 'edge' } } });
  await client.post('/apis/apps/v1/namespaces/default/daemonsets', {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { ...template, spec: { ...template.spec, nodeSelector: { role: 'edge' } } } },
  });
  const placed = async () => {
    const items = (await client.get<{ items: Pod[] }>('/api/v1/namespaces/default/pods')).items.filter((p) => !p.metadata!.deletionTimestamp);
    return items.map((p) => podNodeName(p)).sort().join(',');
  };
  const expect = (want: string) => until(`pods on ${want}`, async () => ((await placed()) === want ? true : undefined));
  await expect('n1,n2');
  const ds = await until('status', async () => {
    const d = await client.get<DaemonSet>('/apis/apps/v1/namespaces/default/daemonsets/agent');
    return d.status?.desiredNumberScheduled === 2 && d.status.currentNumberScheduled === 2 ? d : undefined;
  });
  assert.equal(ds.status!.numberReady, 0);
  await client.post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3', labels: { role: 'edge' } } });
  await expect('n1,n2,n3');
  await client.patch('/api/v1/nodes/n2', { metadata: { labels: { role: null } } });
  await expect('n1,n3');
  await client.patch('/api/v1/nodes/n3', { spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] } });
  await expect('n1');
  await client.delete('/api/v1/nodes/n1');
  await expect('');
  const revisions = (await client.get<{ items: { metadata: { name: string; labels: Record<string, string> } }[] }>('/apis/apps/v1/namespaces/default/controllerrevisions')).items;
  assert.equal(revisions.length, 1);
  assert.ok(revisions[0].metadata.name.startsWith('agent-'));
}, 'tinykube-daemonset-'));
