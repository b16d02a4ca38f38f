// JSON forms of the apimachinery types whose protobuf and JSON shapes differ, as their Go
// MarshalJSON methods write them: metav1.Time, metav1.MicroTime, metav1.Duration.
import { ProtobufError } from './wire.js';

function isoSeconds(seconds: number): string {
  const ms = seconds * 1000;
  const year = new Date(ms).getUTCFullYear();
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15 || year < 0 || year > 9999) {
    throw new ProtobufError('Time.MarshalJSON: year outside of range [0,9999]');
  }
  return new Date(ms).toISOString().slice(0, 19);
}

/** metav1.Time: RFC 3339 in UTC, whole seconds (its protobuf form carries no nanoseconds anyway). */
export const formatTime = (seconds: number): string => `${isoSeconds(seconds)}Z`;

/** metav1.MicroTime: RFC 3339 in UTC with exactly six fractional digits; nanoseconds truncate to microseconds. */
export function formatMicroTime(seconds: number, nanos: number): string {
  let micros = Math.trunc(nanos / 1000);
  const carry = Math.floor(micros / 1_000_000);
  micros -= carry * 1_000_000;
  return `${isoSeconds(seconds + carry)}.${String(micros).padStart(6, '0')}Z`;
}

function fraction(v: bigint, unit: bigint, digits: number): string {
  const whole = v / unit;
  const frac = (v % unit).toString().padStart(digits, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** metav1.Duration: Go's time.Duration.String() of a count of nanoseconds ("1h2m3.5s", "1.5ms", "0s"). */
export function formatDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  let u = nanos < 0n ? -nanos : nanos;
  if (u < 1000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${fraction(u, 1000n, 3)}µs`;
  if (u < 1_000_000_000n) return `${sign}${fraction(u, 1_000_000n, 6)}ms`;
  const hours = u / 3_600_000_000_000n;
  u %= 3_600_000_000_000n;
  const minutes = u / 60_000_000_000n;
  u %= 60_000_000_000n;
  const seconds = `${fraction(u, 1_000_000_000n, 9)}s`;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
