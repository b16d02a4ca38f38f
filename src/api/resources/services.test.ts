import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, fieldErrorString } from '../errors.js';
import type { KubeObject } from '../strategy.js';
import { DEFAULT_ALLOCATION_CONFIG } from '../../apiserver/registry.js';
import { defaultService, portsText, serviceStrategy, validateService, type ServiceObj } from './services.js';

const svc = (spec: object, name = 'web'): ServiceObj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: name }, spec } as unknown as ServiceObj);
const created = (spec: object, name = 'web'): ServiceObj => {
  const s = svc(spec, name);
  serviceStrategy.prepareForCreate(s);
  return s;
};
const errors = (s: KubeObject): string[] => validateService(s).map(fieldErrorString);

test('defaults as upstream: type, sessionAffinity, protocol, targetPort, IP families', () => {
  const s = created({ selector: { app: 'web' }, ports: [{ port: 80 }] });
  assert.deepEqual(s.spec, {
    selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
  });
  const np = created({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }], sessionAffinity: 'ClientIP' });
  assert.equal(np.spec!.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec!.ports![0].targetPort, 'http');
  assert.equal(np.spec!.sessionAffinityConfig!.clientIP!.timeoutSeconds, 10800);
  const hl = svc({ clusterIP: 'None' });
  defaultService(hl);
  assert.deepEqual(hl.spec!.clusterIPs, ['None']);
});

test('validation messages as upstream', () => {
  assert.deepEqual(errors(created({ ports: [] })), ['spec.ports: Required value']);
  assert.deepEqual(errors(created({ ports: [{ port: 80 }, { port: 81 }] })), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  // targetPort defaults to port, so a port of 0 makes both invalid (as upstream).
  assert.deepEqual(errors(created({ ports: [{ port: 0 }] })), [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(errors(created({ ports: [{ port: 80, protocol: 'ICMP' }] })), ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']);
  assert.deepEqual(errors(created({ type: 'Magic', ports: [{ port: 80 }] })), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
  assert.deepEqual(errors(created({ ports: [{ port: 80, nodePort: 30080 }] })), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  assert.deepEqual(errors(created({ clusterIP: 'foo', ports: [{ port: 80 }] })), ["spec.clusterIPs[0]: Invalid value: \"foo\": must be empty, 'None', or a valid IP address"]);
  assert.deepEqual(errors(created({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] })), ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]);
  assert.match(errors(created({ ports: [{ port: 80 }] }, '1web'))[0], /^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
  assert.deepEqual(errors(created({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] })), ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}']);
  // Headless needs no ports.
  assert.deepEqual(errors(created({ clusterIP: 'None', selector: { app: 'x' } })), []);
});

test('the table: TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S) as kubectl prints them', () => {
  assert.equal(portsText([{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP', nodePort: 30053 }]), '80/TCP,53:30053/UDP');
  assert.equal(portsText([]), '<none>');
  const s = created({ clusterIP: '10.43.0.10', type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31000 }], selector: { b: '2', a: '1' } });
  const cells = serviceStrategy.table.cells(s, Date.now());
  assert.deepEqual(cells.slice(0, 5), ['web', 'LoadBalancer', '10.43.0.10', '<pending>', '80:31000/TCP']);
  assert.equal(cells[6], 'a=1,b=2');
});

test('allocation: a cluster IP and node ports from the configured ranges; conflicts are Invalid', () => {
  const alloc = serviceStrategy.allocator!({ ...DEFAULT_ALLOCATION_CONFIG, serviceCidr: '10.44.9.0/24' });
  const stored: KubeObject[] = [];
  const a = created({ type: 'NodePort', ports: [{ port: 80, name: 't' }, { port: 80, protocol: 'UDP', name: 'u' }] }, 'a');
  alloc.allocate(a, undefined, () => stored, false);
  assert.match(a.spec!.clusterIP!, /^10\.44\.9\.\d+$/);
  assert.deepEqual(a.spec!.clusterIPs, [a.spec!.clusterIP]);
  const np = a.spec!.ports![0].nodePort!;
  assert.ok(np >= 30000 && np <= 32767);
  assert.equal(a.spec!.ports![1].nodePort, np, 'TCP and UDP of the same port share the node port');
  stored.push(a);
  const b = created({ type: 'NodePort', clusterIP: a.spec!.clusterIP, ports: [{ port: 80, nodePort: np }] }, 'b');
  assert.throws(() => alloc.allocate(b, undefined, () => stored, false), (e: ApiError) => e.code === 422
    && e.message === `Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"${a.spec!.clusterIP}"}: failed to allocate IP ${a.spec!.clusterIP}: provided IP is already allocated`);
  const c = created({ type: 'NodePort', ports: [{ port: 80, nodePort: np }] }, 'c');
  assert.throws(() => alloc.allocate(c, undefined, () => stored, false), (e: ApiError) => e.message === `Service "c" is invalid: spec.ports[0].nodePort: Invalid value: ${np}: provided port is already allocated`);
  // An update keeps what the service has; leaving NodePort drops the node ports.
  const upd = svc({ ...structuredClone(a.spec), clusterIP: undefined, clusterIPs: undefined, ports: [{ name: 't', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'u', port: 80, protocol: 'UDP', targetPort: 80 }] }, 'a');
  serviceStrategy.prepareForUpdate(upd, a);
  assert.equal(upd.spec!.clusterIP, a.spec!.clusterIP);
  assert.equal(upd.spec!.ports![0].nodePort, np);
  alloc.allocate(upd, a, () => stored, false);
  const toClusterIP = svc({ ...structuredClone(a.spec), type: 'ClusterIP' }, 'a');
  serviceStrategy.prepareForUpdate(toClusterIP, a);
  assert.deepEqual(serviceStrategy.validateUpdate(toClusterIP, a), []);
  assert.ok(toClusterIP.spec!.ports!.every((p) => !p.nodePort) && !toClusterIP.spec!.externalTrafficPolicy);
  // The cluster IP may not change.
  const moved = svc({ ...structuredClone(a.spec), clusterIP: '10.44.9.3' }, 'a');
  serviceStrategy.prepareForUpdate(moved, a);
  assert.deepEqual(serviceStrategy.validateUpdate(moved, a).map(fieldErrorString), ['spec.clusterIPs[0]: Invalid value: []string{"10.44.9.3"}: may not change once set']);
  // A headless service gets no address, an ExternalName one neither.
  const hl = created({ clusterIP: 'None', selector: { app: 'x' } }, 'hl');
  alloc.allocate(hl, undefined, () => stored, false);
  assert.equal(hl.spec!.clusterIP, 'None');
});

test('through the registry: allocations survive a restart (derived from stored services); a failed create gives its address back', async () => {
  const { SqliteStore } = await import('../../storage/sqlite.js');
  const { Registry } = await import('../../apiserver/registry.js');
  const store = new SqliteStore(':memory:');
  const config = { serviceCidr: '10.44.7.0/29', nodePortRange: [30000, 30001] as [number, number] }; // 6 usable addresses
  const first = new Registry(store, serviceStrategy, () => {}, config);
  await first.start();
  const mk = (name: string, spec: object = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });
  const ips = new Set<string>();
  for (const n of ['a', 'b', 'c']) ips.add(((await first.create('default', mk(n))).obj as ServiceObj).spec!.clusterIP!);
  assert.equal(ips.size, 3);
  // A name that exists: the create fails and its reservation is released.
  await assert.rejects(first.create('default', mk('a')), (e: ApiError) => e.code === 409);
  // A dry run allocates without reserving.
  await first.create('default', mk('dry'), { dryRun: true });
  first.cache.stop();
  // "Restart": a new registry (new allocator) over the same store knows what is taken.
  const second = new Registry(store, serviceStrategy, () => {}, config);
  await second.start();
  for (const n of ['d', 'e', 'f']) ips.add(((await second.create('default', mk(n))).obj as ServiceObj).spec!.clusterIP!);
  assert.equal(ips.size, 6, 'six different addresses: all of the /29');
  await assert.rejects(second.create('default', mk('g')), (e: ApiError) => e.code === 500 && /failed to allocate a serviceIP: range is full/.test(e.message));
  // Deleting a service frees its address (nothing to release: the stored services are the truth).
  await second.delete('default', 'a');
  assert.ok(((await second.create('default', mk('g'))).obj as ServiceObj).spec!.clusterIP);
  second.cache.stop();
  await store.close();
});
