import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podHostPorts, UsedPorts } from './hostports.js';

test('only ports with a hostPort count, with defaults for ip and protocol', () => {
  const ports = podHostPorts({
    containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }],
    initContainers: [
      { name: 'sidecar', restartPolicy: 'Always', ports: [{ containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' }] },
      { name: 'init', ports: [{ containerPort: 9, hostPort: 9 }] },
    ],
  });
  assert.deepEqual(ports, [{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }, { ip: '10.0.0.1', protocol: 'UDP', port: 53 }]);
});

test('0.0.0.0 conflicts with every address; distinct addresses and protocols do not conflict', () => {
  const used = new UsedPorts();
  used.add([{ ip: '10.0.0.1', protocol: 'TCP', port: 80 }]);
  assert.equal(used.conflicts({ ip: '10.0.0.1', protocol: 'TCP', port: 80 }), true);
  assert.equal(used.conflicts({ ip: '0.0.0.0', protocol: 'TCP', port: 80 }), true);
  assert.equal(used.conflicts({ ip: '10.0.0.2', protocol: 'TCP', port: 80 }), false);
  assert.equal(used.conflicts({ ip: '10.0.0.1', protocol: 'UDP', port: 80 }), false);
  used.add([{ ip: '0.0.0.0', protocol: 'UDP', port: 53 }]);
  assert.equal(used.conflicts({ ip: '10.0.0.9', protocol: 'UDP', port: 53 }), true);
});

test('a port held twice stays taken until both holders release it', () => {
  const used = new UsedPorts();
  const p = { ip: '0.0.0.0', protocol: 'TCP', port: 80 };
  used.add([p]);
  used.add([p]);
  used.remove([p]);
  assert.equal(used.conflicts(p), true);
  used.remove([p]);
  assert.equal(used.conflicts(p), false);
});
