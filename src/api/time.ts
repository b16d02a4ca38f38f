// Times as the API writes metav1.Time: RFC 3339 in UTC, to the second.

/** `at` (a Date or milliseconds; now by default) as metav1.Time, e.g. 2026-11-23T12:00:00Z. */
export const metaTime = (at: Date | number = Date.now()): string => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
