// @kubernetes/client-node drives the server: create, list with a selector, watch, patch, delete.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startServer, type RunningServer } from './harness.js';

let server: RunningServer;
let kc: k8s.KubeConfig;
before(async () => {
  // The API server's own behaviour: no scheduler marking pods Unschedulable (no nodes here).
  server = await startServer(undefined, { args: ['--disable-scheduler'] });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
});
after(async () => {
  await server.stop();
  server.cleanup();
});

const pod = (name: string, labels: Record<string, string>): k8s.V1Pod => ({
  metadata: { name, labels }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

test('create, list with selector, watch, patch, delete', async () => {
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const events: string[] = [];
  const watch = new k8s.Watch(kc);
  const req = await watch.watch('/api/v1/namespaces/default/pods', {}, (type: string, obj: k8s.V1Pod) => {
    events.push(`${type} ${obj.metadata?.name} ${obj.metadata?.labels?.tier ?? ''}`.trim());
  }, () => {});

  const created = await api.createNamespacedPod({ namespace: 'default', body: pod('web-1', { app: 'web', tier: 'front' }) });
  assert.equal(created.metadata?.name, 'web-1');
  assert.equal(created.status?.phase, 'Pending');
  await api.createNamespacedPod({ namespace: 'default', body: pod('db-1', { app: 'db' }) });

  const web = await api.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
  assert.deepEqual(web.items.map((p) => p.metadata?.name), ['web-1']);
  const notFront = await api.listNamespacedPod({ namespace: 'default', labelSelector: 'tier!=front' });
  assert.deepEqual(notFront.items.map((p) => p.metadata?.name), ['db-1']);

  const patched = await api.patchNamespacedPod(
    { namespace: 'default', name: 'web-1', body: { metadata: { labels: { tier: 'back' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  assert.equal(patched.metadata?.labels?.tier, 'back');

  await assert.rejects(api.createNamespacedPod({ namespace: 'default', body: pod('web-1', {}) }), (e: unknown) => (e as { code?: number }).code === 409);

  await api.deleteNamespacedPod({ namespace: 'default', name: 'web-1' });
  await api.deleteNamespacedPod({ namespace: 'default', name: 'db-1' });
  for (let i = 0; i < 50 && events.length < 5; i++) await new Promise((r) => setTimeout(r, 50));
  req.abort();
  assert.deepEqual(events, ['ADDED web-1 front', 'ADDED db-1', 'MODIFIED web-1 back', 'DELETED web-1 back', 'DELETED db-1']);
});
