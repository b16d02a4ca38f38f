import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResponse, parseAnswers, parseQuery, RCODE, TYPE } from './message.js';
import { resolve } from './resolver.js';
import { podDns } from './server.js';

/** A query as a stub resolver sends it (RD set). */
function query(name: string, type: number, id = 0x1234): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 255, 0, 1])]);
}

const services = [
  { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.43.0.10', type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
  { metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', type: 'ClusterIP', ports: [{ port: 5432 }] } },
  { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.org' } },
];
const slices = [{
  metadata: { namespace: 'default', labels: { 'kubernetes.io/service-name': 'db' } }, addressType: 'IPv4',
  endpoints: [{ addresses: ['10.42.0.7'], hostname: 'db-0', conditions: { ready: true } }, { addresses: ['10.42.0.5'], conditions: { ready: true } }, { addresses: ['10.42.0.6'], conditions: { ready: false } }],
}];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const r = (name: string, type: number) => resolve(name, type, services as any, slices as any);

test('service names: A to the cluster IP, headless to the ready endpoints, ExternalName as CNAME, SRV for named ports', () => {
  assert.deepEqual(r('web.default.svc.cluster.local', TYPE.A).answers, [{ name: 'web.default.svc.cluster.local', type: 'A', ttl: 5, ip: '10.43.0.10' }]);
  assert.deepEqual(r('DB.default.svc.cluster.local.', TYPE.A).answers.map((a) => (a as { ip: string }).ip), ['10.42.0.5', '10.42.0.7']);
  assert.deepEqual(r('db-0.db.default.svc.cluster.local', TYPE.A).answers.map((a) => (a as { ip: string }).ip), ['10.42.0.7']);
  assert.equal(r('ext.default.svc.cluster.local', TYPE.A).answers[0].type, 'CNAME');
  assert.deepEqual(r('_http._tcp.web.default.svc.cluster.local', TYPE.SRV).answers, [{ name: '_http._tcp.web.default.svc.cluster.local', type: 'SRV', ttl: 5, priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  assert.deepEqual(r('10-42-0-9.default.pod.cluster.local', TYPE.A).answers.map((a) => (a as { ip: string }).ip), ['10.42.0.9']);
});

test('NODATA for other types of existing names, NXDOMAIN for the rest of the domain, REFUSED outside', () => {
  assert.deepEqual(r('web.default.svc.cluster.local', TYPE.AAAA), { rcode: RCODE.NOERROR, answers: [] });
  assert.equal(r('default.svc.cluster.local', TYPE.A).rcode, RCODE.NOERROR);
  assert.equal(r('nothere.default.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
  assert.equal(r('web.other.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
  assert.equal(r('web.default.svc.cluster.local.default.svc.cluster.local', TYPE.A).rcode, RCODE.NXDOMAIN);
  assert.deepEqual(r('example.com', TYPE.A), { rcode: RCODE.REFUSED, answers: [], outside: true });
});

test('wire format: the query parsed, the answer encoded with the question echoed', () => {
  const q = parseQuery(query('web.default.svc.cluster.local', TYPE.A));
  assert.equal(q.id, 0x1234);
  assert.deepEqual(q.question, { name: 'web.default.svc.cluster.local', type: TYPE.A, class: 1 });
  const resp = buildResponse(q, RCODE.NOERROR, r(q.question.name, q.question.type).answers);
  assert.equal(resp.readUInt16BE(0), 0x1234);
  assert.equal(resp.readUInt16BE(2) & 0x8000, 0x8000, 'QR');
  assert.equal(resp.readUInt16BE(2) & 0x0100, 0x0100, 'RD copied');
  assert.deepEqual(parseAnswers(resp), { rcode: 0, answers: [{ name: 'web.default.svc.cluster.local', type: TYPE.A, data: '10.43.0.10' }] });
  const srv = parseQuery(query('_http._tcp.web.default.svc.cluster.local', TYPE.SRV));
  assert.deepEqual(parseAnswers(buildResponse(srv, 0, r(srv.question.name, srv.question.type).answers)).answers[0].data, '0 100 80 web.default.svc.cluster.local');
  assert.throws(() => parseQuery(Buffer.from([1, 2, 3])));
});

test('pods\' resolv.conf as the kubelet writes it: ClusterFirst gets the cluster search list', () => {
  const node = { servers: ['10.42.0.1'], searches: [], clusterDomain: 'cluster.local' };
  assert.deepEqual(podDns({}, 'shop', node), { servers: ['10.42.0.1'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] });
  assert.deepEqual(podDns({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'] } }, 'shop', node), { servers: ['1.1.1.1'], searches: ['a.b'] });
  assert.deepEqual(podDns({ dnsPolicy: 'Default' }, 'shop', node), { servers: [], searches: [] });
  assert.deepEqual(podDns({ hostNetwork: true }, 'shop', node), { servers: [], searches: [] });
  assert.deepEqual(podDns({ dnsConfig: { searches: ['x.y'] } }, 'shop', node).searches, ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'x.y']);
  // Without cluster DNS: the node's settings as before.
  assert.deepEqual(podDns({}, 'shop', { servers: [], searches: [] }), { servers: [], searches: [] });
});
