// A container's securityContext (with the pod's) as the runtime needs it: the user to run as (the
// image's USER resolved in the image's own /etc/passwd and /etc/group, as runc/containerd do,
// unless runAsUser/runAsGroup say otherwise), the runAsNonRoot check with the kubelet's messages,
// capabilities added and dropped, allowPrivilegeEscalation, a read-only root filesystem, and the
// pod's sysctls (only the kubelet's default "safe" set is allowed), and the seccomp profile
// (RuntimeDefault; Localhost profiles are not supported and say so).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerSpec } from './runtime/index.js';

export class SecurityContextError extends Error {}

/** The kubelet's default allowlist of namespaced sysctls (pkg/kubelet/sysctl/safe_sysctls.go). */
export const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);

interface PasswdEntry { name: string; uid: number; gid: number }
interface GroupEntry { name: string; gid: number; members: string[] }

/** The file at `path` (e.g. etc/passwd) in the topmost layer that has it, bottom → top order given. */
function layerFile(layers: string[], path: string): string | undefined {
  const parts = path.split('/');
  const whiteout = join(...parts.slice(0, -1), `.wh.${parts[parts.length - 1]}`);
  for (let i = layers.length - 1; i >= 0; i--) {
    if (existsSync(join(layers[i], whiteout))) return undefined;
    const f = join(layers[i], path);
    if (existsSync(f)) {
      try { return readFileSync(f, 'utf8'); } catch { return undefined; }
    }
  }
  return undefined;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').map((l) => l.split(':')).filter((f) => f.length >= 4 && /^\d+$/.test(f[2]) && /^\d+$/.test(f[3]))
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]) }));
}

export function parseGroup(text: string): GroupEntry[] {
  return text.split('\n').map((l) => l.split(':')).filter((f) => f.length >= 3 && /^\d+$/.test(f[2]))
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

/** Docker's USER forms (`name`, `uid`, `name:group`, `uid:gid`, …) against the image's passwd and group files. */
export function resolveUser(user: string, passwd: PasswdEntry[], groups: GroupEntry[]): { uid: number; gid: number; additionalGids: number[] } {
  const [u, g] = user.split(':', 2);
  const entry = /^\d+$/.test(u) ? passwd.find((p) => p.uid === Number(u)) : passwd.find((p) => p.name === u);
  if (!entry && !/^\d+$/.test(u)) throw new SecurityContextError(`unable to find user ${u}: no matching entries in passwd file`);
  const uid = entry?.uid ?? Number(u);
  let gid = entry?.gid ?? 0;
  if (g !== undefined && g !== '') {
    const group = /^\d+$/.test(g) ? { gid: Number(g) } : groups.find((x) => x.name === g);
    if (!group) throw new SecurityContextError(`unable to find group ${g}: no matching entries in group file`);
    gid = group.gid;
  }
  const additionalGids = entry ? groups.filter((x) => x.members.includes(entry.name) && x.gid !== gid).map((x) => x.gid) : [];
  return { uid, gid, additionalGids };
}

const podRef = (pod: Pod): string => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** The runtime's view of the container's security settings; throws SecurityContextError for what the kubelet refuses. */
export function securitySpec(pod: Pod, c: Container, layers: string[], imageUser: string | undefined): Pick<ContainerSpec, 'user' | 'capAdd' | 'capDrop' | 'noNewPrivileges' | 'readOnlyRootfs' | 'sysctls' | 'seccomp'> {
  const podSec = pod.spec?.securityContext ?? {};
  const sec = c.securityContext ?? {};
  const runAsUser = sec.runAsUser ?? podSec.runAsUser;
  const runAsGroup = sec.runAsGroup ?? podSec.runAsGroup;
  const runAsNonRoot = sec.runAsNonRoot ?? podSec.runAsNonRoot;
  const passwd = () => parsePasswd(layerFile(layers, 'etc/passwd') ?? '');
  const groups = () => parseGroup(layerFile(layers, 'etc/group') ?? '');
  const image = imageUser?.trim() || undefined;

  if (runAsNonRoot) {
    if (runAsUser === 0) throw new SecurityContextError(`container's runAsUser breaks non-root policy (pod: "${podRef(pod)}", container: ${c.name})`);
    if (runAsUser === undefined) {
      const u = image?.split(':')[0];
      if (u !== undefined && !/^\d+$/.test(u)) throw new SecurityContextError(`container has runAsNonRoot and image has non-numeric user (${u}), cannot verify user is non-root (pod: "${podRef(pod)}", container: ${c.name})`);
      if (u === undefined || Number(u) === 0) throw new SecurityContextError(`container has runAsNonRoot and image will run as root (pod: "${podRef(pod)}", container: ${c.name})`);
    }
  }

  let user: ContainerSpec['user'];
  if (runAsUser !== undefined) {
    const entry = passwd().find((p) => p.uid === runAsUser);
    user = { uid: runAsUser, gid: runAsGroup ?? entry?.gid ?? 0, additionalGids: [] };
  } else if (image) {
    user = resolveUser(image, passwd(), groups());
    if (runAsGroup !== undefined) user.gid = runAsGroup;
  } else if (runAsGroup !== undefined) {
    user = { uid: 0, gid: runAsGroup, additionalGids: [] };
  }
  const extraGids = [...(podSec.supplementalGroups ?? []), ...(podSec.fsGroup !== undefined ? [podSec.fsGroup] : [])];
  if (extraGids.length) {
    user ??= { uid: 0, gid: 0, additionalGids: [] };
    user.additionalGids = [...new Set([...(user.additionalGids ?? []), ...extraGids])];
  }

  const sysctls: Record<string, string> = {};
  for (const s of podSec.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(s.name)) throw new SecurityContextError(`forbidden sysctl: "${s.name}" not allowlisted`);
    sysctls[s.name] = s.value;
  }
  const seccomp = sec.seccompProfile ?? podSec.seccompProfile;
  if (seccomp?.type === 'Localhost') throw new SecurityContextError(`localhost seccomp profiles are not supported by this node (${seccomp.localhostProfile ?? ''})`);
  const capName = (n: string) => (n.toUpperCase() === 'ALL' ? 'ALL' : `CAP_${n.toUpperCase().replace(/^CAP_/, '')}`);
  return {
    ...(user ? { user } : {}),
    capAdd: (sec.capabilities?.add ?? []).map(capName),
    capDrop: (sec.capabilities?.drop ?? []).map(capName),
    noNewPrivileges: sec.allowPrivilegeEscalation === false && !sec.privileged,
    readOnlyRootfs: !!sec.readOnlyRootFilesystem,
    ...(Object.keys(sysctls).length ? { sysctls } : {}),
    // The kubelet runs privileged containers unconfined whatever the profile says.
    ...(seccomp?.type === 'RuntimeDefault' && !sec.privileged ? { seccomp: 'RuntimeDefault' as const } : {}),
  };
}
