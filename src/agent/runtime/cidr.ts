// IPv4 CIDR arithmetic for the pod network: the bridge gateway is the first address of the node's
// range, and the node's range must lie inside the cluster range that gets the unreachable route.

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

function parseIp(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`invalid IPv4 address ${JSON.stringify(ip)}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses `a.b.c.d/n`; host bits must be zero so the written route equals what `ip route` shows. */
export function parseCidr(text: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m || Number(m[2]) > 32) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)}`);
  const prefix = Number(m[2]);
  const base = parseIp(m[1]);
  if (((base & mask(prefix)) >>> 0) !== base) throw new Error(`CIDR ${text} has host bits set (did you mean ${formatCidr({ base: (base & mask(prefix)) >>> 0, prefix })}?)`);
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && ((inner.base & mask(outer.prefix)) >>> 0) === outer.base;
}

/** The first host address, used as the bridge's address and the pods' default gateway. */
export function gatewayOf(c: Cidr): string {
  if (c.prefix > 30) throw new Error(`pod CIDR ${formatCidr(c)} is too small`);
  return formatIp(c.base + 1);
}
