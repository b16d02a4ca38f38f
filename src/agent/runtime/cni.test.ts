import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podIP, podPlugins, type PodNetwork } from './cni.js';

const net: PodNetwork = { name: 'tinykube', bridge: 'tk0', subnet: '10.42.0.0/24', gateway: '10.42.0.1', ipamDir: '/s/ipam', binDir: '/usr/lib/cni' };

test('bridge with host-local IPAM, no masquerade; portmap only for hostPorts', () => {
  const [bridge, ...rest] = podPlugins(net, []);
  assert.deepEqual(rest, []);
  assert.equal(bridge.type, 'bridge');
  assert.equal(bridge.bridge, 'tk0');
  assert.equal(bridge.ipMasq, false);
  assert.equal(bridge.isGateway, true);
  assert.deepEqual(bridge.ipam, { type: 'host-local', dataDir: '/s/ipam', ranges: [[{ subnet: '10.42.0.0/24', gateway: '10.42.0.1' }]], routes: [{ dst: '0.0.0.0/0' }] });
  const chain = podPlugins(net, [{ containerPort: 8080, hostPort: 30080, protocol: 'TCP' }]);
  assert.deepEqual(chain.map((p) => p.type), ['bridge', 'portmap']);
  assert.deepEqual(chain[1].runtimeConfig, { portMappings: [{ hostPort: 30080, containerPort: 8080, protocol: 'tcp' }] });
});

test('pod IP from a CNI result', () => {
  assert.equal(podIP({ cniVersion: '1.0.0', ips: [{ address: '10.42.0.5/24', gateway: '10.42.0.1', interface: 2 }] }), '10.42.0.5');
  assert.throws(() => podIP({ cniVersion: '1.0.0' }), /no IP address/);
});
