// Streams through the whole path, with real kubectl and a real pod (tinykube up, runc):
//  - log follow latency: the benchmark writes a line into a FIFO the container `cat`s to its
//    stdout; the time until `kubectl logs -f` prints it (conmon → CRI log file → agent → API
//    server → kubectl). Reference: the same line seen in the CRI log file on disk (conmon's floor).
//  - port-forward: one large download through `kubectl port-forward` (MiB/s) and small requests
//    each on a new connection (setup + round trip). Reference: the same requests straight to the
//    pod's IP over the bridge.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, watch, writeSync, constants as fsc, statSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realPodsUnavailable, TestCluster, TEST_IMAGE } from '../test/e2e/cluster.js';
import { findKubectl } from '../test/e2e/harness.js';
import { summary, type Row } from './stats.js';

export interface StreamBenchOptions { lines: number; transferMiB: number; transfers: number; connections: number }
export const TINY: StreamBenchOptions = { lines: 10, transferMiB: 4, transfers: 1, connections: 10 };
export const FULL: StreamBenchOptions = { lines: 300, transferMiB: 100, transfers: 5, connections: 200 };

const NET = { podCidr: '10.42.245.0/24', bridge: 'tkbstr0', nodeName: 'bench-streams' };
const ms = (t0: number): number => performance.now() - t0;
const fmt = (s: { p50: number; p99: number }, unit = 'ms'): string => `p50 ${s.p50.toFixed(1)} ${unit}, p99 ${s.p99.toFixed(1)} ${unit}`;
const median = (xs: number[]): number => summary(xs).p50;

/** Lines from a child's stdout, one callback per complete line. */
function onLines(p: ChildProcess, cb: (line: string) => void): void {
  let buf = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      cb(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}

/** Writes `n` numbered lines into the FIFO one at a time; each resolves when `seen(i)` fires for it. */
async function lineLatencies(fifo: number, n: number, waitSeen: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const seen = waitSeen(i);
    const t0 = performance.now();
    writeSync(fifo, `bench-line ${i}\n`);
    await seen;
    out.push(ms(t0));
    await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

/** Resolvers by line number, fed by a line source. */
function lineWaiters() {
  const waiting = new Map<number, () => void>();
  return {
    wait: (i: number) => new Promise<void>((r) => waiting.set(i, r)),
    feed: (line: string) => {
      const m = /bench-line (\d+)$/.exec(line);
      if (!m) return;
      const r = waiting.get(Number(m[1]));
      waiting.delete(Number(m[1]));
      r?.();
    },
  };
}

async function download(url: string): Promise<{ bytes: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  let bytes = 0;
  for await (const chunk of res.body!) bytes += (chunk as Uint8Array).byteLength;
  return { bytes, ms: ms(t0) };
}

/** Small GETs, each on a new TCP connection (no keep-alive), timed one by one. */
async function connectLatencies(host: string, port: number, n: number): Promise<number[]> {
  const { request } = await import('node:http');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      request({ host, port, path: '/small', agent: false }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject).end();
    });
    out.push(ms(t0));
  }
  return out;
}

export async function streamBench(o: StreamBenchOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const kubectl = findKubectl(33) ?? 'kubectl';
  const unavailable = realPodsUnavailable() || (spawnSync(kubectl, ['version', '--client']).status === 0 ? false : 'no kubectl');
  if (unavailable) {
    console.log(`# streams benchmark skipped: ${unavailable}`);
    return { rows: [], raw: { skipped: unavailable } };
  }
  const work = mkdtempSync(join(tmpdir(), 'tinykube-bench-streams-'));
  const fifoPath = join(work, 'in');
  execFileSync('mkfifo', [fifoPath]);
  const cluster = new TestCluster(NET, kubectl);
  const procs: ChildProcess[] = [];
  let fifo = -1;
  try {
    await cluster.start();
    const bytes = o.transferMiB * 1024 * 1024;
    const container = (name: string, script: string, extra: object = {}) => ({ name, image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', script], ...extra });
    await cluster.apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench-streams' },
      spec: {
        volumes: [{ name: 'in', hostPath: { path: work, type: 'Directory' } }],
        containers: [
          container('web', `mkdir -p /www; echo ok > /www/small; head -c ${bytes} /dev/zero > /www/big; exec httpd -f -p 8080 -h /www`),
          container('talker', 'while true; do cat /in/in; done', { volumeMounts: [{ name: 'in', mountPath: '/in' }] }),
        ],
      },
    });
    await cluster.running('bench-streams');
    // The FIFO is opened for writing without blocking once the container's cat holds its read end.
    const until = Date.now() + 20_000;
    while (fifo < 0) {
      try { fifo = openSync(fifoPath, fsc.O_WRONLY | fsc.O_NONBLOCK); } catch (e) {
        if (Date.now() > until) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    // Log follow through kubectl.
    const viaKubectl = lineWaiters();
    const logs = spawn(kubectl, ['logs', '-f', 'bench-streams', '-c', 'talker'], { env: { ...process.env, KUBECONFIG: cluster.server.kubeconfig } });
    procs.push(logs);
    onLines(logs, viaKubectl.feed);
    await lineLatencies(fifo, 3, viaKubectl.wait); // warm: the stream is open end to end
    const follow = await lineLatencies(fifo, o.lines, viaKubectl.wait);
    logs.kill();

    // Reference: the line in the CRI log file, seen by watching it.
    const logDir = findLogDir(cluster.dataDir, 'talker');
    const logFile = join(logDir, readdirSync(logDir).filter((f) => f.endsWith('.log')).sort().pop()!);
    const inFile = lineWaiters();
    let offset = statSync(logFile).size;
    const fd = openSync(logFile, 'r');
    const readNew = () => {
      const size = statSync(logFile).size;
      if (size <= offset) return;
      const b = Buffer.alloc(size - offset);
      readSync(fd, b, 0, b.length, offset);
      offset = size;
      for (const l of b.toString().split('\n')) inFile.feed(l);
    };
    const watcher = watch(logFile, readNew);
    const fileLat = await lineLatencies(fifo, o.lines, inFile.wait);
    watcher.close();
    closeSync(fd);

    // Port-forward: kubectl 1.33 (SPDY tunnelled in WebSocket) and, when installed, 1.27 (SPDY).
    const podIp = (await cluster.pod('bench-streams')).status.podIP as string;
    const rate = (r: { bytes: number; ms: number }) => {
      if (r.bytes !== bytes) throw new Error(`short transfer: ${r.bytes} of ${bytes} bytes`);
      return o.transferMiB / (r.ms / 1000);
    };
    const forwardRates: number[] = [];
    const spdyRates: number[] = [];
    const directRates: number[] = [];
    const old = findKubectl(27);
    const pf = await cluster.portForward('bench-streams', 8080);
    const pfOld = old ? await cluster.portForward('bench-streams', 8080, old) : undefined;
    for (let i = 0; i < o.transfers; i++) {
      forwardRates.push(rate(await download(`http://127.0.0.1:${pf.port}/big`)));
      if (pfOld) spdyRates.push(rate(await download(`http://127.0.0.1:${pfOld.port}/big`)));
      directRates.push(rate(await download(`http://${podIp}:8080/big`)));
    }
    const forwardConnect = await connectLatencies('127.0.0.1', pf.port, o.connections);
    const directConnect = await connectLatencies(podIp, 8080, o.connections);
    pf.stop();
    pfOld?.stop();

    const f = summary(follow);
    const ff = summary(fileLat);
    const fwd = median(forwardRates);
    const dir = median(directRates);
    const fc = summary(forwardConnect);
    const dc = summary(directConnect);
    const rows: Row[] = [
      { name: `log follow: line → kubectl logs -f (n=${o.lines})`, goal: 'p99 ≤ 50 ms', measured: fmt(f), reference: `in log file ${fmt(ff)}`, ratio: `${(f.p50 / ff.p50).toFixed(1)}× at p50`, met: f.p99 <= 50 },
      { name: `port-forward, kubectl 1.33 (WebSocket): ${o.transferMiB} MiB download (median of ${o.transfers})`, goal: '≥ 200 MiB/s', measured: `${fwd.toFixed(0)} MiB/s`, reference: `pod IP direct ${dir.toFixed(0)} MiB/s`, ratio: `${(fwd / dir).toFixed(2)}×`, met: fwd >= 200 },
      ...(spdyRates.length ? [{ name: `port-forward, kubectl 1.27 (SPDY): ${o.transferMiB} MiB download`, goal: '≥ 200 MiB/s', measured: `${median(spdyRates).toFixed(0)} MiB/s`, reference: `pod IP direct ${dir.toFixed(0)} MiB/s`, ratio: `${(median(spdyRates) / dir).toFixed(2)}×`, met: median(spdyRates) >= 200 }] : []),
      { name: `port-forward: new connection + small GET (n=${o.connections})`, goal: 'p50 ≤ 10 ms', measured: fmt(fc), reference: `pod IP direct ${fmt(dc)}`, ratio: `${(fc.p50 / dc.p50).toFixed(1)}× at p50`, met: fc.p50 <= 10 },
    ];
    return { rows, raw: { follow, fileLat, forwardRates, spdyRates, directRates, forwardConnect, directConnect, kubectl } };
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    if (fifo >= 0) closeSync(fifo);
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The directory of a container's CRI log files under the node's data dir. */
function findLogDir(dataDir: string, container: string): string {
  const out = execFileSync('find', [dataDir, '-type', 'd', '-name', container, '-path', '*/logs/*'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (!out.length) throw new Error(`no log directory for ${container} under ${dataDir}`);
  return out[0];
}
