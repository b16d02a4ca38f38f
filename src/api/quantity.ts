// Resource quantities ("100m", "1.5", "64Mi", "1G", "2e3"): the decoder's validation with its error
// messages, and values rounded up the way upstream's Quantity.Value() and MilliValue() round: exact
// decimal arithmetic on BigInt, so "100m" is 100 millicores and never 100.00000000000001.

const DECIMAL_SI: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const FORMAT = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(|[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)$/;

/** ceil(quantity × 10^scale) (scale 0: base units, 3: thousandths), or undefined when `q` is not a quantity. */
export function parseQuantity(q: string | number, scale = 0): number | undefined {
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
export const quantityValue = (q: string | number | undefined): number => (q === undefined ? 0 : parseQuantity(q, 0) ?? 0);

/** The quantity in thousandths (millicores for cpu), rounded up. */
export const quantityMilliValue = (q: string | number | undefined): number => (q === undefined ? 0 : parseQuantity(q, 3) ?? 0);

// The decoder's messages (upstream's ParseQuantity); only validity matters there, storage keeps
// what the client sent.
const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const NUMERIC = 'unable to parse numeric part of quantity';
const SUFFIX = "unable to parse quantity's suffix";

/** Decimal SI, binary SI, or a decimal exponent (e3, E-2). */
const VALID_SUFFIX = /^(|[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)$/;

/** The decoder's error for a JSON value used as a Quantity, or undefined when it is valid. */
export function quantityError(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return FORMAT_WRONG;
  const text = String(value).trim();
  if (!text) return FORMAT_WRONG;
  const [, whole, fraction, suffix] = /^[+-]?([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(text)!;
  if (!/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)) return FORMAT_WRONG;
  if (!VALID_SUFFIX.test(suffix)) return SUFFIX;
  if (!whole && !fraction) return NUMERIC;
  return undefined;
}
