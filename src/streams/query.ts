// Query parameters of exec / attach / portforward requests.

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * A boolean query parameter as the API server decodes one: absent is false; present, anything
 * but "0" and "false" (any case) is true, so kubectl's `true` and the kubelet URL's `1` both work.
 */
function flag(q: URLSearchParams, names: readonly string[]): boolean {
  for (const name of names) {
    const v = q.getAll(name);
    if (v.length) return !(v[0] === '0' || v[0].toLowerCase() === 'false');
  }
  return false;
}

/**
 * Parses command/container/stdin/stdout/stderr/tty from the query (kubectl's parameters;
 * `command` repeats). The kubelet's own names (input/output/error) are understood too. As the
 * kubelet does, a TTY has no separate stderr: `tty` turns `stderr` off.
 */
export function remoteCommandQuery(url: URL): { command: string[]; container?: string } & RemoteCommandOptions {
  const q = url.searchParams;
  const tty = flag(q, ['tty']);
  const container = q.get('container') || undefined;
  return {
    command: q.getAll('command'),
    ...(container !== undefined ? { container } : {}),
    stdin: flag(q, ['stdin', 'input']),
    stdout: flag(q, ['stdout', 'output']),
    stderr: !tty && flag(q, ['stderr', 'error']),
    tty,
  };
}

/**
 * The ports of a WebSocket port-forward request: `ports` (what clients send the API server) or
 * `port` (what the API server sends the kubelet), repeated or comma-separated. Throws with
 * upstream's wording when missing or invalid.
 */
export function portForwardPorts(url: URL): number[] {
  const q = url.searchParams;
  const name = q.has('ports') ? 'ports' : 'port';
  const values = q.getAll(name);
  if (values.length === 0) throw new Error('query parameter "port" is required');
  const ports: number[] = [];
  for (const v of values) {
    if (v === '') throw new Error('query parameter "port" cannot be empty');
    for (const p of v.split(',')) {
      const n = /^\d+$/.test(p) ? Number(p) : NaN;
      if (!Number.isInteger(n) || n > 65535) throw new Error(`unable to parse "${v}" as a port`);
      if (n < 1) throw new Error(`port "${v}" must be > 0`);
      ports.push(n);
    }
  }
  return ports;
}
