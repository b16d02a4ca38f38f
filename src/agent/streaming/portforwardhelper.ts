// The port-forward dialer, a program of its own run inside a pod's network namespace
// (`nsenter --net=<netns> node portforwardhelper.js SOCK NETNS IDLE_MS POLL_MS`; see portforward.ts).
// It imports nothing of tinykube so that it starts as fast as node itself.
// Request: one JSON line {"port":N,"hosts":[…],"timeoutMs":N,"graceMs":N}; answer: "OK\n" then the
// relay, or one JSON line {"failures":[{"host","code","message"}]} and close.
import { createServer, connect, type Socket } from 'node:net';
import { rmSync, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

interface Request { port: number; hosts: string[]; timeoutMs: number; graceMs: number }
interface Failure { host: string; code?: string; message: string }

const [sockPath, netnsPath, idleArg, pollArg] = process.argv.slice(2);
const own = statSync('/proc/self/ns/net');
const conns = new Set<Socket>();
let idleTimer: NodeJS.Timeout | undefined;
const quit = (): never => {
  for (const c of conns) c.destroy();
  try { rmSync(dirname(sockPath), { recursive: true, force: true }); } catch { /* gone already */ }
  process.exit(0);
};
const armIdle = (): void => {
  clearTimeout(idleTimer);
  if (conns.size === 0) idleTimer = setTimeout(quit, Number(idleArg));
};
/** The pod's netns is gone (unmounted) or another one now sits at its path. */
const gone = (): boolean => {
  try {
    const st = statSync(netnsPath);
    return st.ino !== own.ino || st.dev !== own.dev;
  } catch {
    return true;
  }
};
const check = (): void => { if (gone()) quit(); };
try {
  watch(dirname(netnsPath), { persistent: false }, (_ev, name) => { if (!name || String(name) === basename(netnsPath)) check(); }).on('error', () => {});
} catch { /* the poll below still notices */ }
setInterval(check, Number(pollArg));
// Gone with the agent: its end of our stdin closes.
process.stdin.on('end', quit).on('close', quit).on('error', quit).resume();

const RETRY = new Set(['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EAFNOSUPPORT', 'EHOSTUNREACH']);

/** Tries the hosts in order while the error says "not here" (refused, no such address …). */
function dial(port: number, hosts: string[], timeoutMs: number, failures: Failure[], done: (failures: Failure[] | null, t?: Socket) => void): void {
  const host = hosts[failures.length];
  if (host === undefined) return done(failures);
  const t = connect({ port, host, allowHalfOpen: true });
  const timer = setTimeout(() => t.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
  t.once('connect', () => { clearTimeout(timer); t.removeAllListeners('error'); done(null, t); });
  t.once('error', (e: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    failures.push({ host, code: e.code, message: e.message });
    if (e.code && RETRY.has(e.code)) dial(port, hosts, timeoutMs, failures, done);
    else done(failures);
  });
}

const server = createServer({ allowHalfOpen: true }, (c) => {
  conns.add(c);
  clearTimeout(idleTimer);
  c.on('error', () => {});
  c.on('close', () => { conns.delete(c); armIdle(); });
  let head = Buffer.alloc(0);
  const onData = (b: Buffer): void => {
    head = Buffer.concat([head, b]);
    const nl = head.indexOf(10);
    if (nl < 0) {
      if (head.length > 4096) c.destroy();
      return;
    }
    c.off('data', onData);
    c.pause();
    let req: Request;
    try { req = JSON.parse(head.subarray(0, nl).toString()) as Request; } catch { c.destroy(); return; }
    const rest = head.subarray(nl + 1);
    dial(req.port, req.hosts, req.timeoutMs, [], (failures, t) => {
      if (failures || !t) { c.end(JSON.stringify({ failures }) + '\n'); return; }
      if (c.destroyed) { t.destroy(); return; }
      t.on('error', () => {});
      // A reset on one side resets the other; an end is passed on (pipe), and then the other
      // direction has graceMs to end too, as containerd does: a unix socket has no reset, so an
      // end from the agent may be a client gone for good.
      let grace: NodeJS.Timeout | undefined;
      const cut = (): void => { c.destroy(); t.destroy(); };
      const ended = (): void => { grace ??= setTimeout(cut, req.graceMs); };
      c.once('end', ended);
      t.once('end', ended);
      t.on('close', () => { if (!c.writableEnded) c.destroy(); if (c.destroyed) clearTimeout(grace); });
      c.on('close', () => { if (!t.writableEnded) t.destroy(); if (t.destroyed) clearTimeout(grace); });
      c.write('OK\n');
      if (rest.length) t.write(rest);
      c.pipe(t);
      t.pipe(c);
    });
  };
  c.on('data', onData);
});
server.on('error', (e) => { process.stderr.write(`${e?.message}\n`); quit(); });
server.listen(sockPath, () => { process.stdout.write('ready\n'); armIdle(); });
