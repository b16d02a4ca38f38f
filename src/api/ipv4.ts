// IPv4 addresses and CIDR ranges as unsigned 32-bit numbers: parse and format, containment and
// overlap, the n-th address of a range and its subnets. Used for the pod network (node ranges, the
// bridge gateway), service cluster IPs and the validation of addresses in API objects.

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

/** A dotted quad as a number, or undefined; octets with leading zeros are refused, as Go's netip does. */
export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export const formatIPv4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** The netmask of a prefix length as a number (0 for /0). */
export const prefixMask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

const network = (ip: number, prefix: number): number => (ip & prefixMask(prefix)) >>> 0;

/** `a.b.c.d/n` as address and prefix length, host bits as written; undefined when malformed. */
export function parsePrefix(text: string): { ip: number; prefix: number } | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const ip = m ? parseIPv4(m[1]) : undefined;
  return ip === undefined || Number(m![2]) > 32 ? undefined : { ip, prefix: Number(m![2]) };
}

/** Parses `a.b.c.d/n`; host bits must be zero so the written route equals what `ip route` shows. */
export function parseCidr(text: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m || Number(m[2]) > 32) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)}`);
  const prefix = Number(m[2]);
  const base = parseIPv4(m[1]);
  if (base === undefined) throw new Error(`invalid IPv4 address ${JSON.stringify(m[1])}`);
  if (network(base, prefix) !== base) throw new Error(`CIDR ${text} has host bits set (did you mean ${formatCidr({ base: network(base, prefix), prefix })}?)`);
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

/** Addresses in the range, network and broadcast included. */
export const cidrSize = (c: Cidr): number => 2 ** (32 - c.prefix);

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && network(inner.base, outer.prefix) === outer.base;
}

/** Two ranges overlap when one holds the other: they agree on the shorter prefix. */
export function cidrsOverlap(a: { ip: number; prefix: number }, b: { ip: number; prefix: number }): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return network(a.ip, prefix) === network(b.ip, prefix);
}

/** The range's n-th address (0 is the network address). */
export function nthAddress(c: Cidr, n: number): string {
  if (!(n >= 0 && n < cidrSize(c))) throw new Error(`address ${n} is outside ${formatCidr(c)}`);
  return formatIPv4(c.base + n);
}

/** The subnets of length `prefix` inside `c`, in address order. */
export function* subnets(c: Cidr, prefix: number): Generator<Cidr> {
  if (prefix < c.prefix || prefix > 32) throw new Error(`cannot split ${formatCidr(c)} into /${prefix}s`);
  const step = 2 ** (32 - prefix);
  for (let i = 0; i < 2 ** (prefix - c.prefix); i++) yield { base: c.base + i * step, prefix };
}

/** The first host address, used as the bridge's address and the pods' default gateway. */
export function gatewayOf(c: Cidr): string {
  if (c.prefix > 30) throw new Error(`pod CIDR ${formatCidr(c)} is too small`);
  return nthAddress(c, 1);
}
