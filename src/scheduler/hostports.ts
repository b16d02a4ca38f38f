// Host ports: which a pod asks for and which are taken on a node. A port bound on 0.0.0.0 (or with
// no hostIP) conflicts with the same port and protocol on any address, as upstream's HostPortInfo.
import type { PodSpec } from 'kubernetes-types/core/v1.js';

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

const ANY_IP = '0.0.0.0';

/** The host ports of the pod's containers and sidecars (restartable init containers), which hold them while the pod runs. */
export function podHostPorts(spec: PodSpec): HostPort[] {
  const out: HostPort[] = [];
  const running = [...(spec.containers ?? []), ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of running) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push({ ip: p.hostIP || ANY_IP, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

/** Host ports in use on one node, counted so that two pods' identical ports can be released one at a time. */
export class UsedPorts {
  /** "protocol/port" → ip → how many pods hold it. */
  private readonly byPort = new Map<string, Map<string, number>>();

  add(ports: readonly HostPort[]): void {
    for (const p of ports) {
      const key = `${p.protocol}/${p.port}`;
      const ips = this.byPort.get(key) ?? new Map<string, number>();
      ips.set(p.ip, (ips.get(p.ip) ?? 0) + 1);
      this.byPort.set(key, ips);
    }
  }

  remove(ports: readonly HostPort[]): void {
    for (const p of ports) {
      const key = `${p.protocol}/${p.port}`;
      const ips = this.byPort.get(key);
      const n = ips?.get(p.ip);
      if (!ips || n === undefined) continue;
      if (n > 1) ips.set(p.ip, n - 1);
      else ips.delete(p.ip);
      if (!ips.size) this.byPort.delete(key);
    }
  }

  conflicts(p: HostPort): boolean {
    const ips = this.byPort.get(`${p.protocol}/${p.port}`);
    if (!ips) return false;
    return p.ip === ANY_IP || ips.has(ANY_IP) || ips.has(p.ip);
  }
}
