// The backend of `kubectl port-forward`: byte streams to ports inside a pod's network namespace.
// Node cannot setns(2), so a small helper runs inside the namespace (`nsenter --net=<netns> node
// portforwardhelper.js`), one per namespace, started on the first dial and gone after IDLE_MS
// without connections. It listens on a unix socket in a private temp dir (unix sockets on the filesystem
// are reachable from any netns), and for each connection reads one request line
// (port, addresses), connects inside the pod (127.0.0.1 first, so servers that listen on the pod's
// loopback only are reachable, as upstream), answers "OK" or the errors, then relays bytes. So a
// dial costs a unix connect and a TCP connect on loopback (well under a millisecond), not a
// fork+exec of nsenter+socat per connection (5-12 ms here, 70-160 ms each for 20 at once), and a
// refused port is a clear error before any byte flows.
// The helper must not keep a deleted pod's netns (and veth, and IP) alive: it watches the netns
// path and exits the moment the pod's netns is unmounted (`ip netns del`), dropping its
// connections; it also exits when this process goes away (its stdin closes).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import { which } from '../runtime/tools.js';

export interface DialOptions {
  /** Also try the pod's own IP when localhost refuses (a server bound to that address only). */
  podIP?: string;
  /** For the whole dial, the helper's start included (default 10 s). */
  timeoutMs?: number;
}

/** A failed dial; `code` is the errno name of the first (127.0.0.1) attempt: ECONNREFUSED when nobody listens. */
export class DialError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'DialError';
  }
}

/** After one direction of a connection ended, how long the other may go on (containerd: 1 s). */
const HALF_CLOSE_GRACE_MS = 1000;
/** A helper exits after this long without connections. */
const IDLE_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** How often the helper checks its netns is still the pod's, besides watching the netns dir. */
const NETNS_POLL_MS = 1000;

/** The dialer program (portforwardhelper.ts, compiled beside this file). */
const HELPER = fileURLToPath(new URL('./portforwardhelper.js', import.meta.url));

/** Go's wording of the errnos a dial meets. */
const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ENETUNREACH: 'network is unreachable',
  EHOSTUNREACH: 'no route to host',
  EAFNOSUPPORT: 'address family not supported by protocol',
  ETIMEDOUT: 'i/o timeout',
  ECONNRESET: 'connection reset by peer',
};

interface Failure { host: string; code?: string; message: string }

/** containerd's message: `failed to connect to localhost:P inside namespace "…", IPv4: dial tcp4 127.0.0.1:P: connect: connection refused IPv6: …`. */
export function dialFailureMessage(netnsPath: string, port: number, failures: Failure[]): string {
  const parts = failures.map((f, i) => {
    const v6 = f.host.includes(':');
    const label = i === 0 ? 'IPv4' : i === 1 ? 'IPv6' : 'pod IP';
    const reason = (f.code && ERRNO_TEXT[f.code]) || f.message;
    return `${label}: dial ${v6 ? 'tcp6' : 'tcp4'} ${v6 ? `[${f.host}]` : f.host}:${port}: connect: ${reason}`;
  });
  return `failed to connect to localhost:${port} inside namespace "${netnsPath}", ${parts.join(' ')}`;
}

class HelperGone extends Error {}

interface Helper {
  netnsPath: string;
  sockPath: string;
  child: ChildProcess;
  ready: Promise<void>;
  exited: boolean;
  /** Settles once it has exited and its dir is removed. */
  gone?: Promise<void>;
}

const helpers = new Map<string, Helper>();

function nsenterPath(): string {
  const nsenter = which('nsenter');
  if (!nsenter) throw new DialError('port forwarding needs nsenter: apt-get install util-linux');
  return nsenter;
}

function startHelper(netnsPath: string, deadline: number): Helper {
  const nsenter = nsenterPath();
  const helper = { netnsPath, exited: false } as Helper;
  helper.ready = (async () => {
    // Its own private dir (0700: only root's processes can connect), removed by whoever ends first.
    const dir = await mkdtemp(join(tmpdir(), 'tkpf-'));
    helper.sockPath = join(dir, 'dialer.sock');
    const child = spawn(nsenter, [`--net=${netnsPath}`, process.execPath, HELPER, helper.sockPath, netnsPath, String(IDLE_MS), String(NETNS_POLL_MS)], {
      stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    helper.child = child;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (t: string) => { if (stderr.length < 4096) stderr += t; });
    child.stdin!.on('error', () => {});
    helper.gone = new Promise<void>((resolve) => {
      const end = (): void => {
        if (helper.exited) return;
        helper.exited = true;
        if (helpers.get(netnsPath) === helper) helpers.delete(netnsPath);
        void rm(dir, { recursive: true, force: true }).catch(() => {}).then(() => resolve());
      };
      child.once('exit', end);
      child.once('error', end); // not started at all
    });
    // The helper must neither keep this process alive nor outlive it (it exits when its stdin closes).
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as Socket).unref?.();
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => fail(new DialError(`the dialer in ${netnsPath} did not start in time`, 'ETIMEDOUT')), Math.max(0, deadline - Date.now()));
      const fail = (e: Error): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(e);
      };
      child.stdout!.setEncoding('utf8').on('data', (t: string) => {
        out += t;
        if (out.includes('ready\n')) {
          clearTimeout(timer);
          child.stdout!.resume();
          resolve();
        }
      });
      child.once('error', (e) => fail(e));
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new DialError(`cannot dial inside ${netnsPath}: ${stderr.trim() || `the dialer exited with code ${code}`}`));
      });
    });
  })();
  helper.ready.catch(() => {
    if (helpers.get(netnsPath) === helper) helpers.delete(netnsPath);
  });
  return helper;
}

function helperFor(netnsPath: string, deadline: number): Helper {
  let helper = helpers.get(netnsPath);
  if (!helper || helper.exited) {
    helper = startHelper(netnsPath, deadline);
    helpers.set(netnsPath, helper);
  }
  return helper;
}

/** One request to a helper: the relayed socket, or the failures. */
function request(helper: Helper, port: number, hosts: string[], timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(helper.sockPath);
    let head = Buffer.alloc(0);
    let answered = false;
    const fail = (e: Error): void => {
      if (answered) return;
      answered = true;
      sock.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new DialError(`dial localhost:${port}: timed out`, 'ETIMEDOUT')), timeoutMs + 1000);
    sock.once('connect', () => sock.write(`${JSON.stringify({ port, hosts, timeoutMs, graceMs: HALF_CLOSE_GRACE_MS })}\n`));
    sock.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'EPIPE' ? new HelperGone(e.message) : e));
    sock.once('close', () => fail(new HelperGone('the dialer closed the connection')));
    // The answer is read in paused mode ('readable'), so that once the listener is gone the socket
    // is as new: data waits until the caller reads or pipes it.
    const onReadable = (): void => {
      for (let b = sock.read() as Buffer | null; b; b = sock.read() as Buffer | null) {
        head = Buffer.concat([head, b]);
        const nl = head.indexOf(0x0a);
        if (nl < 0) continue;
        clearTimeout(timer);
        sock.off('readable', onReadable);
        const line = head.subarray(0, nl).toString();
        if (line === 'OK') {
          answered = true;
          sock.removeAllListeners('close');
          sock.removeAllListeners('error');
          const rest = head.subarray(nl + 1);
          if (rest.length) sock.unshift(rest);
          resolve(sock);
          return;
        }
        let failures: Failure[] = [];
        try {
          failures = (JSON.parse(line) as { failures: Failure[] }).failures;
        } catch {
          // garbled
        }
        fail(failures.length ? new DialError(dialFailureMessage(helper.netnsPath, port, failures), failures[0].code) : new DialError(`dial localhost:${port}: unexpected answer ${JSON.stringify(line)}`));
        return;
      }
    };
    sock.on('readable', onReadable);
  });
}

/**
 * A byte stream to 127.0.0.1:port inside the pod's network namespace (then [::1]:port, as
 * containerd does, and the pod IP when given), so servers in the pod that listen on 127.0.0.1
 * only are reachable. Rejects with a DialError (code ECONNREFUSED when nobody listens) worded as
 * containerd words it. The Duplex is a unix socket relayed to the TCP connection; when either
 * side ends its sending, the other has 1 s to end too before the connection is closed (as
 * containerd), and a reset by the server closes the Duplex.
 */
export async function dialInNetns(netnsPath: string, port: number, opts: DialOptions = {}): Promise<Duplex> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DialError(`invalid port ${port}`);
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const hosts = ['127.0.0.1', '::1', ...(opts.podIP ? [opts.podIP] : [])];
  for (let attempt = 0; ; attempt++) {
    const helper = helperFor(netnsPath, deadline);
    try {
      await helper.ready;
      return await request(helper, port, hosts, Math.max(1, deadline - Date.now()));
    } catch (e) {
      // The helper went away (idle exit just then, or killed): once more with a new one.
      if (!(e instanceof HelperGone) || attempt > 0) throw e instanceof HelperGone ? new DialError(`cannot dial inside ${netnsPath}: ${e.message}`) : e;
      if (helpers.get(netnsPath) === helper) helpers.delete(netnsPath);
      helper.child?.kill('SIGKILL');
    }
  }
}

/** Starts the dialer of a netns ahead of the first connection (e.g. when a port-forward session opens), so that one is fast too. */
export async function warmNetnsDialer(netnsPath: string): Promise<void> {
  await helperFor(netnsPath, Date.now() + DEFAULT_TIMEOUT_MS).ready;
}

/** Stops the dialers (of one netns, or all), dropping their connections; for shutdown and tests. */
export async function stopNetnsDialers(netnsPath?: string): Promise<void> {
  const stopping = [...helpers.values()].filter((h) => !netnsPath || h.netnsPath === netnsPath).map(async (h) => {
    await h.ready.catch(() => {});
    if (!h.child) return;
    if (!h.exited) {
      h.child.ref(); // unref'd while it serves: keep the loop alive until it is gone
      h.child.kill('SIGKILL');
    }
    await h.gone;
  });
  await Promise.all(stopping);
}

/** The pids of the running dialers (for tests and diagnostics). */
export function netnsDialerPids(): number[] {
  return [...helpers.values()].filter((h) => h.child?.pid && !h.exited).map((h) => h.child.pid!);
}
