// Service cluster IPs and node ports, as upstream's ipallocator and portallocator: a request for a
// specific value must be free and in range; otherwise a random free value is picked (cluster IPs
// from the upper part of the range first, leaving the lower part to static requests, as upstream's
// offset does). What is taken is derived from the stored Services every time, so the allocators
// survive restarts with nothing of their own to store; in-flight creates are held as reservations
// until their Service is stored (or the write fails).
import { formatIPv4, parseIPv4 } from '../ipv4.js';

const RESERVATION_MS = 60_000;

export interface Range { base: number; size: number; cidr: string }

/** An IPv4 CIDR as its network address and size; throws on a malformed one. */
export function parseServiceCidr(cidr: string): Range {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const base = m ? parseIPv4(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (base === undefined || !(prefix >= 8 && prefix <= 30)) throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}: an IPv4 range from /8 to /30`);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) throw new Error(`service CIDR ${cidr} has host bits set`);
  return { base, size, cidr: `${formatIPv4(base)}/${prefix}` };
}

/** The first usable address of the range: the `kubernetes` Service's cluster IP. */
export const firstServiceIP = (r: Range): string => formatIPv4(r.base + 1);

/** Thrown when a requested value cannot be had; `reason` completes upstream's message. */
export class AllocationError extends Error {}

/** Values taken by stored objects plus reservations of creates not yet stored. */
class Reservations<T> {
  private readonly held = new Map<T, number>();

  hold(v: T): () => void {
    this.held.set(v, Date.now() + RESERVATION_MS);
    return () => { this.held.delete(v); };
  }

  /** Reservations still pending; those past their time (or now stored) are dropped. */
  pending(stored: Set<T>): Set<T> {
    const now = Date.now();
    for (const [v, until] of this.held) if (until < now || stored.has(v)) this.held.delete(v);
    return new Set(this.held.keys());
  }
}

export class ClusterIPAllocator {
  readonly range: Range;
  private readonly reservations = new Reservations<number>();

  constructor(cidr: string, private readonly random: () => number = Math.random) {
    this.range = parseServiceCidr(cidr);
  }

  /** Addresses usable for services: the network and broadcast addresses are not. */
  private usable(n: number): boolean {
    return n > this.range.base && n < this.range.base + this.range.size - 1;
  }

  contains(ip: string): boolean {
    const n = parseIPv4(ip);
    return n !== undefined && this.usable(n);
  }

  private taken(inUse: Iterable<string>): Set<number> {
    const stored = new Set<number>();
    for (const ip of inUse) {
      const n = parseIPv4(ip);
      if (n !== undefined) stored.add(n);
    }
    for (const n of this.reservations.pending(stored)) stored.add(n);
    return stored;
  }

  /** Reserves `ip`; throws AllocationError with upstream's reason when it is out of range or taken. */
  allocateSpecific(ip: string, inUse: Iterable<string>, dryRun = false): () => void {
    const n = parseIPv4(ip);
    if (n === undefined || !this.usable(n)) {
      throw new AllocationError(`the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.range.cidr}`);
    }
    if (this.taken(inUse).has(n)) throw new AllocationError('provided IP is already allocated');
    return dryRun ? () => {} : this.reservations.hold(n);
  }

  /** A random free address (upper band first); throws AllocationError('range is full'). */
  allocateNext(inUse: Iterable<string>, dryRun = false): { ip: string; release: () => void } {
    const taken = this.taken(inUse);
    const first = this.range.base + 1;
    const count = this.range.size - 2;
    // upstream: min(max(16, size/16), 256) addresses at the bottom are left for static requests.
    const offset = count < 16 ? 0 : Math.min(Math.max(16, Math.floor(this.range.size / 16)), 256);
    const bands: [number, number][] = [[first + offset, count - offset], [first, offset]];
    for (const [start, len] of bands) {
      if (len <= 0) continue;
      const at = Math.floor(this.random() * len);
      for (let i = 0; i < len; i++) {
        const n = start + ((at + i) % len);
        if (!taken.has(n)) return { ip: formatIPv4(n), release: dryRun ? () => {} : this.reservations.hold(n) };
      }
    }
    throw new AllocationError('range is full');
  }
}

export class NodePortAllocator {
  private readonly reservations = new Reservations<number>();

  constructor(readonly min: number, readonly max: number, private readonly random: () => number = Math.random) {}

  get rangeText(): string {
    return `${this.min}-${this.max}`;
  }

  private taken(inUse: Iterable<number>): Set<number> {
    const stored = new Set(inUse);
    for (const p of this.reservations.pending(stored)) stored.add(p);
    return stored;
  }

  allocateSpecific(port: number, inUse: Iterable<number>, dryRun = false): () => void {
    if (!(port >= this.min && port <= this.max)) {
      throw new AllocationError(`provided port is not in the valid range. The range of valid ports is ${this.rangeText}`);
    }
    if (this.taken(inUse).has(port)) throw new AllocationError('provided port is already allocated');
    return dryRun ? () => {} : this.reservations.hold(port);
  }

  allocateNext(inUse: Iterable<number>, dryRun = false): { port: number; release: () => void } {
    const taken = this.taken(inUse);
    const len = this.max - this.min + 1;
    const at = Math.floor(this.random() * len);
    for (let i = 0; i < len; i++) {
      const p = this.min + ((at + i) % len);
      if (!taken.has(p)) return { port: p, release: dryRun ? () => {} : this.reservations.hold(p) };
    }
    throw new AllocationError('range is full');
  }
}
