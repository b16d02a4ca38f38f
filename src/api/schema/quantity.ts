// Validates a resource quantity ("250m", "1Gi", 2) as upstream's Quantity decoder does, returning
// its error message. Only validity matters here; storage keeps what the client sent.

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
