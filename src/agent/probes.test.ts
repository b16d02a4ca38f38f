import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import { execProbe, grpcProbe, httpProbe, Prober, ProbeWorker, resolvePort, runProbe, tcpProbe, type ProbeKind, type ProbeOutcome, type RunView } from './probes.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const running = (id: string, startedAt = '2026-01-01T00:00:00Z'): RunView => ({ id, running: true, startedAt });

/** A worker whose probe answers from `answers` in turn; records what it reports. */
function worker(kind: ProbeKind, probe: Probe, answers: ProbeOutcome['result'][]) {
  const log = { changed: 0, failed: 0, kills: [] as string[], runs: 0 };
  const w = new ProbeWorker(kind, { periodSeconds: 1, successThreshold: 1, failureThreshold: 3, ...probe }, {
    run: async () => { log.runs++; return { result: answers.shift() ?? 'success', output: 'out' }; },
    changed: () => { log.changed++; },
    failed: () => { log.failed++; },
    kill: (_k, id) => { log.kills.push(id); },
  });
  return { w, log };
}

test('readiness starts failed and flips after successThreshold successes, back after failureThreshold failures', async () => {
  const { w, log } = worker('readiness', { successThreshold: 2, failureThreshold: 2 }, ['success', 'failure', 'success', 'success', 'failure', 'failure']);
  const r = running('a');
  w.track(r);
  assert.equal(w.resultFor('a'), 'failure');
  assert.equal(w.resultFor('b'), undefined, 'no result for another run');
  const results: string[] = [];
  for (let i = 0; i < 6; i++) { await w.step(r, true, T0 + 5000); results.push(w.result); }
  assert.deepEqual(results, ['failure', 'failure', 'failure', 'success', 'success', 'failure']);
  assert.equal(log.failed, 3, 'every failed probe is reported (Unhealthy)');
  assert.equal(log.kills.length, 0, 'readiness never kills');
});

test('liveness: a kill at failureThreshold, then on hold until a new run; the new run starts from success', async () => {
  const { w, log } = worker('liveness', { failureThreshold: 2 }, ['failure', 'failure', 'failure', 'failure']);
  const r = running('a');
  await w.step(r, true, T0 + 5000);
  assert.equal(w.result, 'success');
  await w.step(r, true, T0 + 5000);
  assert.equal(w.result, 'failure');
  assert.deepEqual(log.kills, ['a']);
  await w.step(r, true, T0 + 5000);
  assert.equal(log.runs, 2, 'no probing while on hold');
  await w.step(running('b'), true, T0 + 5000);
  assert.equal(w.resultFor('b'), 'success');
  assert.equal(log.runs, 3);
});

test('initialDelaySeconds, startup gating and non-running runs', async () => {
  const live = worker('liveness', { initialDelaySeconds: 10 }, []);
  await live.w.step(running('a'), true, T0 + 9000);
  assert.equal(live.log.runs, 0, 'within the initial delay');
  await live.w.step(running('a'), true, T0 + 10_000);
  assert.equal(live.log.runs, 1);
  const ready = worker('readiness', {}, []);
  await ready.w.step(running('a'), false, T0 + 1000);
  assert.equal(ready.log.runs, 0, 'readiness waits for the startup probe');
  const startup = worker('startup', {}, ['success']);
  await startup.w.step(running('a'), false, T0);
  assert.equal(startup.w.result, 'success');
  await startup.w.step(running('a'), true, T0);
  assert.equal(startup.log.runs, 1, 'startup stops probing once started');
  const r = worker('readiness', {}, ['success']);
  await r.w.step(running('a'), true, T0);
  assert.equal(r.w.result, 'success');
  await r.w.step({ id: 'a', running: false }, true, T0);
  assert.equal(r.w.result, 'failure', 'an exited run is not ready');
});

test('unknown outcomes (prober errors) are thrown away', async () => {
  const { w } = worker('readiness', {}, ['unknown', 'success']);
  await w.step(running('a'), true, T0);
  assert.equal(w.result, 'failure');
  await w.step(running('a'), true, T0);
  assert.equal(w.result, 'success');
});

test('Prober: started and ready per run, timers probe on their own, a startup failure asks for a kill', async () => {
  const containers: Container[] = [
    { name: 'web', image: 'x', startupProbe: { periodSeconds: 1, failureThreshold: 1 }, readinessProbe: { periodSeconds: 1 } },
    { name: 'plain', image: 'x' },
  ];
  const answers: Record<string, ProbeOutcome['result'][]> = { startup: ['success'], readiness: ['success'] };
  const kills: string[] = [];
  let changed = 0;
  const prober = new Prober(containers, {
    run: async (_c, p) => ({ result: (p === containers[0].startupProbe ? answers.startup : answers.readiness).shift() ?? 'failure', output: '' }),
    changed: () => { changed++; },
    failed: () => {},
    kill: (name, kind, id) => { kills.push(`${name}/${kind}/${id}`); },
  });
  const now = new Date().toISOString();
  assert.equal(prober.started('plain', 'p1'), true);
  assert.equal(prober.ready('plain', 'p1'), true);
  assert.equal(prober.started('web', 'w1'), false);
  prober.observe(new Map([['web', running('w1', now)], ['plain', running('p1', now)]]));
  const until = Date.now() + 3000;
  while (!prober.ready('web', 'w1') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.equal(prober.started('web', 'w1'), true);
  assert.equal(prober.ready('web', 'w1'), true, 'readiness probed right after startup succeeded');
  assert.ok(changed >= 2);
  assert.equal(prober.ready('web', 'w2'), false, 'a new run is not ready');
  prober.observe(new Map([['web', running('w2', new Date().toISOString())]]));
  while (!kills.length && Date.now() < until + 3000) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(kills, ['web/startup/w2']);
  prober.stop();
});

test('resolvePort: numbers, numeric strings and named container ports', () => {
  const c: Container = { name: 'c', ports: [{ name: 'http', containerPort: 8080 }] };
  assert.equal(resolvePort(80, c), 80);
  assert.equal(resolvePort('81', c), 81);
  assert.equal(resolvePort('http', c), 8080);
  assert.equal(resolvePort('nope', c), undefined);
});

test('exec probes: exit code, output, timeout', async () => {
  const sh = (script: string) => () => spawn('sh', ['-c', script]);
  assert.deepEqual(await execProbe(sh('echo fine'), ['x'], 1000), { result: 'success', output: 'fine\n' });
  assert.deepEqual(await execProbe(sh('echo bad >&2; exit 3'), ['x'], 1000), { result: 'failure', output: 'bad\n' });
  const t0 = Date.now();
  const slow = await execProbe(sh('exec sleep 5'), ['sleep', '5'], 200);
  assert.equal(slow.result, 'failure');
  assert.match(slow.output, /timed out/);
  assert.ok(Date.now() - t0 < 1500);
  const viaRunProbe = await runProbe({ exec: { command: ['true'] } }, { container: { name: 'c' }, exec: (argv) => spawn(argv[0], argv.slice(1)) });
  assert.equal(viaRunProbe.result, 'success');
});

test('http probes: 2xx/3xx succeed, others fail with the status, refused connections fail; headers and user agent are sent', async () => {
  const seen: Record<string, string | undefined> = {};
  const server = createServer((req, res) => {
    seen.ua = req.headers['user-agent'];
    seen.custom = req.headers['x-probe'] as string | undefined;
    const code = Number(req.url!.slice(1)) || 200;
    if (code === 999) return; // never answers
    res.writeHead(code).end('body');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    assert.equal((await httpProbe(new URL(`http://127.0.0.1:${port}/200`), { 'X-Probe': 'yes' }, 1000)).result, 'success');
    assert.equal(seen.ua, 'kube-probe/1.33');
    assert.equal(seen.custom, 'yes');
    assert.equal((await httpProbe(new URL(`http://127.0.0.1:${port}/302`), {}, 1000)).result, 'success');
    assert.deepEqual(await httpProbe(new URL(`http://127.0.0.1:${port}/500`), {}, 1000), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
    const slow = await httpProbe(new URL(`http://127.0.0.1:${port}/999`), {}, 200);
    assert.equal(slow.result, 'failure');
    const viaRunProbe = await runProbe({ httpGet: { port: 'web', path: 'healthz' } }, { container: { name: 'c', ports: [{ name: 'web', containerPort: port }] }, podIP: '127.0.0.1', exec: () => { throw new Error('no'); } });
    assert.equal(viaRunProbe.result, 'success');
  } finally {
    server.closeAllConnections();
    server.close();
  }
  const refused = await httpProbe(new URL(`http://127.0.0.1:${port}/`), {}, 1000);
  assert.equal(refused.result, 'failure');
  assert.match(refused.output, /^Get "http:\/\/127\.0\.0\.1:\d+\/": .*ECONNREFUSED/);
});

test('tcp probes: open port succeeds, closed port fails', async () => {
  const server = createTcpServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  assert.equal((await tcpProbe('127.0.0.1', port, 1000)).result, 'success');
  server.close();
  const closed = await tcpProbe('127.0.0.1', port, 1000);
  assert.equal(closed.result, 'failure');
  assert.match(closed.output, new RegExp(`^dial tcp 127.0.0.1:${port}: `));
});

test('grpc probes: the standard health service, SERVING or not', async () => {
  let status = 1;
  const server = createH2Server();
  server.on('stream', (stream) => {
    stream.on('data', () => {});
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, status]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    assert.equal((await grpcProbe('127.0.0.1', port, '', 1000)).result, 'success');
    status = 2;
    assert.deepEqual(await grpcProbe('127.0.0.1', port, 'svc', 1000), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
  } finally {
    server.close();
  }
});
