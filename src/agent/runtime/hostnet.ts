// Node-level network objects: pod network namespaces, the bridge, and the `unreachable` route for
// the whole cluster CIDR, which keeps a packet for a pod IP that does not exist on this node from
// leaving through the default route (the bridge's own, more specific route still wins).
import { readFile, writeFile } from 'node:fs/promises';
import { cidrContains, parseCidr } from '../../api/ipv4.js';
import { CommandError, run } from './run.js';
import { which } from './tools.js';

const ROUTE_METRIC = '4000';
export const NETNS_DIR = '/var/run/netns';

const missing = (e: unknown): boolean => e instanceof CommandError && /No such file|Cannot find device|No such process/i.test(e.stderr);

async function ignoringMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!missing(e)) throw e;
  }
}

export async function addNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'add', name]);
}

export const deleteNetns = (name: string): Promise<void> => ignoringMissing(run('ip', ['netns', 'del', name]));
export const deleteLink = (name: string): Promise<void> => ignoringMissing(run('ip', ['link', 'del', name]));

async function hasUnreachableRoute(cidr: string): Promise<boolean> {
  const routes = JSON.parse(await run('ip', ['-j', 'route', 'show', 'type', 'unreachable'])) as { dst: string }[];
  return routes.some((r) => r.dst === cidr);
}

/** Adds the route unless one for `cidr` exists; true if this call added it (and so owns it). */
export async function ensureUnreachableRoute(cidr: string): Promise<boolean> {
  if (await hasUnreachableRoute(cidr)) return false;
  await run('ip', ['route', 'add', 'unreachable', cidr, 'metric', ROUTE_METRIC]);
  return true;
}

const deleteUnreachableRoute = (cidr: string): Promise<void> => ignoringMissing(run('ip', ['route', 'del', 'unreachable', cidr, 'metric', ROUTE_METRIC]));

/** Whether another network of this host still lives in `cidr`: an address of a link, or a route other than the unreachable one. */
async function rangeInUse(cidr: string): Promise<boolean> {
  const range = parseCidr(cidr);
  const inside = (dst: string | undefined): boolean => {
    if (!dst || dst === 'default') return false;
    try { return cidrContains(range, parseCidr(dst.includes('/') ? dst : `${dst}/32`)); } catch { return false; }
  };
  const addrs = JSON.parse(await run('ip', ['-j', '-4', 'addr', 'show'])) as { addr_info?: { local: string }[] }[];
  if (addrs.some((l) => (l.addr_info ?? []).some((a) => inside(a.local)))) return true;
  const routes = JSON.parse(await run('ip', ['-j', 'route', 'show'])) as { dst?: string; type?: string }[];
  return routes.some((r) => r.type !== 'unreachable' && inside(r.dst));
}

/**
 * Removes the unreachable route this runtime added, unless another tinykube node on this host
 * (same cluster range) still has a network in it: it needs the route as much, and whoever added
 * it first must not take it away from the others.
 */
export async function releaseUnreachableRoute(cidr: string): Promise<void> {
  if (!(await rangeInUse(cidr))) await deleteUnreachableRoute(cidr);
}

/** The nat chains portmap creates on first use and never removes, with the jumps into them. */
const PORTMAP_CHAINS = ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-MASQ'];

/** Splits an `iptables -S` rule into arguments (comments are double-quoted). */
export function ruleArgs(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** Removes portmap's shared chains once no hostPort on this host uses them (DEL leaves them behind). */
export async function removeIdlePortmapChains(): Promise<void> {
  if (!which('iptables')) return;
  const rules = (await run('iptables', ['-t', 'nat', '-S'])).split('\n');
  if (!rules.includes(`-N ${PORTMAP_CHAINS[0]}`) || rules.some((r) => r.startsWith(`-A ${PORTMAP_CHAINS[0]} `))) return;
  const jumps = rules.filter((r) => r.startsWith('-A ') && PORTMAP_CHAINS.some((c) => r.endsWith(` -j ${c}`)) && !PORTMAP_CHAINS.some((c) => r.startsWith(`-A ${c} `)));
  for (const r of jumps) await run('iptables', ['-t', 'nat', ...ruleArgs(r.replace(/^-A /, '-D '))]);
  const present = PORTMAP_CHAINS.filter((c) => rules.includes(`-N ${c}`));
  for (const c of present) await run('iptables', ['-t', 'nat', '-F', c]);
  for (const c of present) await run('iptables', ['-t', 'nat', '-X', c]);
}

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

/** The bridge plugin turns IPv4 forwarding on for its gateway; reset turns it off again if it was. */
export async function ipForwardOn(): Promise<boolean> {
  return (await readFile(IP_FORWARD, 'utf8')).trim() === '1';
}

export async function disableIpForward(): Promise<void> {
  await writeFile(IP_FORWARD, '0');
}

/** A route to another node's pods: its pod CIDR through its address. */
export interface NodeRoute { cidr: string; via: string }

/**
 * True when `ip` is reached by a route of its own (a connected subnet or a host route), not by the
 * default route: pod traffic is only sent to peers reached that way, so a node address that lies
 * beyond the default gateway can never pull pod packets off the machine.
 */
export async function reachableWithoutDefaultRoute(ip: string): Promise<boolean> {
  try {
    const [chosen] = JSON.parse(await run('ip', ['-j', 'route', 'get', ip])) as { dst: string; gateway?: string; dev?: string }[];
    if (!chosen || chosen.dev === 'lo') return false;
    const routes = JSON.parse(await run('ip', ['-j', 'route', 'show', 'default'])) as { gateway?: string; dev?: string }[];
    return !routes.some((d) => d.dev === chosen.dev && d.gateway === chosen.gateway);
  } catch {
    return false;
  }
}

export const replaceNodeRoute = (r: NodeRoute): Promise<string> => run('ip', ['route', 'replace', r.cidr, 'via', r.via]);
export const deleteNodeRoute = (r: NodeRoute): Promise<void> => ignoringMissing(run('ip', ['route', 'del', r.cidr, 'via', r.via]));
