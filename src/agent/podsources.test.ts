import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { containerResource, envFromSources, envValueFrom, podField, PodSources, referencedSources, usesSource, WatchedSources, type ConfigObject } from './podsources.js';
import type { RestClient } from '../client/rest.js';

const c: Container = { name: 'main', resources: { limits: { cpu: '1500m', memory: '64Mi' }, requests: { cpu: '250m' } } };
const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { app: 'x' }, annotations: { note: 'a "b"' } },
  spec: { nodeName: 'n1', containers: [c], volumes: [{ name: 'v', projected: { sources: [{ secret: { name: 'vs' } }] } }] },
  status: { podIP: '10.42.0.5', hostIP: '192.0.2.1' },
};
const sources = new PodSources('ns', new Map<string, ConfigObject | null>([
  ['configmap/cm', { data: { GOOD: '1', 'bad key': '2', 'also-ok.x': '3' } }],
  ['secret/s', { data: { token: Buffer.from('t0k').toString('base64') } }],
  ['configmap/gone', null],
]));

test('the downward API: fields and resources as upstream formats them', () => {
  assert.equal(podField(pod, { fieldPath: 'metadata.name' }), 'p');
  assert.equal(podField(pod, { fieldPath: "metadata.labels['app']" }), 'x');
  assert.equal(podField(pod, { fieldPath: 'metadata.annotations' }), 'note="a \\"b\\""');
  assert.equal(podField(pod, { fieldPath: 'status.podIP' }), '10.42.0.5');
  assert.equal(podField(pod, { fieldPath: 'spec.nodeName' }), 'n1');
  assert.throws(() => podField(pod, { fieldPath: 'spec.bogus' }), /unsupported fieldPath/);
  assert.equal(containerResource(pod, { resource: 'limits.cpu' }, c), '2', 'cores rounded up');
  assert.equal(containerResource(pod, { resource: 'requests.cpu', divisor: '1m' }, c), '250');
  assert.equal(containerResource(pod, { resource: 'limits.memory', divisor: '1Mi' }, c), '64');
});

test('env: valueFrom and envFrom with prefixes, invalid names skipped, the kubelet\'s errors', () => {
  assert.equal(envValueFrom({ name: 'T', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } }, pod, c, sources), 't0k');
  assert.equal(envValueFrom({ name: 'O', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k', optional: true } } }, pod, c, sources), undefined);
  assert.throws(() => envValueFrom({ name: 'M', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }, pod, c, sources), /^Error: configmap "gone" not found$/);
  assert.throws(() => envValueFrom({ name: 'K', valueFrom: { secretKeyRef: { name: 's', key: 'nope' } } }, pod, c, sources), /couldn't find key nope in Secret ns\/s/);
  const from = envFromSources({ name: 'x', envFrom: [{ prefix: 'P_', configMapRef: { name: 'cm' } }, { secretRef: { name: 'gone2', optional: true } }] }, sources);
  assert.deepEqual(from.vars, [['P_GOOD', '1'], ['P_also-ok.x', '3']]);
  assert.deepEqual(from.skipped, [{ ref: 'configMap ns/cm', keys: ['bad key'] }]);
  assert.deepEqual(referencedSources(pod), [{ kind: 'secret', name: 'vs' }]);
});

test('WatchedSources: a pod reads its objects from the watched caches; a change names the object', async () => {
  const watchers = new Map<string, (e: { type: string; object: unknown }) => void>();
  const listed: Record<string, unknown[]> = {
    '/api/v1/configmaps': [{ metadata: { name: 'cfg', namespace: 'default', resourceVersion: '3' }, data: { a: '1' } }],
    '/api/v1/secrets': [],
  };
  const client = {
    get: async (path: string) => ({ metadata: { resourceVersion: '5' }, items: listed[path] }),
    watch: (path: string, onEvent: (e: { type: string; object: unknown }) => void, signal?: AbortSignal) => {
      watchers.set(path.split('?')[0], onEvent);
      return new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    },
  } as unknown as RestClient;
  const changes: string[] = [];
  const sources = new WatchedSources(client, (ns, kind, name) => changes.push(`${ns}/${kind}/${name}`));
  await sources.start();
  const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'pw', optional: true } }] }] } } as unknown as Pod;
  const s = sources.of(pod);
  assert.deepEqual(s.get('configmap', 'cfg')?.data, { a: '1' });
  assert.equal(s.get('secret', 'pw'), null, 'not there');
  await new Promise((r) => setTimeout(r, 10));
  watchers.get('/api/v1/secrets')!({ type: 'ADDED', object: { metadata: { name: 'pw', namespace: 'default', resourceVersion: '6' }, data: { x: 'eQ==' } } });
  assert.ok(changes.includes('default/secret/pw'));
  assert.deepEqual(sources.of(pod).get('secret', 'pw')?.data, { x: 'eQ==' });
  assert.ok(usesSource(pod, 'default', 'secret', 'pw'));
  assert.ok(!usesSource(pod, 'other', 'secret', 'pw'));
  sources.stop();
});
