import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNatRules, endpointChain, fixedChains, isOwnChain, savedChains, servicePortChain, type ServicePortRule } from './rules.js';
import { servicePortRules } from './proxier.js';

const web: ServicePortRule = {
  name: 'default/web:', clusterIP: '10.44.0.10', port: 80, protocol: 'TCP',
  endpoints: [{ ip: '10.42.0.3', port: 8080 }, { ip: '10.42.0.2', port: 8080 }, { ip: '10.42.0.4', port: 8080 }],
};

test('chain names carry the instance suffix and fit iptables\' 28 characters', () => {
  const longest = 'abcdefghijklmno'; // a bridge name has at most 15
  for (const c of [...Object.values(fixedChains(longest)), servicePortChain(web, longest), endpointChain(web, web.endpoints[0], longest)]) {
    assert.ok(c.length <= 28, c);
    assert.ok(isOwnChain(c, longest), c);
    assert.ok(!isOwnChain(c, 'mno'), `${c} is not the chain of an instance whose suffix ends the same`);
  }
  assert.ok(!isOwnChain('KUBE-SERVICES', 'tk0'));
  assert.ok(!isOwnChain('TKS-0123abcd-a-tk0', 'tk0'));
  assert.ok(!isOwnChain('CNI-HOSTPORT-DNAT', 'tk0'));
});

test('nat rules: a cluster IP jump, random choice with 1/n probabilities, DNAT, hairpin masquerade', () => {
  const { text, chains } = buildNatRules({ suffix: 'tk0', clusterCidr: '10.42.0.0/16', services: [web] });
  const svc = servicePortChain(web, 'tk0');
  const lines = text.split('\n');
  assert.equal(lines[0], '*nat');
  assert.equal(lines.at(-2), 'COMMIT');
  assert.ok(lines.includes(`:${svc} - [0:0]`));
  assert.ok(lines.includes(`-A TK-SERVICES-tk0 -d 10.44.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web: cluster IP" -j ${svc}`));
  assert.ok(lines.includes(`-A ${svc} ! -s 10.42.0.0/16 -d 10.44.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web: cluster IP" -j TK-MARK-MASQ-tk0`));
  const picks = lines.filter((l) => l.startsWith(`-A ${svc} `) && l.includes('-> '));
  assert.equal(picks.length, 3);
  assert.match(picks[0], /10\.42\.0\.2:8080" -m statistic --mode random --probability 0\.3333333333 -j TKE-/);
  assert.match(picks[1], /10\.42\.0\.3:8080" -m statistic --mode random --probability 0\.5000000000 -j TKE-/);
  assert.doesNotMatch(picks[2], /statistic/);
  const ep = endpointChain(web, { ip: '10.42.0.2', port: 8080 }, 'tk0');
  assert.ok(lines.includes(`-A ${ep} -s 10.42.0.2/32 -m comment --comment "default/web:" -j TK-MARK-MASQ-tk0`));
  assert.ok(lines.includes(`-A ${ep} -p tcp -m comment --comment "default/web:" -m tcp -j DNAT --to-destination 10.42.0.2:8080`));
  assert.ok(lines.includes('-A TK-POSTRTG-tk0 -m mark ! --mark 0x4000/0x4000 -j RETURN'));
  assert.ok(lines.at(-3)!.includes('-j TK-NODEPORTS-tk0'), 'the node port jump comes last');
  assert.equal(chains.length, 4 + 1 + 3);
});

test('node ports, session affinity, services without endpoints, stale chains', () => {
  const np: ServicePortRule = { ...web, name: 'default/np:http', nodePort: 30080, affinitySeconds: 10800, endpoints: [{ ip: '10.42.0.2', port: 8080 }] };
  const empty: ServicePortRule = { ...web, name: 'default/empty:', endpoints: [] };
  const { text, chains } = buildNatRules({ suffix: 'tk0', clusterCidr: '10.42.0.0/16', services: [np, empty], stale: ['TKS-deadbeef-tk0', 'TKS-deadbeef-tk1', 'KUBE-SVC-X'] });
  assert.match(text, /-A TK-NODEPORTS-tk0 -p tcp -m tcp --dport 30080 -m comment --comment "default\/np:http" -j TK-MARK-MASQ-tk0/);
  assert.match(text, /--rcheck --seconds 10800 --reap/);
  assert.ok(!text.includes('default/empty'), 'no endpoints: no rules (the unreachable route answers)');
  assert.match(text, /^:TKS-deadbeef-tk0 - \[0:0\]$/m);
  assert.match(text, /^-X TKS-deadbeef-tk0$/m);
  assert.ok(!text.includes('tk1') && !text.includes('KUBE-SVC-X'), 'only own chains are ever removed');
  assert.ok(!chains.includes('TKS-deadbeef-tk0'));
});

test('iptables-save chain lines', () => {
  assert.deepEqual(savedChains('*nat\n:PREROUTING ACCEPT [0:0]\n:TK-SERVICES-tk0 - [0:0]\n-A PREROUTING -j X\nCOMMIT\n'), ['PREROUTING', 'TK-SERVICES-tk0']);
});

test('service ports get their ready endpoints from the slices, matched by port name and protocol', () => {
  const services = [{
    metadata: { name: 'web', namespace: 'default' },
    spec: { clusterIP: '10.44.0.10', type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] },
  }, { metadata: { name: 'hl', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
  { metadata: { name: 'out', namespace: 'default' }, spec: { clusterIP: '10.99.0.1', ports: [{ port: 80 }] } }];
  const slices = [{
    metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }],
    endpoints: [{ addresses: ['10.42.0.2'], conditions: { ready: true } }, { addresses: ['10.42.0.3'], conditions: { ready: false } }, { addresses: ['10.42.0.4'], conditions: {} }],
  }, { metadata: { name: 'other', namespace: 'kube-system', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', ports: [{ name: 'http', port: 1, protocol: 'TCP' }], endpoints: [{ addresses: ['10.42.0.9'] }] }];
  const inRange = (ip: string) => ip.startsWith('10.44.');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const rules = servicePortRules(services as any, slices as any, inRange);
  assert.deepEqual(rules.map((r) => [r.name, r.protocol, r.endpoints.map((e) => `${e.ip}:${e.port}`)]), [
    ['default/web:http', 'TCP', ['10.42.0.2:8080', '10.42.0.4:8080']],
    ['default/web:dns', 'UDP', ['10.42.0.2:5353', '10.42.0.4:5353']],
  ]);
});
