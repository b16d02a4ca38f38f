import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod, PodSecurityContext, SecurityContext } from 'kubernetes-types/core/v1.js';
import { parseGroup, parsePasswd, resolveUser, securitySpec } from './securitycontext.js';
import { containerCapabilities, DEFAULT_CAPABILITIES } from './runtime/ocispec.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\nbroken line\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nwheel:x:10:app,other\nvideo:x:44:app\n';

test('USER forms resolve against the image passwd/group, as runc does', () => {
  const p = parsePasswd(PASSWD);
  const g = parseGroup(GROUP);
  assert.deepEqual(resolveUser('app', p, g), { uid: 1000, gid: 1000, additionalGids: [10, 44] });
  assert.deepEqual(resolveUser('1000', p, g), { uid: 1000, gid: 1000, additionalGids: [10, 44] });
  assert.deepEqual(resolveUser('4242', p, g), { uid: 4242, gid: 0, additionalGids: [] });
  assert.deepEqual(resolveUser('nobody:wheel', p, g), { uid: 65534, gid: 10, additionalGids: [] });
  assert.deepEqual(resolveUser('5:7', p, g), { uid: 5, gid: 7, additionalGids: [] });
  assert.throws(() => resolveUser('ghost', p, g), /unable to find user ghost/);
  assert.throws(() => resolveUser('app:ghosts', p, g), /unable to find group ghosts/);
});

function layers(): { dirs: string[]; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'tk-sec-'));
  const lower = join(root, 'l0');
  const upper = join(root, 'l1');
  mkdirSync(join(lower, 'etc'), { recursive: true });
  mkdirSync(join(upper, 'etc'), { recursive: true });
  writeFileSync(join(lower, 'etc/passwd'), 'root:x:0:0::/:/bin/sh\n');
  writeFileSync(join(upper, 'etc/passwd'), PASSWD); // the upper layer's file wins
  writeFileSync(join(lower, 'etc/group'), GROUP);
  return { dirs: [lower, upper], done: () => rmSync(root, { recursive: true, force: true }) };
}

const pod = (podSec: PodSecurityContext = {}): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [], securityContext: podSec } });
const ctr = (sec: SecurityContext = {}): Container => ({ name: 'c', securityContext: sec });

test('precedence: container runAsUser over the pod, over the image USER; groups added', () => {
  const l = layers();
  try {
    assert.deepEqual(securitySpec(pod(), ctr(), l.dirs, 'app').user, { uid: 1000, gid: 1000, additionalGids: [10, 44] });
    assert.equal(securitySpec(pod(), ctr(), l.dirs, undefined).user, undefined, 'root by default');
    assert.deepEqual(securitySpec(pod({ runAsUser: 65534 }), ctr({ runAsUser: 1000 }), l.dirs, 'nobody').user, { uid: 1000, gid: 1000, additionalGids: [] });
    assert.deepEqual(securitySpec(pod({ runAsUser: 7, runAsGroup: 8, supplementalGroups: [100], fsGroup: 200 }), ctr(), l.dirs, 'app').user, { uid: 7, gid: 8, additionalGids: [100, 200] });
  } finally {
    l.done();
  }
});

test('runAsNonRoot: the kubelet\'s three refusals', () => {
  const ref = 'pod: "p_ns(u1)", container: c';
  assert.throws(() => securitySpec(pod({ runAsNonRoot: true }), ctr(), [], undefined), new RegExp(`container has runAsNonRoot and image will run as root \\(${ref.replace(/[()]/g, '\\$&')}\\)`));
  assert.throws(() => securitySpec(pod(), ctr({ runAsNonRoot: true, runAsUser: 0 }), [], 'app'), /container's runAsUser breaks non-root policy/);
  assert.throws(() => securitySpec(pod({ runAsNonRoot: true }), ctr(), [], 'nobody'), /image has non-numeric user \(nobody\), cannot verify user is non-root/);
  assert.equal(securitySpec(pod({ runAsNonRoot: true }), ctr(), [], '1000').user?.uid, 1000);
});

test('capabilities, privilege escalation, read-only root, sysctls', () => {
  const s = securitySpec(pod({ sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65000' }] }), ctr({
    capabilities: { add: ['NET_ADMIN'], drop: ['chown'] }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
  }), [], undefined);
  assert.deepEqual([s.capAdd, s.capDrop, s.noNewPrivileges, s.readOnlyRootfs, s.sysctls], [['CAP_NET_ADMIN'], ['CAP_CHOWN'], true, true, { 'net.ipv4.ip_local_port_range': '1024 65000' }]);
  assert.throws(() => securitySpec(pod({ sysctls: [{ name: 'kernel.msgmax', value: '1' }] }), ctr(), [], undefined), /forbidden sysctl: "kernel.msgmax" not allowlisted/);
  const host = [...DEFAULT_CAPABILITIES, 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'];
  assert.deepEqual(containerCapabilities(false, ['CAP_NET_ADMIN'], ['CAP_CHOWN'], host), [...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN'), 'CAP_NET_ADMIN']);
  assert.deepEqual(containerCapabilities(false, [], ['ALL'], host), []);
  assert.deepEqual(containerCapabilities(false, ['CAP_NET_RAW'], ['ALL'], host), ['CAP_NET_RAW']);
  assert.deepEqual(containerCapabilities(false, ['ALL'], [], host), host);
  assert.deepEqual(containerCapabilities(false, ['CAP_BPF'], [], host), DEFAULT_CAPABILITIES, 'never more than the agent holds');
  assert.deepEqual(containerCapabilities(true, [], ['ALL'], host), host, 'privileged gets everything');
});

test('seccomp: RuntimeDefault from the container or the pod, not for privileged ones; Localhost refused', () => {
  assert.equal(securitySpec(pod({ seccompProfile: { type: 'RuntimeDefault' } }), ctr(), [], undefined).seccomp, 'RuntimeDefault');
  assert.equal(securitySpec(pod({ seccompProfile: { type: 'RuntimeDefault' } }), ctr({ seccompProfile: { type: 'Unconfined' } }), [], undefined).seccomp, undefined);
  assert.equal(securitySpec(pod(), ctr({ privileged: true, seccompProfile: { type: 'RuntimeDefault' } }), [], undefined).seccomp, undefined);
  assert.throws(() => securitySpec(pod(), ctr({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }), [], undefined), /localhost seccomp profiles are not supported/);
});
