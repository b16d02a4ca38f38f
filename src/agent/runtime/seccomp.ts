// The RuntimeDefault seccomp profile. Docker's and containerd's defaults are allow-lists of some
// 350 system calls; this is the same boundary written the other way round: everything is allowed
// except the calls those profiles refuse (Docker's "significant syscalls blocked by the default
// profile"), so nothing a normal program uses goes missing. As in Docker's profile, the calls a
// capability makes legitimate stay allowed when the container holds that capability, and clone
// may not create namespaces (clone3, whose flags seccomp cannot see, reports ENOSYS so libc falls
// back to clone).
const EPERM = 1;
const ENOSYS = 38;

/** Refused unless the container holds the capability named. */
const BY_CAPABILITY: Record<string, string[]> = {
  CAP_SYS_ADMIN: ['mount', 'umount', 'umount2', 'unshare', 'setns', 'pivot_root', 'name_to_handle_at', 'quotactl', 'lookup_dcookie', 'perf_event_open', 'bpf', 'fanotify_init', 'open_by_handle_at'],
  CAP_SYS_PTRACE: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp'],
  CAP_SYS_MODULE: ['init_module', 'finit_module', 'delete_module'],
  CAP_SYS_BOOT: ['reboot', 'kexec_load', 'kexec_file_load'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_adjtime', 'adjtimex'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_NICE: ['get_mempolicy', 'set_mempolicy', 'mbind', 'move_pages'],
  CAP_SYSLOG: ['syslog'],
};

/** Refused always (obsolete, or the kernel's keyring and userfaultfd, which Docker's profile leaves out). */
const ALWAYS = ['add_key', 'keyctl', 'request_key', 'userfaultfd', 'create_module', 'get_kernel_syms', 'query_module', 'nfsservctl', 'uselib', 'ustat', 'sysfs', '_sysctl', 'vm86', 'vm86old', 'swapon', 'swapoff'];

/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
const CLONE_NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

interface SeccompRule { names: string[]; action: string; errnoRet?: number; args?: { index: number; value: number; valueTwo: number; op: string }[] }
export interface OciSeccomp { defaultAction: string; architectures: string[]; syscalls: SeccompRule[] }

const ARCHITECTURES: Record<string, string[]> = { x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'] };

export function runtimeDefaultSeccomp(capabilities: string[], arch = process.arch): OciSeccomp {
  const held = new Set(capabilities);
  const refused = [...ALWAYS, ...Object.entries(BY_CAPABILITY).filter(([cap]) => !held.has(cap)).flatMap(([, calls]) => calls)];
  const syscalls: SeccompRule[] = [{ names: refused.sort(), action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }];
  if (!held.has('CAP_SYS_ADMIN')) {
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
    // s390 swaps clone's first two arguments; elsewhere the flags are argument 0.
    for (const flag of CLONE_NAMESPACE_FLAGS) syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }] });
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: ARCHITECTURES[arch] ?? [], syscalls };
}
