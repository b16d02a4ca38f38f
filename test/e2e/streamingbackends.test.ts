// The backends of kubectl logs, exec and port-forward (src/agent/streaming/) against real
// containers: runc + conmon + CNI, the busybox test image imported into an image store, on a
// network of this test's own (10.46.1.0/24 on bridge tkstrm0, so it never meets other tests).
// Prints the figures: follow latency, exec start, dial setup and throughput. Everything made is
// checked to be gone at the end (processes, netns, mounts, temp dirs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runtime, type ContainerSpec, type RuntimeOptions, type Sandbox } from '../../src/agent/runtime/index.js';
import { ImageStore } from '../../src/agent/runtime/images/index.js';
import { findTools, which } from '../../src/agent/runtime/tools.js';
import { execInContainer, type ExecIO, type TerminalSize } from '../../src/agent/streaming/exec.js';
import { logTimeMs, rotatedLogFiles, rotateLogIfNeeded, streamLogs, type LogOptions } from '../../src/agent/streaming/logs.js';
import { DialError, dialInNetns, netnsDialerPids } from '../../src/agent/streaming/portforward.js';
import { BUSYBOX, buildBusyboxImage } from './fixtures/images.js';

const POD_CIDR = '10.46.1.0/24';
const CLUSTER_CIDR = '10.46.0.0/16';
const BRIDGE = 'tkstrm0';
const IMAGE = 'docker.io/tinykube/busybox:streaming';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BIG = 100 * 1024 * 1024;

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (runc, netns, mounts)';
  if (!existsSync(BUSYBOX)) return `${BUSYBOX} missing (apt-get install busybox-static)`;
  try {
    findTools('/usr/lib/cni');
  } catch (e) {
    return (e as Error).message;
  }
  for (const [tool, pkg] of [['nsenter', 'util-linux'], ['stty', 'coreutils']]) if (!which(tool)) return `${tool} missing (apt-get install ${pkg})`;
  if (existsSync(`/sys/class/net/${BRIDGE}`)) return `bridge ${BRIDGE} exists: another run of this test is going on`;
  return undefined;
}
const skip = skipReason();
if (skip) console.log(`# streaming backends e2e skipped: ${skip}`);

const nowMs = (): number => performance.timeOrigin + performance.now();
const pct = (values: number[], p: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (values: number[]): string => `p50 ${pct(values, 50).toFixed(2)} p90 ${pct(values, 90).toFixed(2)} p99 ${pct(values, 99).toFixed(2)} max ${Math.max(...values).toFixed(2)} (n=${values.length})`;

/** Collects output, noting when each chunk arrived. */
class Sink extends Writable {
  chunks: Array<{ at: number; data: Buffer }> = [];
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.chunks.push({ at: nowMs(), data: chunk });
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks.map((c) => c.data)).toString();
  }
}

/** As the protocol layer's ResizeEmitter: sizes given before a listener arrive just after it is added. */
function resizer(first?: TerminalSize): EventEmitter {
  const e = new EventEmitter();
  if (first) e.on('newListener', (ev) => { if (ev === 'resize') queueMicrotask(() => e.emit('resize', first)); });
  return e;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve().then(probe).catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** An HTTP/1.0 GET over a Duplex: status line and body length (the body kept when small). */
function httpGet(conn: Duplex, path: string): Promise<{ status: string; length: number; body: string }> {
  return new Promise((resolve, reject) => {
    const head: Buffer[] = [];
    let headDone = false;
    let length = 0;
    let status = '';
    let body = '';
    conn.on('data', (b: Buffer) => {
      if (headDone) {
        length += b.length;
        if (body.length < 1024) body += b.toString();
        return;
      }
      head.push(b);
      const all = Buffer.concat(head);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      headDone = true;
      status = all.subarray(0, all.indexOf('\r\n')).toString();
      const rest = all.subarray(end + 4);
      length += rest.length;
      body += rest.toString();
    });
    conn.once('end', () => resolve({ status, length, body }));
    conn.once('error', reject);
    conn.write(`GET ${path} HTTP/1.0\r\nHost: pod\r\n\r\n`);
  });
}

const processesMentioning = (needles: string[]): string[] => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
  try {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return [];
    const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return needles.some((n) => cmd.includes(n)) ? [`${p}: ${cmd}`] : [];
  } catch {
    return [];
  }
});
const alive = (pid: string): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};
const ourTempDirs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('tkexec-') || n.startsWith('tkpf-'));

describe('streaming backends: logs, exec and port-forward against runc containers', { skip }, () => {
  const tmp = skip ? '' : mkdtempSync(join(tmpdir(), 'tkstrm-'));
  const opts: RuntimeOptions = { stateDir: join(tmp, 'state'), logDir: join(tmp, 'logs'), podCidr: POD_CIDR, clusterCidr: CLUSTER_CIDR, bridge: BRIDGE };
  const figures: string[] = [];
  const tempDirsBefore = skip ? [] : ourTempDirs();
  const exited = new Map<string, () => void>();
  let rt: Runtime;
  let sb: Sandbox;
  let layers: string[];

  const logPath = (name: string): string => join(opts.logDir, `default_streaming_uid-streaming`, name, '0.log');
  const spec = (name: string, command: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec => ({
    name, attempt: 0, lowerDirs: layers, command, env: [PATH_ENV, 'HOME=/root'], mounts: [], logPath: logPath(name), ...extra,
  });
  /** Creates and starts a container; `ended` resolves when it exits. */
  async function run(name: string, script: string, extra: Partial<ContainerSpec> = {}): Promise<{ id: string; ended: Promise<void> }> {
    const id = await rt.createContainer(sb, spec(name, ['sh', '-c', script], extra));
    const ended = new Promise<void>((resolve) => exited.set(id, resolve));
    await rt.startContainer(id);
    return { id, ended };
  }
  const noAbort = new AbortController().signal;
  async function logs(name: string, o: LogOptions = {}): Promise<string> {
    const out = new Sink();
    await streamLogs(logPath(name), o, out, Promise.resolve(), noAbort);
    return out.text;
  }
  const io = (extra: Partial<ExecIO> = {}): ExecIO & { stdout: Sink; stderr: Sink } =>
    ({ stdout: new Sink(), stderr: new Sink(), tty: false, resize: resizer(), signal: noAbort, ...extra }) as ExecIO & { stdout: Sink; stderr: Sink };

  before(async () => {
    const built = buildBusyboxImage(join(tmp, 'layout'), { tag: IMAGE, tarball: join(tmp, 'busybox.tar') });
    const [image] = await new ImageStore(join(tmp, 'images')).importArchive(built.tarball!);
    layers = image.layers;
    rt = new Runtime(opts);
    await rt.init();
    rt.onExit((id) => exited.get(id)?.());
    sb = await rt.runSandbox({ uid: 'uid-streaming', name: 'streaming', namespace: 'default', hostname: 'streaming', shareProcessNamespace: false, hostPorts: [] });
    assert.match(sb.podIP, /^10\.46\.1\.\d+$/);
  });

  after(async () => {
    await rt?.cleanupAll().catch((e) => console.log(`# cleanupAll failed: ${(e as Error).message}`));
    if (tmp && !readFileSync('/proc/self/mountinfo', 'utf8').includes(tmp)) rmSync(tmp, { recursive: true, force: true });
    for (const f of figures) console.log(`# ${f}`);
  });

  it('logs: stdout and stderr in order, partial lines joined, timestamps, tail, since, limitBytes', async () => {
    await run('talker', 'echo out-1; usleep 50000; echo err-1 >&2; usleep 50000; printf part-; usleep 50000; echo err-2 >&2; usleep 50000; echo ial; exec sleep 3600');
    await eventually('the talker\'s last line', () => existsSync(logPath('talker')) && readFileSync(logPath('talker'), 'utf8').includes(' ial'));
    const raw = readFileSync(logPath('talker'), 'utf8');
    assert.match(raw, / stdout P part-\n[^\n]* stderr F err-2\n[^\n]* stdout F ial\n/, 'conmon wrote the partial line in two records');
    assert.equal(await logs('talker'), 'out-1\nerr-1\nerr-2\npart-ial\n');
    const stamped = (await logs('talker', { timestamps: true })).trimEnd().split('\n');
    assert.equal(stamped.length, 4);
    for (const l of stamped) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (out-1|err-1|err-2|part-ial)$/);
    assert.equal(await logs('talker', { tailLines: 1 }), 'part-ial\n');
    assert.equal(await logs('talker', { tailLines: 2 }), 'err-2\npart-ial\n');
    assert.equal(await logs('talker', { tailLines: 0 }), '');
    assert.equal(await logs('talker', { limitBytes: 8 }), 'out-1\ner');
    const err1At = new Date(logTimeMs(stamped[1].split(' ')[0]));
    assert.equal(await logs('talker', { sinceTime: err1At }), 'err-1\nerr-2\npart-ial\n');
    assert.equal(await logs('talker', { sinceSeconds: 3600 }), 'out-1\nerr-1\nerr-2\npart-ial\n');
    assert.equal(await logs('talker', { sinceTime: new Date(Date.now() + 60_000) }), '');
  });

  it('logs -f: new lines arrive promptly; the stream ends once the container has exited and its log is drained', async () => {
    const { id, ended } = await run('ticker', 'trap "echo bye; exit 0" TERM; echo ready; usleep 500000; i=0; while [ $i -lt 60 ]; do echo "tick $i"; i=$((i+1)); usleep 20000; done; while :; do sleep 1 & wait $!; done');
    const out = new Sink();
    const t0 = nowMs();
    let endedAt = 0;
    const done = streamLogs(logPath('ticker'), { follow: true, timestamps: true }, out, ended.then(() => { endedAt = nowMs(); }), noAbort);
    await eventually('60 ticks', () => out.text.includes('tick 59\n'));
    // Latency: from conmon's timestamp on the line (when it read it from the container) to its arrival here.
    const latencies: number[] = [];
    for (const { at, data } of out.chunks) {
      for (const line of data.toString().split('\n')) {
        const m = /^(\S+) tick \d+$/.exec(line);
        if (m && logTimeMs(m[1]) > t0) latencies.push(at - logTimeMs(m[1]));
      }
    }
    assert.ok(latencies.length >= 50, `only ${latencies.length} ticks after the follow started`);
    figures.push(`logs -f latency, conmon's timestamp → client (ms): ${fmt(latencies)}`);
    assert.ok(pct(latencies, 50) < 50, `follow latency p50 ${pct(latencies, 50)} ms`);

    await rt.stopContainer(id, 5);
    await done;
    const resolvedAt = nowMs();
    assert.match(out.text, /Z ready\n/);
    assert.match(out.text, /Z bye\n$/, 'the last line, written while stopping, is there');
    figures.push(`logs -f end after the container exited: ${(resolvedAt - endedAt).toFixed(1)} ms`);
    assert.ok(resolvedAt - endedAt < 1000);
  });

  it('rotation: renames past the size, conmon reopens, at most maxFiles kept; a follow misses nothing', async () => {
    const { id, ended } = await run('seq', 'i=0; while :; do echo "seq $i"; i=$((i+1)); usleep 2000; done');
    const path = logPath('seq');
    await eventually('the seq log', () => existsSync(path) && statSync(path).size > 0);
    const followed = new Sink();
    const follow = streamLogs(path, { follow: true }, followed, ended, noAbort);
    const dir = rt.containerDir(id);
    assert.ok(existsSync(join(dir, 'ctl')), 'conmon\'s ctl FIFO is in the container dir');
    let rotations = 0;
    for (let i = 0; i < 5; i++) {
      await eventually('the log to grow past 2 KiB', () => existsSync(path) && statSync(path).size > 2048);
      assert.equal(await rotateLogIfNeeded(dir, path, 2048, 2), true);
      rotations++;
      assert.ok(existsSync(path), 'conmon made a new file');
      assert.ok((await rotatedLogFiles(path)).length <= 2);
    }
    assert.equal(await rotateLogIfNeeded(dir, path, 1 << 30, 2), false, 'below the size');
    await eventually('lines in the new file', () => statSync(path).size > 100);
    await rt.stopContainer(id, 0);
    await follow;
    const seen = followed.text.trimEnd().split('\n').map((l) => Number(/^seq (\d+)$/.exec(l)?.[1]));
    assert.ok(seen.length > 200, `${seen.length} lines`);
    assert.ok(seen.every((n, i) => n === i), 'the follow saw every line once, in order, across 5 rotations');
    const kept = (await logs('seq')).trimEnd().split('\n').map((l) => Number(/^seq (\d+)$/.exec(l)?.[1]));
    assert.equal(kept.at(-1), seen.at(-1));
    assert.ok(kept.every((n, i) => i === 0 || n === kept[i - 1] + 1), 'the kept files are contiguous');
    assert.ok(kept[0] > 0, 'the oldest files were removed');
    assert.equal((await rotatedLogFiles(path)).length, 2);
    const size = statSync(path).size;
    const conmonPid = readFileSync(join(dir, 'conmon.pid'), 'utf8').trim();
    await eventually('conmon to exit', () => !alive(conmonPid));
    assert.equal(await rotateLogIfNeeded(dir, path, 10, 2), false, 'conmon is gone: nothing rotated');
    assert.equal(statSync(path).size, size);
    figures.push(`rotation: ${rotations} rotations under a follow, ${seen.length} lines, none lost`);
  });

  let shell: string;

  it('exec: exit codes, stdout/stderr, stdin, a missing binary, abort; start latency', async () => {
    ({ id: shell } = await run('shell', 'exec sleep 3600'));
    const a = io();
    assert.deepEqual(await execInContainer(rt, shell, ['sh', '-c', 'echo out; echo err >&2; exit 7'], a), { exitCode: 7 });
    assert.equal(a.stdout.text, 'out\n');
    assert.equal(a.stderr.text, 'err\n');
    assert.deepEqual(await execInContainer(rt, shell, ['true'], io()), { exitCode: 0 });
    assert.deepEqual(await execInContainer(rt, shell, ['sh', '-c', 'kill -TERM $$'], io()), { exitCode: 128 + 15 });

    const stdin = new PassThrough();
    const b = io({ stdin });
    const fed = execInContainer(rt, shell, ['sh', '-c', 'read a; echo "got $a"; wc -c'], b);
    stdin.write('first line\n');
    stdin.end(Buffer.alloc(1 << 20, 0x61));
    assert.deepEqual(await fed, { exitCode: 0 });
    assert.match(b.stdout.text, new RegExp(`^got first line\n\\s*${1 << 20}\n$`));

    const c = io();
    const missing = await execInContainer(rt, shell, ['nosuch', 'arg'], c);
    assert.ok('error' in missing, JSON.stringify(missing));
    assert.match(missing.error, /exec: "nosuch": executable file not found in \$PATH/);
    assert.equal(c.stdout.text + c.stderr.text, '', 'runc\'s message is the error, not output');

    const ac = new AbortController();
    const t0 = Date.now();
    const sleeping = execInContainer(rt, shell, ['sleep', '99'], io({ signal: ac.signal }));
    await sleep(300);
    ac.abort();
    assert.deepEqual(await sleeping, { exitCode: 137 });
    assert.ok(Date.now() - t0 < 3000);
    const ps = io();
    await execInContainer(rt, shell, ['ps', '-o', 'args'], ps);
    assert.doesNotMatch(ps.stdout.text, /sleep 99/, 'the aborted process is gone');

    const starts: number[] = [];
    for (let i = 0; i < 15; i++) {
      const o = io();
      const s0 = nowMs();
      await execInContainer(rt, shell, ['echo', 'hi'], o);
      starts.push(o.stdout.chunks[0].at - s0);
    }
    figures.push(`exec start, call → first output byte of \`echo hi\` (ms): ${fmt(starts)}`);
  });

  it('exec -t: a terminal with the client\'s size, resized on request (stty size), exit code', async () => {
    const stdin = new PassThrough();
    const t = io({ tty: true, stdin, resize: resizer({ width: 80, height: 24 }) });
    const done = execInContainer(rt, shell, ['sh'], t);
    const expect = async (re: RegExp): Promise<void> => {
      await eventually(`${re} on the terminal`, () => re.test(t.stdout.text), 5000).catch(() => assert.fail(`no ${re} in ${JSON.stringify(t.stdout.text)}`));
    };
    stdin.write('stty size\n');
    await expect(/24 80\r?\n/);
    t.resize.emit('resize', { width: 132, height: 43 });
    await sleep(100);
    stdin.write('stty size; tty\n');
    await expect(/43 132\r?\n\/dev\/pts\/\d+/);
    t.resize.emit('resize', { width: 100, height: 30 });
    await sleep(100);
    stdin.write('stty size; exit 3\n');
    assert.deepEqual(await done, { exitCode: 3 });
    assert.match(t.stdout.text, /30 100\r?\n/);
    assert.equal(t.stderr.text, '');
  });

  it('port-forward: 127.0.0.1-only httpd reachable, 20 parallel connections, 100 MiB, refused port', async () => {
    await run('web', `head -c ${BIG} /dev/zero > /www/big && echo hello-forward > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www`, {
      mounts: [{ hostPath: '', containerPath: '/www', readOnly: false, tmpfs: { sizeBytes: BIG + (16 << 20) } }],
    });
    const h0 = nowMs();
    const first = await dialInNetns(sb.netnsPath, 8080).then((c) => c.destroy(), (e: DialError) => e.code);
    figures.push(`first dial into the pod (starts its dialer, nsenter + node): ${(nowMs() - h0).toFixed(1)} ms (${first ?? 'connected'})`);
    await eventually('httpd', async () => {
      const conn = await dialInNetns(sb.netnsPath, 8080);
      return (await httpGet(conn, '/index.html')).body === 'hello-forward\n';
    }, 20_000);
    assert.equal(netnsDialerPids().length, 1, 'one dialer for the pod');
    // Not reachable from outside the pod: it listens on the pod's loopback only.
    const outside = await new Promise<string>((resolve) => {
      const s = connect(8080, sb.podIP);
      s.once('connect', () => { s.destroy(); resolve('connected'); });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    assert.equal(outside, 'ECONNREFUSED');

    const sequential: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s0 = nowMs();
      const conn = await dialInNetns(sb.netnsPath, 8080);
      sequential.push(nowMs() - s0);
      conn.destroy();
    }
    figures.push(`dial setup, one at a time (ms): ${fmt(sequential)}`);

    const p0 = nowMs();
    const setups: number[] = [];
    const pages = await Promise.all(Array.from({ length: 20 }, async () => {
      const s0 = nowMs();
      const conn = await dialInNetns(sb.netnsPath, 8080);
      setups.push(nowMs() - s0);
      return httpGet(conn, '/index.html');
    }));
    const allMs = nowMs() - p0;
    assert.ok(pages.every((p) => /^HTTP\/1\.[01] 200 OK$/.test(p.status) && p.body === 'hello-forward\n'), JSON.stringify(pages[0]));
    figures.push(`dial setup, 20 in parallel (ms): ${fmt(setups)}; all 20 GETs done in ${allMs.toFixed(1)} ms`);

    const rates: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = nowMs();
      const conn = await dialInNetns(sb.netnsPath, 8080);
      const big = await httpGet(conn, '/big');
      const s = (nowMs() - t0) / 1000;
      assert.match(big.status, /^HTTP\/1\.[01] 200 OK$/);
      assert.equal(big.length, BIG);
      rates.push(BIG / 1048576 / s);
    }
    figures.push(`100 MiB through dialInNetns (dial + GET): ${rates.map((r) => r.toFixed(0)).join(', ')} MiB/s`);

    const refused = await dialInNetns(sb.netnsPath, 8081).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof DialError);
    assert.equal(refused.code, 'ECONNREFUSED');
    assert.match(refused.message, /failed to connect to localhost:8081 inside namespace .*IPv4: dial tcp4 127\.0\.0\.1:8081: connect: connection refused/);
    const viaPodIp = await dialInNetns(sb.netnsPath, 8081, { podIP: sb.podIP }).then(() => 'connected', (e: Error) => e.message);
    assert.match(viaPodIp, /pod IP: dial tcp4 10\.46\.1\.\d+:8081: connect: connection refused/);
  });

  it('leaves nothing behind: no process, netns, mount or temp dir', async () => {
    const netns = sb.netnsPath;
    const dialers = netnsDialerPids();
    assert.equal(dialers.length, 1);
    await rt.stopSandbox(sb.id);
    // The pod's dialer holds its netns: it must go as soon as the netns is deleted.
    const s0 = nowMs();
    await eventually('the pod\'s dialer to exit', () => !dialers.some((p) => alive(String(p))) && netnsDialerPids().length === 0, 3000);
    figures.push(`the pod's dialer gone ${(nowMs() - s0).toFixed(0)} ms after stopSandbox returned`);
    const ours = [opts.stateDir, netns, 'tkpf-', 'tkexec-', 'tinykube netns dialer'];
    await eventually('our processes to exit', () => processesMentioning(ours).length === 0, 10_000)
      .catch(() => assert.fail(`left: ${processesMentioning(ours).join('\n')}`));
    assert.equal(existsSync(netns), false, 'netns left');
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(opts.stateDir), 'mount left');
    assert.deepEqual(ourTempDirs().filter((d) => !tempDirsBefore.includes(d)), [], 'temp dirs left');
    await rt.cleanupAll();
    assert.equal(existsSync(`/sys/class/net/${BRIDGE}`), false, 'bridge left');
    assert.equal(existsSync(opts.stateDir), false, 'state dir left');
  });
});
