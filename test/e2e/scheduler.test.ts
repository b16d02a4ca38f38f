// The scheduler against a real API server: it runs in this process as an API client, with two
// Node objects created through the API (no agent: nothing runs the pods, they only get bound).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Event, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import type { RestClient } from '../../src/client/rest.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { findKubectl, fixtures, kubectlRunner, startServer, type RunningServer } from './harness.js';

const NS = 'default';
const podsPath = `/api/v1/namespaces/${NS}/pods`;
const kubectlBin = findKubectl(33);

/** Node changes reach the scheduler through its watch; give it that moment before relying on them. */
const WATCH_SETTLE_MS = 300;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('scheduler', () => {
  let server: RunningServer;
  let client: RestClient;
  let scheduler: Scheduler;

  const node = (name: string) => ({
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: new Date().toISOString() }],
    },
  });
  const createPod = (name: string, spec: Partial<PodSpec> = {}) => client.post<Pod>(podsPath, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }], ...spec },
  });
  const getPod = (name: string) => client.get<Pod>(`${podsPath}/${name}`);
  const deletePod = (name: string) => client.delete(`${podsPath}/${name}?gracePeriodSeconds=0`);
  const boundNode = (name: string) => waitFor(`${name} bound`, async () => (await getPod(name)).spec?.nodeName);
  const unschedulableMessage = (name: string) => waitFor(`${name} unschedulable`, async () => {
    const c = (await getPod(name)).status?.conditions?.find((x) => x.type === 'PodScheduled');
    return c?.status === 'False' && c.reason === 'Unschedulable' ? c.message : undefined;
  });
  const eventsFor = async (name: string, reason: string) =>
    (await client.get<{ items: Event[] }>(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name=${name},reason=${reason}`)).items;
  const patchNode = async (name: string, patch: object) => {
    await client.patch(`/api/v1/nodes/${name}`, patch);
    await sleep(WATCH_SETTLE_MS);
  };

  before(async () => {
    // The scheduler under test runs in this process: the server's own stays off.
    server = await startServer(undefined, { args: ['--disable-scheduler'] });
    client = server.client();
    for (const name of ['node-a', 'node-b']) await client.post('/api/v1/nodes', node(name));
    scheduler = new Scheduler(client);
    await scheduler.start();
  });

  after(async () => {
    scheduler?.stop();
    await server?.stop();
    server?.cleanup();
  });

  test('a plain pod is bound, with a Scheduled event', async () => {
    await createPod('plain');
    const nodeName = await boundNode('plain');
    assert.match(nodeName, /^node-[ab]$/);
    const pod = await getPod('plain');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
    const [event] = await waitFor('Scheduled event', async () => ((await eventsFor('plain', 'Scheduled')).length ? eventsFor('plain', 'Scheduled') : undefined));
    assert.equal(event.type, 'Normal');
    assert.equal(event.message, `Successfully assigned ${NS}/plain to ${nodeName}`);
    assert.equal(event.source?.component, 'default-scheduler');
  });

  test('a nodeSelector no node matches leaves the pod Pending until a node gets the label', async () => {
    await createPod('gpu', { nodeSelector: { gpu: 'true' } });
    const message = await unschedulableMessage('gpu');
    assert.equal(message, "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
    const pod = await getPod('gpu');
    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(pod.spec?.nodeName, undefined);

    // Retries (1 s backoff) count on the same event rather than adding new ones.
    const [event] = await waitFor('a repeated FailedScheduling event', async () => {
      const events = await eventsFor('gpu', 'FailedScheduling');
      return events.length === 1 && (events[0].count ?? 0) >= 2 ? events : undefined;
    });
    assert.equal(event.type, 'Warning');
    assert.equal(event.message, message);
    assert.equal(event.source?.component, 'default-scheduler');
    assert.equal(event.reportingComponent, 'default-scheduler');
    assert.equal(event.involvedObject.kind, 'Pod');
    assert.equal(event.involvedObject.uid, pod.metadata?.uid);
    assert.ok(event.involvedObject.resourceVersion);
    assert.ok(event.firstTimestamp && event.lastTimestamp);

    if (kubectlBin) {
      const kubectl = kubectlRunner(kubectlBin, server, fixtures);
      const described = await kubectl(['describe', 'pod', 'gpu']);
      assert.equal(described.code, 0, described.stderr);
      const events = described.stdout.slice(described.stdout.indexOf('\nEvents:'));
      assert.match(events, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector\./);
    }

    await patchNode('node-b', { metadata: { labels: { gpu: 'true' } } });
    assert.equal(await boundNode('gpu'), 'node-b');
  });

  test('a pod asking for more cpu than any node has stays unschedulable', async () => {
    await createPod('hungry', { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '8' } } }] });
    assert.equal(await unschedulableMessage('hungry'),
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    await deletePod('hungry');
  });

  test('a tainted node is avoided unless the pod tolerates the taint', async () => {
    await patchNode('node-b', { spec: { taints: [{ key: 'dedicated', value: 'special', effect: 'NoSchedule' }] } });
    await createPod('pinned', { nodeSelector: { 'kubernetes.io/hostname': 'node-b' } });
    assert.equal(await unschedulableMessage('pinned'),
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: special}. "
      + 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');

    for (let i = 0; i < 4; i++) await createPod(`avoid-${i}`);
    for (let i = 0; i < 4; i++) assert.equal(await boundNode(`avoid-${i}`), 'node-a');

    // Adding a toleration is an update the API allows; the changed spec is retried at once.
    const pinned = await getPod('pinned');
    const tolerations = [...(pinned.spec?.tolerations ?? []), { key: 'dedicated', operator: 'Equal', value: 'special', effect: 'NoSchedule' }];
    await client.patch(`${podsPath}/pinned`, { spec: { tolerations } });
    assert.equal(await boundNode('pinned'), 'node-b');

    await patchNode('node-b', { spec: { taints: null } });
    for (const name of ['pinned', 'avoid-0', 'avoid-1', 'avoid-2', 'avoid-3']) await deletePod(name);
  });

  test('pods wanting the same host port land on different nodes; a third waits for one to go', async () => {
    const withPort = { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', ports: [{ containerPort: 80, hostPort: 8080 }] }] };
    await createPod('port-1', withPort);
    await createPod('port-2', withPort);
    const nodes = [await boundNode('port-1'), await boundNode('port-2')];
    assert.deepEqual(nodes.sort(), ['node-a', 'node-b']);

    await createPod('port-3', withPort);
    assert.equal(await unschedulableMessage('port-3'),
      "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
    const freed = (await getPod('port-1')).spec!.nodeName;
    await deletePod('port-1');
    assert.equal(await boundNode('port-3'), freed);
  });
});
