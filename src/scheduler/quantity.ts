// Resource quantities ("100m", "1.5", "64Mi", "1G", "2e3") as numbers, rounded up the way upstream's
// Quantity.Value() and MilliValue() round: exact decimal arithmetic on BigInt, so "100m" is 100
// millicores and never 100.00000000000001.

const DECIMAL_SI: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const FORMAT = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(|[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)$/;

/** ceil(quantity × 10^scale), or undefined when `q` is not a quantity. */
function scaledCeil(q: string | number, scale: number): number | undefined {
  const m = FORMAT.exec(String(q).trim());
  if (!m || (!m[2] && !m[3])) return undefined;
  const [, sign, whole, fraction = '', suffix] = m;
  let exp10 = scale - fraction.length;
  let exp2 = 0;
  if (suffix in BINARY_SI) exp2 = BINARY_SI[suffix];
  else if (suffix in DECIMAL_SI) exp10 += DECIMAL_SI[suffix];
  else exp10 += Number(suffix.slice(1));
  let num = BigInt(whole + fraction || '0') * 2n ** BigInt(exp2);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  const rounded = (num + den - 1n) / den;
  return Number(sign === '-' ? -rounded : rounded);
}

/**
 * The quantity in base units (bytes, pods), rounded up. The API server rejects malformed
 * quantities, so one that still slips through counts as nothing rather than stopping the scheduler.
 */
export const quantityValue = (q: string | number | undefined): number => (q === undefined ? 0 : scaledCeil(q, 0) ?? 0);

/** The quantity in thousandths (millicores for cpu), rounded up. */
export const quantityMilliValue = (q: string | number | undefined): number => (q === undefined ? 0 : scaledCeil(q, 3) ?? 0);
