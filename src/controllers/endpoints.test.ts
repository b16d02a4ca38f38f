import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredSlices, desiredSubsets, findPort } from './endpoints.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const pod = (name: string, ip: string, ready: boolean, extra: Json = {}): Json => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, ...(extra.metadata ?? {}) },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
  status: { podIP: ip, phase: extra.phase ?? 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const svc = (spec: Json): Json => ({ metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' }, spec: { selector: { app: 'web' }, ...spec } });

test('findPort: numbers as they are, names looked up on the pod', () => {
  const p = pod('a', '10.42.0.2', true);
  assert.equal(findPort(p, { port: 80, targetPort: 9000 }), 9000);
  assert.equal(findPort(p, { port: 80, targetPort: 'http' }), 8080);
  assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'UDP' }), undefined);
  assert.equal(findPort(p, { port: 80 }), 80);
});

test('Endpoints subsets: ready pods as addresses, the others as notReadyAddresses, sorted; finished pods left out', () => {
  const s = svc({ ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const subsets = desiredSubsets(s, [
    pod('b', '10.42.0.10', true), pod('a', '10.42.0.9', true), pod('c', '10.42.0.3', false),
    pod('done', '10.42.0.4', false, { phase: 'Succeeded' }), { ...pod('noip', '', true) },
    pod('gone', '10.42.0.5', true, { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }),
  ]);
  assert.equal(subsets.length, 1);
  assert.deepEqual(subsets[0].addresses!.map((a) => a.ip), ['10.42.0.9', '10.42.0.10']);
  assert.deepEqual(subsets[0].notReadyAddresses!.map((a) => a.ip), ['10.42.0.3']);
  assert.deepEqual(subsets[0].ports, [{ port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(subsets[0].addresses![0].targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  // publishNotReadyAddresses makes every pod ready.
  const all = desiredSubsets(svc({ ports: [{ port: 80 }], publishNotReadyAddresses: true }), [pod('c', '10.42.0.3', false)]);
  assert.deepEqual(all[0].addresses!.map((a) => a.ip), ['10.42.0.3']);
});

test('EndpointSlices: ready / serving / terminating conditions, ports named "" when unnamed, one placeholder when empty', () => {
  const s = svc({ ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] });
  const [slice] = desiredSlices(s, [pod('a', '10.42.0.2', true), pod('b', '10.42.0.3', false), pod('t', '10.42.0.4', true, { metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } })]);
  assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(slice.endpoints.map((e) => [e.addresses[0], e.conditions]), [
    ['10.42.0.2', { ready: true, serving: true, terminating: false }],
    ['10.42.0.3', { ready: false, serving: false, terminating: false }],
    ['10.42.0.4', { ready: false, serving: true, terminating: true }],
  ]);
  assert.deepEqual(desiredSlices(s, []), [{ ports: [], endpoints: [] }]);
});
