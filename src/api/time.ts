// Times as the API writes them: metav1.Time (RFC 3339 in UTC, to the second) and metav1.MicroTime
// (to the microsecond, e.g. a Lease's renewTime).

/** `at` (a Date or milliseconds; now by default) as metav1.Time, e.g. 2026-11-23T12:00:00Z. */
export const metaTime = (at: Date | number = Date.now()): string => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');

/** `at` as metav1.MicroTime, e.g. 2026-11-23T12:00:00.123000Z (JavaScript has milliseconds). */
export const microTime = (at: Date | number = Date.now()): string => new Date(at).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
