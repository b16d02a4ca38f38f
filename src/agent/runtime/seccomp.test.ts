import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeDefaultSeccomp } from './seccomp.js';

test('RuntimeDefault: everything but the refused calls; a held capability lets its calls through', () => {
  const p = runtimeDefaultSeccomp(['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'], 'x64');
  assert.equal(p.defaultAction, 'SCMP_ACT_ALLOW');
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const refused = p.syscalls[0].names;
  for (const call of ['mount', 'unshare', 'setns', 'ptrace', 'init_module', 'reboot', 'keyctl', 'bpf', 'clock_settime']) assert.ok(refused.includes(call), call);
  for (const call of ['read', 'clone', 'execve', 'chown']) assert.ok(!refused.includes(call), call);
  assert.deepEqual(p.syscalls.find((r) => r.names[0] === 'clone3'), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  const userns = p.syscalls.find((r) => r.names[0] === 'clone' && r.args?.[0].value === 0x10000000);
  assert.deepEqual(userns?.args, [{ index: 0, value: 0x10000000, valueTwo: 0x10000000, op: 'SCMP_CMP_MASKED_EQ' }]);

  const admin = runtimeDefaultSeccomp(['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE'], 'x64');
  for (const call of ['mount', 'unshare', 'ptrace']) assert.ok(!admin.syscalls[0].names.includes(call), call);
  assert.ok(!admin.syscalls.some((r) => r.names[0] === 'clone3' || r.names[0] === 'clone'), 'namespaces allowed with CAP_SYS_ADMIN');
  assert.ok(admin.syscalls[0].names.includes('reboot'));
});
