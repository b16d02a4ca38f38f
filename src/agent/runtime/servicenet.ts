// Host network objects of the service proxy: this node instance's nat chains (named with its
// suffix, see src/agent/proxy/rules.ts), the jumps into them from the built-in chains, and a host
// route per cluster IP that has endpoints, through the pod bridge. The service CIDR as a whole has
// an `unreachable` route (added by the runtime, like the cluster CIDR's): a packet for a cluster IP
// without rules is refused here and never leaves through the default route. The per-IP routes are
// needed because the host's own connections look the route up before the nat OUTPUT chain runs:
// with only the unreachable route, connect() to a cluster IP fails before DNAT. Through the bridge,
// a cluster IP whose rules are gone still cannot leave the machine (nobody answers ARP for it).
// Nothing here touches a chain, rule or route this instance did not make.
import { entryComment, entryJumps, isOwnChain, savedChains } from '../proxy/rules.js';
import { ruleArgs } from './hostnet.js';
import { CommandError, run } from './run.js';
import { which } from './tools.js';

const LOCK_WAIT = ['-w', '10'];

export const iptablesAvailable = (): boolean => !!which('iptables') && !!which('iptables-restore') && !!which('iptables-save');

/** The chains of the nat table now. */
export async function natChains(): Promise<string[]> {
  return savedChains(await run('iptables-save', ['-t', 'nat']));
}

/** Applies iptables-restore input without flushing anything else (only the chains it declares). */
export async function restoreNat(text: string): Promise<void> {
  await run('iptables-restore', [...LOCK_WAIT, '--noflush'], { input: text });
}

/** The jumps from PREROUTING / OUTPUT / POSTROUTING into this instance's chains, added once, first. */
export async function ensureEntryJumps(suffix: string): Promise<void> {
  for (const [chain, target] of entryJumps(suffix)) {
    const rule = ['-m', 'comment', '--comment', entryComment(suffix), '-j', target];
    try {
      await run('iptables', [...LOCK_WAIT, '-t', 'nat', '-C', chain, ...rule]);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      await run('iptables', [...LOCK_WAIT, '-t', 'nat', '-I', chain, '1', ...rule]);
    }
  }
}

/** Removes this instance's jumps and chains (`tinykube reset`); other chains and rules stay. */
export async function removeServiceChains(suffix: string): Promise<void> {
  if (!iptablesAvailable()) return;
  const rules = (await run('iptables', [...LOCK_WAIT, '-t', 'nat', '-S'])).split('\n');
  for (const rule of rules) {
    const args = ruleArgs(rule);
    if (args[0] !== '-A' || isOwnChain(args[1], suffix)) continue;
    const j = args.indexOf('-j');
    if (j > 0 && isOwnChain(args[j + 1], suffix)) await run('iptables', [...LOCK_WAIT, '-t', 'nat', '-D', ...args.slice(1)]).catch(() => {});
  }
  const own = (await natChains()).filter((c) => isOwnChain(c, suffix));
  if (!own.length) return;
  await restoreNat(['*nat', ...own.map((c) => `:${c} - [0:0]`), ...own.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n'));
}

/** Whether a network device exists. */
async function linkExists(dev: string): Promise<boolean> {
  try {
    await run('ip', ['link', 'show', dev]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Host routes `<ip>/32 dev <bridge>` for `ips` (all inside the service CIDR, checked by the
 * caller); those of other addresses of the range on this bridge go. A cluster IP that already has a
 * route (another instance on this machine with the same service range) is left as it is: the route
 * only gets the host's connect() past the unreachable route, the DNAT decides where the packet
 * goes. Without the bridge (no pod on this node yet) there is nothing to route through, and the
 * unreachable route stays in charge.
 */
export async function syncServiceRoutes(bridge: string, inRange: (ip: string) => boolean, ips: string[]): Promise<void> {
  if (!(await linkExists(bridge))) return;
  const hostRoutes = (routes: { dst: string }[]) => routes.map((r) => r.dst).filter((d) => !d.includes('/') && inRange(d));
  const mine = hostRoutes(JSON.parse(await run('ip', ['-j', 'route', 'show', 'dev', bridge])) as { dst: string }[]);
  const want = new Set(ips);
  for (const ip of mine) if (!want.has(ip)) await run('ip', ['route', 'del', `${ip}/32`, 'dev', bridge]).catch(() => {});
  const anywhere = new Set(hostRoutes(JSON.parse(await run('ip', ['-j', 'route', 'show', 'table', 'main'])) as { dst: string }[]));
  for (const ip of want) {
    if (anywhere.has(ip)) continue;
    await run('ip', ['route', 'add', `${ip}/32`, 'dev', bridge]).catch((e) => { if (!(e instanceof CommandError && /File exists/.test(e.stderr))) throw e; });
  }
}
