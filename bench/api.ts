// API benchmark, against a real `tinykube server` child process over HTTPS with client certificates:
// create throughput with 8 and 64 concurrent keep-alive clients, GET latency, LIST latency of 1k,
// 10k and 50k pods, and watch fan-out latency to 100 and 1000 watchers. Each row has a reference
// measured in the same run: the same requests, bytes and watch lines served by a bare Node.js HTTPS
// server that does no API work (bench/floor.ts), i.e. the transport floor on this machine.
import { rmSync } from 'node:fs';
import { startProcess, type BenchProcess } from './controlplane.js';
import { nameInLine, rawClient } from './http.js';
import { summary, type Row } from './stats.js';

export interface ApiBenchOptions {
  /** Pods created per client count (the creates/s rows). */
  creates: number;
  clients: number[];
  gets: number;
  /** LIST sizes, each in its own namespace. */
  listSizes: number[];
  lists: number;
  watchers: number[];
  /** Events per fan-out run. */
  events: number;
}

export const TINY: ApiBenchOptions = { creates: 100, clients: [4, 8], gets: 50, listSizes: [50, 200], lists: 2, watchers: [5, 10], events: 3 };
export const FULL: ApiBenchOptions = { creates: 20_000, clients: [8, 64], gets: 2000, listSizes: [1000, 10_000, 50_000], lists: 10, watchers: [100, 1000], events: 20 };

const podBody = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
const nsBody = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const f1 = (n: number) => n.toFixed(n < 10 ? 2 : 1);
const lat = (s: { p50: number; p99: number }) => `p50 ${f1(s.p50)} ms, p99 ${f1(s.p99)} ms`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Client = ReturnType<typeof rawClient>;

async function createRate(http: Client, path: string, n: number, clients: number, from: number, name: (i: number) => string, body = podBody): Promise<number> {
  const t0 = performance.now();
  await http.createMany(path, n, clients, (i) => body(name(i)), from);
  return n / ((performance.now() - t0) / 1000);
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * `watchers` watches of `watchPath`; `events` writes (`emit(i)`) 20 ms apart; the time from each
 * write's start to each watcher's line for it.
 */
async function fanout(target: BenchProcess, watchers: number, events: number, watchPath: string, emit: (http: Client, name: string) => Promise<void>) {
  const watch = rawClient(target, watchers + 1);
  const http = rawClient(target, 2);
  const sentAt = new Map<string, number>();
  const delays: number[] = [];
  const tag = `fan-${watchers}-${Math.random().toString(36).slice(2, 7)}`;
  try {
    const closers: { close(): void }[] = [];
    // Opened a few at a time: a thousand TLS handshakes at once only measure the handshake queue.
    for (let i = 0; i < watchers; i += 50) {
      closers.push(...await Promise.all(Array.from({ length: Math.min(50, watchers - i) }, () => watch.watchLines(watchPath, (line, at) => {
        const name = nameInLine(line);
        const t = name === undefined ? undefined : sentAt.get(name);
        if (t !== undefined) delays.push(at - t);
      }))));
    }
    await sleep(300);
    for (let i = 0; i < events; i++) {
      const name = `${tag}-${i}`;
      sentAt.set(name, performance.now());
      await emit(http, name);
      await sleep(20);
    }
    for (let i = 0; i < 250 && delays.length < watchers * events; i++) await sleep(20);
    closers.forEach((c) => c.close());
    if (delays.length < watchers * events) throw new Error(`watch fan-out lost events: ${delays.length}/${watchers * events}`);
    return summary(delays);
  } finally {
    watch.close();
    http.close();
  }
}

export async function apiBench(o: ApiBenchOptions): Promise<{ rows: Row[]; raw: Record<string, unknown> }> {
  // The control plane without its scheduler: with no nodes, a scheduler would write an Unschedulable
  // condition on each created pod, and this bench times the API server alone.
  const server = await startProcess({ kind: 'controlplane', args: ['--scheduler', 'none'] });
  // The floor server uses the API server's certificates (same key sizes, same client-cert check).
  const floor = await startProcess({ kind: 'floor', dataDir: server.dataDir });
  const rows: Row[] = [];
  const raw: Record<string, unknown> = { options: o };
  const http = rawClient(server, Math.max(...o.clients));
  const fhttp = rawClient(floor, Math.max(...o.clients));
  try {
    // Creates/s: `clients` workers over keep-alive connections, into namespace `bench`.
    await http.call('POST', '/api/v1/namespaces', nsBody('bench'));
    let created = 0;
    const creates: Record<string, unknown> = {};
    for (const c of o.clients) {
      const rate = await createRate(http, '/api/v1/namespaces/bench/pods', o.creates, c, created, (i) => `pod-${i}`);
      created += o.creates;
      const floorRate = await createRate(fhttp, '/create', Math.min(o.creates, 10_000), c, 0, (i) => `pod-${i}`);
      creates[c] = { rate, floorRate };
      rows.push({
        name: `api: creates/s, ${c} clients`, goal: '>= 3000/s', measured: `${rate.toFixed(0)}/s`,
        reference: `bare HTTPS ${floorRate.toFixed(0)}/s`, ratio: ratio(rate, floorRate), met: rate >= 3000,
      });
    }
    raw.creates = creates;

    // GET of one pod.
    const one = await http.call('GET', '/api/v1/namespaces/bench/pods/pod-0');
    await fhttp.call('PUT', '/object', one.body);
    const gets = summary(await timed(o.gets, () => http.call('GET', `/api/v1/namespaces/bench/pods/pod-${Math.floor(Math.random() * created)}`)));
    const fgets = summary(await timed(o.gets, () => fhttp.call('GET', '/object')));
    raw.get = { api: gets, floor: fgets };
    rows.push({ name: 'api: GET pod', goal: 'p99 <= 5 ms', measured: lat(gets), reference: `bare HTTPS ${lat(fgets)}`, ratio: ratio(gets.p50, fgets.p50), met: gets.p99 <= 5 });

    // LISTs: each size in its own namespace; the client only counts bytes, so the time is the server's plus the transfer.
    const lists: Record<string, unknown> = {};
    for (const n of o.listSizes) {
      const ns = `list-${n}`;
      await http.call('POST', '/api/v1/namespaces', nsBody(ns));
      await http.createMany(`/api/v1/namespaces/${ns}/pods`, n, Math.max(...o.clients), (i) => podBody(`pod-${i}`));
      const full = await http.call('GET', `/api/v1/namespaces/${ns}/pods`);
      const count = (full.body.match(/"kind":"Pod"|"uid":/g) ?? []).length;
      if (count < n) throw new Error(`short list: ${count} of ${n}`);
      await fhttp.call('PUT', '/list', full.body);
      const reps = n >= 50_000 ? Math.max(2, Math.ceil(o.lists / 2)) : o.lists;
      const api = summary(await timed(reps, () => http.call('GET', `/api/v1/namespaces/${ns}/pods`, undefined, true)));
      const fl = summary(await timed(reps, () => fhttp.call('GET', '/list', undefined, true)));
      lists[n] = { api, floor: fl, bytes: full.bytes };
      const goal = n === 10_000 ? '<= 150 ms' : '-';
      rows.push({
        name: `api: LIST ${n} pods (${(full.bytes / 2 ** 20).toFixed(1)} MiB)`, goal: n === 10_000 ? 'p50 <= 150 ms' : goal, measured: lat(api),
        reference: `bare HTTPS, same bytes ${lat(fl)}`, ratio: ratio(api.p50, fl.p50), ...(n === 10_000 ? { met: api.p50 <= 150 } : {}),
      });
    }
    raw.list = lists;

    // Watch fan-out on a namespace of its own.
    const fan: Record<string, unknown> = {};
    for (const w of o.watchers) {
      const ns = `watch-${w}`;
      await http.call('POST', '/api/v1/namespaces', nsBody(ns));
      const rv = (JSON.parse((await http.call('GET', `/api/v1/namespaces/${ns}/pods`)).body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      const api = await fanout(server, w, o.events, `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}`, async (c, name) => {
        const r = await c.call('POST', `/api/v1/namespaces/${ns}/pods`, podBody(name));
        if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.body}`);
      });
      const fl = await fanout(floor, w, o.events, '/watch', async (c, name) => { await c.call('POST', '/emit', podBody(name)); });
      fan[w] = { api, floor: fl };
      rows.push({
        name: `api: watch fan-out to ${w} watchers`, goal: 'p99 <= 20 ms', measured: lat(api),
        reference: `bare HTTPS ${lat(fl)}`, ratio: ratio(api.p99, fl.p99), met: api.p99 <= 20,
      });
    }
    raw.fanout = fan;
    return { rows, raw };
  } finally {
    http.close();
    fhttp.close();
    await floor.stop();
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}
