// API benchmark: create throughput with concurrent keep-alive HTTPS clients, GET latency, LIST of
// many pods, watch fan-out latency, cold start to /readyz and idle RSS of the server process.
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../test/e2e/harness.js';
import { summary, type Row } from './stats.js';

export interface ApiBenchOptions {
  creates: number;
  clients: number;
  listSize: number;
  watchers: number;
}

export const TINY: ApiBenchOptions = { creates: 100, clients: 4, listSize: 200, watchers: 5 };
export const FULL: ApiBenchOptions = { creates: 20_000, clients: 8, listSize: 10_000, watchers: 100 };

function rawClient(server: RunningServer, maxSockets: number) {
  const pki = (n: string) => readFileSync(join(server.dataDir, 'pki', n), 'utf8');
  const agent = new Agent({ keepAlive: true, ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key'), maxSockets });
  const url = new URL(server.url);
  /** With `discard`, only counts the body's bytes (so a LIST is timed as the server sends it, not as this client decodes it). */
  const call = (method: string, path: string, body?: string, discard = false): Promise<{ status: number; body: string; bytes: number }> => new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (body) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    const req = request({ host: url.hostname, port: url.port, path, method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (d: Buffer) => { bytes += d.length; if (!discard) chunks.push(d); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), bytes }));
    });
    req.on('error', reject);
    req.end(body);
  });
  return { call, agent, url };
}

const podBody = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

async function coldStart(): Promise<{ ms: number; rss: number }> {
  const t0 = performance.now();
  const server = await startServer();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  const rss = rssMiB(server.proc.pid!);
  await server.stop();
  server.cleanup();
  return { ms, rss };
}

export async function apiBench(o: ApiBenchOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  const cold = await coldStart();
  const server = await startServer();
  const { call, agent } = rawClient(server, o.clients);
  try {
    // Creates/s: `clients` workers over keep-alive connections.
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: o.clients }, async () => {
      while (next < o.creates) {
        const i = next++;
        const r = await call('POST', '/api/v1/namespaces/default/pods', podBody(`pod-${i}`));
        if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.body}`);
      }
    }));
    const createsPerS = o.creates / ((performance.now() - t0) / 1000);

    const gets: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      await call('GET', `/api/v1/namespaces/default/pods/pod-${i % o.creates}`);
      gets.push(performance.now() - t);
    }

    // LIST of listSize pods (topped up if creates was smaller).
    for (let i = o.creates; i < o.listSize; i++) await call('POST', '/api/v1/namespaces/default/pods', podBody(`pod-${i}`));
    const full = JSON.parse((await call('GET', '/api/v1/namespaces/default/pods')).body);
    if (full.items.length < o.listSize) throw new Error('short list');
    const lists: number[] = [];
    let listBytes = 0;
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      listBytes = (await call('GET', '/api/v1/namespaces/default/pods', undefined, true)).bytes;
      lists.push(performance.now() - t);
    }
    const rssStored = rssMiB(server.proc.pid!);

    // Watch fan-out: `watchers` watches; time from the write's response to each watcher's event.
    const fanout = await watchFanout(server, o.watchers, 20);
    return {
      rows: [
        { name: `creates/s (${o.clients} clients, HTTPS keep-alive)`, goal: '>= 3000/s', measured: createsPerS.toFixed(0), met: createsPerS >= 3000 },
        { name: 'GET pod p99', goal: '<= 5 ms', measured: `${summary(gets).p99.toFixed(2)} ms (p50 ${summary(gets).p50.toFixed(2)})`, met: summary(gets).p99 <= 5 },
        { name: `LIST ${o.listSize} pods p50 (${(listBytes / 2 ** 20).toFixed(1)} MiB)`, goal: '<= 150 ms', measured: `${summary(lists).p50.toFixed(1)} ms`, met: summary(lists).p50 <= 150 },
        { name: `watch fan-out to ${o.watchers} p99`, goal: '<= 20 ms', measured: `${fanout.p99.toFixed(1)} ms (p50 ${fanout.p50.toFixed(1)})`, met: fanout.p99 <= 20 },
        { name: 'cold start to ready', goal: '<= 1000 ms', measured: `${cold.ms.toFixed(0)} ms`, met: cold.ms <= 1000 },
        { name: 'idle RSS', goal: '<= 100 MiB', measured: `${cold.rss.toFixed(0)} MiB`, met: cold.rss <= 100 },
        { name: `RSS with ${o.listSize} pods stored`, goal: '<= 500 MiB', measured: `${rssStored.toFixed(0)} MiB`, met: rssStored <= 500 },
      ],
      raw: { createsPerS, get: summary(gets), list: summary(lists), listBytes, fanout, cold, rssStored, options: o },
    };
  } finally {
    agent.destroy();
    await server.stop();
    server.cleanup();
  }
}

async function watchFanout(server: RunningServer, watchers: number, writes: number) {
  const { call, agent, url } = rawClient(server, 4);
  const pki = (n: string) => readFileSync(join(server.dataDir, 'pki', n), 'utf8');
  const watchAgent = new Agent({ keepAlive: true, ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key'), maxSockets: watchers + 1 });
  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  const list = JSON.parse((await call('GET', '/api/v1/namespaces/kube-public/pods')).body);
  const reqs = Array.from({ length: watchers }, () => new Promise<() => void>((ready) => {
    const req = request({ host: url.hostname, port: url.port, path: `/api/v1/namespaces/kube-public/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`, agent: watchAgent }, (res) => {
      let buf = '';
      res.on('data', (d) => {
        const now = performance.now();
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          const t = sentAt.get(ev.object.metadata.name);
          if (t !== undefined) delays.push(now - t);
        }
      });
      ready(() => req.destroy());
    });
    req.on('error', () => {});
    req.end();
  }));
  const closers = await Promise.all(reqs);
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < writes; i++) {
    const name = `fan-${i}`;
    sentAt.set(name, performance.now());
    await call('POST', '/api/v1/namespaces/kube-public/pods', podBody(name));
    await new Promise((r) => setTimeout(r, 20));
  }
  for (let i = 0; i < 50 && delays.length < watchers * writes; i++) await new Promise((r) => setTimeout(r, 20));
  closers.forEach((c) => c());
  agent.destroy();
  watchAgent.destroy();
  if (delays.length < watchers * writes) throw new Error(`watch fan-out lost events: ${delays.length}/${watchers * writes}`);
  return summary(delays);
}
