// Durations on the command line, written as upstream's flags take them (Go's 1h30m, 90s).

/** A Go-style duration (`1h`, `30m`, `90s`, `1h30m`) or plain seconds, in whole seconds (at least 1). */
export function parseDurationSeconds(text: string, flag: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  let seconds = 0;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else if (/^(\d+(\.\d+)?[hms])+$/.test(text)) for (const [, n, , u] of text.matchAll(/(\d+(\.\d+)?)([hms])/g)) seconds += Number(n) * units[u];
  else throw new Error(`${flag} wants a duration such as 1h, 30m or 90s, not ${JSON.stringify(text)}`);
  if (seconds < 1) throw new Error(`${flag} must be at least 1s`);
  return Math.round(seconds);
}
