import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../strategy.js';
import { podStrategy } from './pods.js';

const pod = (initContainers: Container[], status: Pod['status'] = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
  spec: { initContainers, containers: [{ name: 'app', image: 'busybox' }] }, status,
}) as unknown as KubeObject;

test('restartPolicy: Always only on init containers (sidecars); probes only on sidecars among them', () => {
  const errors = (init: Container[], app: Partial<Container> = {}) => {
    const p = pod(init) as unknown as Pod;
    Object.assign(p.spec!.containers[0], app);
    return podStrategy.validate(p as unknown as KubeObject).map((e) => `${e.type} ${e.field}`);
  };
  assert.deepEqual(errors([{ name: 'proxy', image: 'i', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 80 } } }]), []);
  assert.deepEqual(errors([{ name: 'setup', image: 'i', restartPolicy: 'OnFailure' }]), ['NotSupported spec.initContainers[0].restartPolicy']);
  assert.deepEqual(errors([{ name: 'setup', image: 'i', livenessProbe: { tcpSocket: { port: 80 } } }]), ['Forbidden spec.initContainers[0].livenessProbe']);
  assert.deepEqual(errors([], { restartPolicy: 'Always' }), ['Forbidden spec.containers[0].restartPolicy']);
});

test('kubectl get pods counts started sidecars in READY, skips them in Init:N/M, and adds their restarts', () => {
  const init: Container[] = [{ name: 'setup', image: 'i' }, { name: 'proxy', image: 'i', restartPolicy: 'Always' }];
  const cells = (status: Pod['status']) => podStrategy.table.cells(pod(init, status), Date.parse('2026-01-01T00:10:00Z')).slice(1, 4);
  const running = { running: { startedAt: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(cells({
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'setup', ready: false, restartCount: 0, image: 'i', imageID: '', state: running },
      { name: 'proxy', ready: false, restartCount: 0, image: 'i', imageID: '', state: { waiting: { reason: 'PodInitializing' } } },
    ],
  }), ['0/2', 'Init:0/2', '0']);
  assert.deepEqual(cells({
    phase: 'Running',
    initContainerStatuses: [
      { name: 'setup', ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'proxy', ready: true, started: true, restartCount: 1, image: 'i', imageID: '', state: running },
    ],
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'i', imageID: '', state: running }],
  }), ['2/2', 'Running', '1']);
});

test('ephemeral containers: not on create; through the subresource only additions, valid, with a real target', () => {
  const base = pod([]) as unknown as Pod;
  const withEph = (eph: object[]) => ({ ...base, spec: { ...base.spec!, ephemeralContainers: eph } }) as unknown as KubeObject;
  const debug = { name: 'debugger', image: 'busybox', targetContainerName: 'app', stdin: true, tty: true };
  assert.deepEqual(podStrategy.validate(withEph([debug])).map((e) => `${e.type} ${e.field}`), ['Forbidden spec.ephemeralContainers']);
  const sub = podStrategy.subresourceUpdates!.ephemeralcontainers;
  const check = (next: KubeObject, old: KubeObject) => {
    const n = structuredClone(next);
    sub.prepare(n, old);
    return [n, (sub.validate?.(n, old) ?? []).map((e) => `${e.type} ${e.field}`)] as const;
  };
  const [added, ok] = check({ ...withEph([debug]), metadata: { ...base.metadata, labels: { sneaky: 'x' } } } as unknown as KubeObject, base as unknown as KubeObject);
  assert.deepEqual(ok, []);
  assert.equal(added.metadata.labels, undefined, 'only ephemeral containers change through the subresource');
  assert.deepEqual(check(withEph([{ ...debug, image: 'other' }]), withEph([debug]))[1], ['Forbidden spec.ephemeralContainers']);
  assert.deepEqual(check(withEph([]), withEph([debug]))[1], ['Forbidden spec.ephemeralContainers']);
  assert.deepEqual(check(withEph([{ ...debug, targetContainerName: 'nope' }]), base as unknown as KubeObject)[1], ['NotFound spec.ephemeralContainers[0].targetContainerName']);
  assert.deepEqual(check(withEph([{ ...debug, name: 'app' }]), base as unknown as KubeObject)[1], ['Duplicate spec.ephemeralContainers[0].name']);
  assert.deepEqual(check(withEph([{ ...debug, ports: [{ containerPort: 80 }] }]), base as unknown as KubeObject)[1], ['Forbidden spec.ephemeralContainers[0].ports']);
});

test('hostNetwork: container ports default to host ports, and a different host port is invalid', () => {
  const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'h' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 8080 }] }] } } as unknown as KubeObject;
  podStrategy.prepareForCreate(p);
  assert.equal((p as unknown as Pod).spec!.containers[0].ports![0].hostPort, 8080);
  (p as unknown as Pod).spec!.containers[0].ports![0].hostPort = 9090;
  assert.deepEqual(podStrategy.validate(p).map((e) => `${e.type} ${e.field}`), ['Invalid spec.containers[0].ports[0].hostPort']);
});
