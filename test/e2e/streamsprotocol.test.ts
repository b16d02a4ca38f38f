// The streaming protocol library (src/streams) against real kubectl and @kubernetes/client-node,
// with no runc: a small HTTPS API server in this process answers discovery and the pod GET, and
// serves exec/attach/port-forward upgrades with the library, backed by local `sh -c` processes
// and local TCP servers on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, get as httpGet, request as httpRequest, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { createPki } from '../../src/apiserver/pki.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { remoteCommandQuery, servePortForward, serveRemoteCommand, type RemoteCommandStreams, type TerminalSize } from '../../src/streams/index.js';
import { findKubectl } from './harness.js';

const MiB = 1024 * 1024;
const BIG = 100 * MiB;
const versions = [27, 30, 33].map((minor) => ({ minor, bin: findKubectl(minor) })).filter((v): v is { minor: number; bin: string } => !!v.bin);
const skip = versions.some((v) => v.minor === 27) && versions.some((v) => v.minor === 33) ? false : 'kubectl 1.27 and 1.33 are needed';

interface Upgrade { path: string; upgrade: string; offered: string }

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'main', image: 'busybox' }, { name: 'side', image: 'busybox' }], nodeName: 'node-1' },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: ['main', 'side'].map((c) => ({ name: c, ready: true, restartCount: 0, image: 'busybox', imageID: '', started: true, state: { running: { startedAt: '2024-01-01T00:00:00Z' } } })),
  },
});

const discovery: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
  '/api/v1': {
    kind: 'APIResourceList', groupVersion: 'v1',
    resources: [
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['po'] },
      { name: 'pods/attach', singularName: '', namespaced: true, kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    ],
  },
};

/** The backend of exec/attach: the command as a local process (attach runs a fixed one). */
async function runLocal(command: string[], s: RemoteCommandStreams, resizes: TerminalSize[]): Promise<{ exitCode: number } | { error: string }> {
  if (command.length === 0) command = ['sh', '-c', 'echo attached; cat'];
  s.resize.on('resize', (size: TerminalSize) => resizes.push(size));
  const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const onAbort = () => child.kill('SIGKILL');
  s.signal.addEventListener('abort', onAbort);
  if (s.stdin) s.stdin.pipe(child.stdin);
  else child.stdin.end();
  child.stdin.on('error', () => {});
  if (s.stdout) child.stdout.pipe(s.stdout, { end: false });
  else child.stdout.resume();
  // A TTY has one output stream: stderr goes to stdout, as in a terminal.
  const errTo = s.stderr ?? (s.tty ? s.stdout : undefined);
  if (errTo) child.stderr.pipe(errTo, { end: false });
  else child.stderr.resume();
  return new Promise((resolve) => {
    child.on('error', (e) => resolve({ error: `starting ${command[0]}: ${e.message}` }));
    child.on('close', (code, signal) => {
      s.signal.removeEventListener('abort', onAbort);
      resolve({ exitCode: code ?? (signal ? 128 + 9 : 1) });
    });
  });
}

describe('kubectl streaming protocols (src/streams)', { skip, timeout: 600_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tk-streams-'));
  const kubeconfig = join(tmp, 'kubeconfig');
  const procs = new Set<ChildProcess>();
  const upgrades: Upgrade[] = [];
  /** Upgraded sockets leave the server's connection tracking: closed by hand in after(). */
  const upgradedSockets = new Set<Duplex>();
  const resizes: TerminalSize[] = [];
  let api: HttpsServer;
  let target: HttpServer;
  let targetPort = 0;
  let deadPort = 0;
  const bigChunk = Buffer.alloc(MiB, 'x');
  /** Writes BIG bytes with backpressure, then ends. */
  const writeBig = (out: Writable): void => {
    let sent = 0;
    const pump = (): void => {
      while (sent < BIG) {
        sent += bigChunk.length;
        if (!out.write(bigChunk)) return void out.once('drain', pump);
      }
      out.end();
    };
    pump();
  };
  let uploaded = 0;

  const dial = (port: number): Promise<Duplex> => {
    const to = port === 8080 ? targetPort : port === 8081 ? deadPort : 0;
    return new Promise((resolve, reject) => {
      if (!to) return reject(new Error(`no such port ${port}`));
      const s: Socket = connect({ host: '127.0.0.1', port: to, allowHalfOpen: true });
      s.once('connect', () => { s.removeListener('error', reject); resolve(s); });
      s.once('error', reject);
    });
  };

  before(async () => {
    deadPort = await freePort();
    target = createHttpServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'Content-Length': String(BIG) });
        writeBig(res);
      } else if (req.url === '/upload') {
        let n = 0;
        req.on('data', (d: Buffer) => { n += d.length; });
        req.on('end', () => { uploaded = n; res.end(String(n)); });
      } else {
        res.end(`hello-through-forward ${req.url}\n`);
      }
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as AddressInfo).port;

    const pki = await createPki(['127.0.0.1']);
    api = createHttpsServer({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const m = path.match(/^\/api\/v1\/namespaces\/default\/pods\/([^/]+)$/);
      const body = discovery[path] ?? (m && req.method === 'GET' ? pod(m[1]) : undefined);
      if (!body) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${path} not found`, reason: 'NotFound', code: 404 }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    api.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const m = url.pathname.match(/^\/api\/v1\/namespaces\/default\/pods\/([^/]+)\/(exec|attach|portforward)$/);
      upgrades.push({
        path: url.pathname,
        upgrade: String(req.headers.upgrade),
        offered: String(req.headers['sec-websocket-protocol'] ?? req.headers['x-stream-protocol-version'] ?? ''),
      });
      socket.on('error', () => {});
      upgradedSockets.add(socket);
      socket.on('close', () => upgradedSockets.delete(socket));
      if (!m) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (m[2] === 'portforward') {
        servePortForward(req, socket, head, dial, { podName: m[1], uid: `uid-${m[1]}` });
        return;
      }
      const q = remoteCommandQuery(url);
      serveRemoteCommand(req, socket, head, q, (s) => runLocal(m[2] === 'exec' ? q.command : [], s, resizes));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    writeKubeconfig(kubeconfig, `https://127.0.0.1:${(api.address() as AddressInfo).port}`, pki.ca.cert, pki.admin);
  });

  after(async () => {
    for (const p of procs) if (p.pid && p.exitCode === null && p.signalCode === null) process.kill(p.pid, 'SIGKILL');
    for (const s of upgradedSockets) s.destroy();
    api?.closeAllConnections();
    target?.closeAllConnections();
    await Promise.all([api && new Promise((r) => api.close(r)), target && new Promise((r) => target.close(r))]);
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Runs kubectl to completion. */
  function kubectl(bin: string, args: string[], input?: string, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const p = spawn(bin, ['--cache-dir', join(tmp, `cache-${bin.split('.').pop()}`), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig } });
      procs.add(p);
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => { stdout += d; });
      p.stderr.on('data', (d) => { stderr += d; });
      const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('close', (code) => {
        clearTimeout(t);
        procs.delete(p);
        resolve({ code, stdout, stderr });
      });
      p.stdin.end(input);
    });
  }

  /** Starts `kubectl port-forward` and waits for its "Forwarding from" line. */
  async function portForward(bin: string, args: string[]): Promise<{ proc: ChildProcess; out: () => string; err: () => string; stop: () => Promise<void> }> {
    const p = spawn(bin, ['--cache-dir', join(tmp, `cache-${bin.split('.').pop()}`), 'port-forward', ...args], { env: { ...process.env, KUBECONFIG: kubeconfig } });
    procs.add(p);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`port-forward did not start: ${out}${err}`)), 20_000);
      const check = () => {
        if (/Forwarding from 127\.0\.0\.1:\d+ ->/.test(out)) { clearTimeout(t); resolve(); }
      };
      p.stdout.on('data', check);
      p.on('exit', () => { clearTimeout(t); reject(new Error(`port-forward exited: ${out}${err}`)); });
    });
    return {
      proc: p,
      out: () => out,
      err: () => err,
      stop: async () => {
        if (p.exitCode === null && p.signalCode === null) {
          const exited = new Promise((r) => p.once('exit', r));
          process.kill(p.pid!, 'SIGKILL');
          await exited;
        }
        procs.delete(p);
      },
    };
  }

  /** GET through a forwarded port, on a new connection every time. */
  function fetchText(port: number, path = '/'): Promise<string> {
    return new Promise((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve(body));
        res.on('error', reject);
      }).on('error', reject);
    });
  }

  for (const { minor, bin } of versions) {
    const wsExec = minor >= 30;
    const wsForward = minor >= 31;

    test(`kubectl 1.${minor} exec: stdout and stderr on their streams, exit code 3 (${wsExec ? 'WebSocket v5' : 'SPDY v4'})`, async () => {
      const from = upgrades.length;
      const r = await kubectl(bin, ['exec', 'shpod', '-c', 'main', '--', 'sh', '-c', 'echo hi; echo err >&2; exit 3']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, 'hi\n');
      assert.match(r.stderr, /^err\n/);
      assert.match(r.stderr, /command terminated with exit code 3/);
      const u = upgrades.slice(from).find((x) => x.path.endsWith('/exec'))!;
      if (wsExec) {
        assert.equal(u.upgrade.toLowerCase(), 'websocket');
        assert.match(u.offered, /v5\.channel\.k8s\.io/);
      } else {
        assert.equal(u.upgrade, 'SPDY/3.1');
        assert.match(u.offered, /v4\.channel\.k8s\.io/);
      }
      const ok = await kubectl(bin, ['exec', 'shpod', '-c', 'side', '--', 'sh', '-c', 'printf done']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'done');
    });

    test(`kubectl 1.${minor} exec -i: stdin reaches the command and its end ends it`, async () => {
      const r = await kubectl(bin, ['exec', '-i', 'shpod', '--', 'cat'], 'data\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'data\n');
      const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n') + '\n';
      const big = await kubectl(bin, ['exec', '-i', 'shpod', '-c', 'main', '--', 'sh', '-c', 'wc -l; cat >/dev/null'], lines);
      assert.equal(big.code, 0, big.stderr);
      assert.equal(big.stdout.trim(), '5000');
    });

    test(`kubectl 1.${minor} exec -it under a pseudo-terminal: output and a resize`, async () => {
      const before = resizes.length;
      const cmd = `stty cols 123 rows 45; ${bin} exec -it shpod -c main --cache-dir ${join(tmp, `cache-${minor}`)} -- sh -c 'sleep 1; echo tty-ok; exit 4'; echo "kubectl-exit=$?"`;
      const p = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
      procs.add(p);
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      const code = await new Promise<number | null>((resolve) => {
        const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
        p.on('close', (c) => { clearTimeout(t); resolve(c); });
      });
      procs.delete(p);
      p.stdin.destroy();
      assert.match(out, /tty-ok/, out);
      assert.match(out, /kubectl-exit=4/, out);
      assert.notEqual(code, null);
      assert.deepEqual(resizes.slice(before)[0], { width: 123, height: 45 });
    });

    test(`kubectl 1.${minor} attach -i`, async () => {
      const r = await kubectl(bin, ['attach', '-i', 'shpod', '-c', 'main'], 'via-attach\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'attached\nvia-attach\n');
    });

    test(`kubectl 1.${minor} port-forward: parallel, sequential, ${BIG / MiB} MiB both ways (${wsForward ? 'SPDY in WebSocket' : 'SPDY'})`, async () => {
      const from = upgrades.length;
      const local = await freePort();
      const pf = await portForward(bin, ['shpod', `${local}:8080`]);
      try {
        assert.match(pf.out(), new RegExp(`Forwarding from 127\\.0\\.0\\.1:${local} -> 8080`));
        const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => fetchText(local, `/p${i}`)));
        parallel.forEach((body, i) => assert.equal(body, `hello-through-forward /p${i}\n`));
        for (let i = 0; i < 200; i++) assert.equal(await fetchText(local, `/s${i}`), `hello-through-forward /s${i}\n`);
        assert.match(pf.out(), new RegExp(`Handling connection for ${local}`));

        // Download: target -> kubectl.
        let t0 = process.hrtime.bigint();
        const got = await new Promise<number>((resolve, reject) => {
          httpGet({ host: '127.0.0.1', port: local, path: '/big', agent: false }, (res) => {
            let n = 0;
            res.on('data', (d: Buffer) => { n += d.length; });
            res.on('end', () => resolve(n));
            res.on('error', reject);
          }).on('error', reject);
        });
        let secs = Number(process.hrtime.bigint() - t0) / 1e9;
        assert.equal(got, BIG);
        console.log(`# kubectl 1.${minor} port-forward download: ${BIG / MiB} MiB in ${secs.toFixed(2)} s = ${(BIG / MiB / secs).toFixed(0)} MiB/s`);

        // Upload: kubectl -> target.
        t0 = process.hrtime.bigint();
        const answer = await new Promise<string>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port: local, path: '/upload', method: 'POST', agent: false, headers: { 'Content-Length': String(BIG) } }, (res) => {
            let body = '';
            res.on('data', (d) => { body += d; });
            res.on('end', () => resolve(body));
          });
          req.on('error', reject);
          writeBig(req);
        });
        secs = Number(process.hrtime.bigint() - t0) / 1e9;
        assert.equal(answer, String(BIG));
        assert.equal(uploaded, BIG);
        console.log(`# kubectl 1.${minor} port-forward upload: ${BIG / MiB} MiB in ${secs.toFixed(2)} s = ${(BIG / MiB / secs).toFixed(0)} MiB/s`);
        assert.equal(pf.proc.exitCode, null, pf.err());
      } finally {
        await pf.stop();
      }
      const u = upgrades.slice(from).find((x) => x.path.endsWith('/portforward'))!;
      if (wsForward) {
        assert.equal(u.upgrade.toLowerCase(), 'websocket');
        assert.equal(u.offered, 'SPDY/3.1+portforward.k8s.io');
      } else {
        assert.equal(u.upgrade, 'SPDY/3.1');
        assert.equal(u.offered, 'portforward.k8s.io');
      }
    });

    test(`kubectl 1.${minor} port-forward to a port with no listener: the kubelet's error`, async () => {
      const local = await freePort();
      const pf = await portForward(bin, ['shpod', `${local}:8081`]);
      try {
        const body = await fetchText(local).catch((e: Error) => `failed: ${e.message}`);
        assert.doesNotMatch(body, /hello/);
        const deadline = Date.now() + 10_000;
        while (!/error forwarding port 8081/.test(pf.err()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        assert.match(pf.err(), /an error occurred forwarding \d+ -> 8081: error forwarding port 8081 to pod shpod, uid uid-shpod: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
      } finally {
        await pf.stop();
      }
    });
  }

  test('@kubernetes/client-node: Exec reports the exit code through the status callback; stdin ends', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const exec = new k8s.Exec(kc);
    const run = (command: string[], input?: string) => new Promise<{ out: string; err: string; status: k8s.V1Status }>((resolve, reject) => {
      let out = '';
      let err = '';
      const stdout = new Writable({ write(c, _e, cb) { out += c; cb(); } });
      const stderr = new Writable({ write(c, _e, cb) { err += c; cb(); } });
      const stdin = input === undefined ? null : new PassThrough();
      exec.exec('default', 'shpod', 'main', command, stdout, stderr, stdin, false, (status) => resolve({ out, err, status })).catch(reject);
      if (stdin) setTimeout(() => stdin.end(input), 100);
    });
    const r = await run(['sh', '-c', 'echo out; echo err >&2; exit 7']);
    assert.equal(r.out, 'out\n');
    assert.equal(r.err, 'err\n');
    assert.equal(r.status.status, 'Failure');
    assert.equal(r.status.reason, 'NonZeroExitCode');
    assert.deepEqual(r.status.details?.causes, [{ reason: 'ExitCode', message: '7' }]);
    const ok = await run(['cat'], 'piped\n');
    assert.equal(ok.status.status, 'Success');
    assert.equal(ok.out, 'piped\n');
  });

  test('@kubernetes/client-node: PortForward (WebSocket channels), and a dial error on the error channel', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const forward = new k8s.PortForward(kc);
    const sockets = new Set<Socket>();
    const local = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      forward.portForward('default', 'shpod', [8080], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
    try {
      const port = (local.address() as AddressInfo).port;
      const bodies = await Promise.all(Array.from({ length: 5 }, (_, i) => fetchText(port, `/cn${i}`)));
      bodies.forEach((b, i) => assert.equal(b, `hello-through-forward /cn${i}\n`));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => local.close(r));
    }
    let errText = '';
    const err = new Writable({ write(c, _e, cb) { errText += c; cb(); } });
    const out = new PassThrough();
    const input = new PassThrough();
    const ws = (await forward.portForward('default', 'shpod', [8081], out, err, input)) as unknown as { close(): void };
    const deadline = Date.now() + 5000;
    while (!errText && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ws.close();
    assert.match(errText, /^error forwarding port 8081 to pod shpod, uid uid-shpod: connect ECONNREFUSED/);
  });
});
