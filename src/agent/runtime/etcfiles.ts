// The per-pod /etc/hosts, /etc/resolv.conf and /etc/hostname, written once per sandbox and
// bind-mounted into every container of the pod, in the kubelet's format.
import type { SandboxSpec } from './specs.js';

export function hostsFile(ip: string, hostname: string, aliases: SandboxSpec['hostAliases'] = []): string {
  let text = '# Kubernetes-managed hosts file.\n'
    + '127.0.0.1\tlocalhost\n'
    + '::1\tlocalhost ip6-localhost ip6-loopback\n'
    + 'fe00::0\tip6-localnet\n'
    + 'fe00::0\tip6-mcastprefix\n'
    + 'fe00::1\tip6-allnodes\n'
    + 'fe00::2\tip6-allrouters\n'
    + `${ip}\t${hostname}\n`;
  if (aliases.length) {
    text += '\n# Entries added by HostAliases.\n';
    for (const a of aliases) text += `${a.ip}\t${a.hostnames.join('\t')}\n`;
  }
  return text;
}

export function resolvConf(servers: string[] = [], searches: string[] = []): string {
  const lines = servers.map((s) => `nameserver ${s}`);
  if (searches.length) lines.push(`search ${searches.join(' ')}`, 'options ndots:5');
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}
