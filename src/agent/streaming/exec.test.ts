// execInContainer against a stand-in for runc: a shell that behaves as `runc exec` does towards
// its caller (pid file once the process runs, a JSON error log and exit code 255 when it cannot
// start it), run under `script` for a tty just as Runc.exec does. The real thing is in
// test/e2e/streamingbackends.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { execInContainer, runcError, type ExecIO } from './exec.js';
import type { ExecOptions } from '../runtime/index.js';
import { which } from '../runtime/tools.js';

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** The fake runc: "nosuch" cannot be started; anything else gets a pid file and runs. */
const FAKE_RUNC = `
if [ "$1" = nosuch ]; then
  [ -n "$LOGFILE" ] && printf '%s\\n' '{"level":"error","msg":"exec failed: unable to start container process: exec: \\"nosuch\\": executable file not found in $PATH","time":"2026-11-22T10:00:00Z"}' > "$LOGFILE"
  echo 'exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH' >&2
  exit 255
fi
[ -n "$PIDFILE" ] && { echo $$ > "$PIDFILE.tmp"; mv "$PIDFILE.tmp" "$PIDFILE"; }
exec "$@"`;

class FakeRuntime {
  calls: Array<{ id: string; argv: string[]; opts: ExecOptions }> = [];
  exec(id: string, argv: string[], opts: ExecOptions = {}): ChildProcess {
    this.calls.push({ id, argv, opts });
    const env = { ...process.env, PIDFILE: opts.pidFile ?? '', LOGFILE: opts.logFile ?? '', SHELL: '/bin/sh' };
    if (!opts.tty) return spawn('sh', ['-c', FAKE_RUNC, 'fake-runc', ...argv], { stdio: 'pipe', env });
    const size = opts.size ? `stty rows ${opts.size.height} cols ${opts.size.width}; ` : '';
    const command = `${size}exec ${['sh', '-c', FAKE_RUNC, 'fake-runc', ...argv].map(shellQuote).join(' ')}`;
    return spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], { stdio: 'pipe', env });
  }
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function io(extra: Partial<ExecIO> = {}): ExecIO & { stdout: Sink; stderr: Sink } {
  return { stdout: new Sink(), stderr: new Sink(), tty: false, resize: new EventEmitter(), signal: new AbortController().signal, ...extra } as ExecIO & { stdout: Sink; stderr: Sink };
}

const leftovers = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('tkexec-'));

describe('execInContainer', () => {
  const before = leftovers();
  const rt = new FakeRuntime();

  it('gives the exit code, stdout and stderr apart, and asks runc for a pid file and a JSON log', async () => {
    const streams = io();
    const result = await execInContainer(rt, 'c1', ['sh', '-c', 'echo out; echo err >&2; exit 3'], streams);
    assert.deepEqual(result, { exitCode: 3 });
    assert.equal(streams.stdout.text, 'out\n');
    assert.equal(streams.stderr.text, 'err\n');
    const call = rt.calls.at(-1)!;
    assert.equal(call.id, 'c1');
    assert.ok(call.opts.pidFile && call.opts.logFile && !call.opts.tty);
    assert.ok(!existsSync(call.opts.pidFile), 'its temp dir is removed');
  });

  it('feeds stdin and ends it; without stdin the command gets EOF', async () => {
    const stdin = new PassThrough();
    const streams = io({ stdin });
    const done = execInContainer(rt, 'c1', ['sh', '-c', 'wc -c; cat'], streams);
    stdin.write('hello ');
    await sleep(20);
    stdin.end('world\n');
    assert.deepEqual(await done, { exitCode: 0 });
    assert.equal(streams.stdout.text.trim(), '12');
    const none = io();
    assert.deepEqual(await execInContainer(rt, 'c1', ['cat'], none), { exitCode: 0 });
  });

  it('reports a command that cannot start as runc\'s error, without passing runc\'s message on as output', async () => {
    const streams = io();
    const result = await execInContainer(rt, 'c1', ['nosuch'], streams);
    assert.ok('error' in result);
    assert.match(result.error, /exec: "nosuch": executable file not found in \$PATH/);
    assert.equal(streams.stderr.text, '');
    assert.equal(streams.stdout.text, '');
    assert.deepEqual(await execInContainer(rt, 'c1', [], io()), { error: 'no command given' });
  });

  it('gives 128+n for a process killed by signal n, and kills the process when aborted', async () => {
    assert.deepEqual(await execInContainer(rt, 'c1', ['sh', '-c', 'kill -9 $$'], io()), { exitCode: 128 + 9 });
    const ac = new AbortController();
    const t0 = Date.now();
    const done = execInContainer(rt, 'c1', ['sleep', '30'], io({ signal: ac.signal }));
    setTimeout(() => ac.abort(), 100);
    assert.deepEqual(await done, { exitCode: 137 });
    assert.ok(Date.now() - t0 < 2000);
    const early = new AbortController();
    early.abort();
    assert.ok('error' in (await execInContainer(rt, 'c1', ['true'], io({ signal: early.signal }))));
  });

  it('does not wait for ever for output pipes a background process keeps open', async () => {
    const streams = io();
    const t0 = Date.now();
    assert.deepEqual(await execInContainer(rt, 'c1', ['sh', '-c', 'sleep 3 & echo started'], streams), { exitCode: 0 });
    assert.equal(streams.stdout.text, 'started\n');
    assert.ok(Date.now() - t0 < 2500, `${Date.now() - t0} ms`);
  });

  it('runs a tty: starts at the first size, and a resize is visible to stty size', { skip: !which('script') && 'script (bsdutils) missing' }, async () => {
    const stdin = new PassThrough();
    const resize = new EventEmitter();
    const streams = io({ tty: true, stdin, resize });
    // As the protocol layer does: the first size is there as soon as a listener is.
    const first = { width: 91, height: 27 };
    resize.on('newListener', (e) => { if (e === 'resize') queueMicrotask(() => resize.emit('resize', first)); });
    const done = execInContainer(rt, 'c1', ['sh', '-c', 'stty size; read x; stty size; read x; exit 5'], streams);
    const waitFor = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 200 && !re.test(streams.stdout.text); i++) await sleep(10);
      assert.match(streams.stdout.text, re);
    };
    await waitFor(/27 91\r?\n/);
    resize.emit('resize', { width: 132, height: 43 });
    await sleep(50);
    stdin.write('\n');
    await waitFor(/43 132\r?\n/);
    resize.emit('resize', { width: 100, height: 10 });
    resize.emit('resize', { width: 120, height: 40 }); // the latest wins
    await sleep(50);
    stdin.write('\n');
    assert.deepEqual(await done, { exitCode: 5 });
    assert.doesNotMatch(streams.stdout.text, /10 100/);
    assert.equal(streams.stderr.text, '', 'a terminal has no separate stderr');
    assert.equal(resize.listenerCount('resize'), 0, 'its listener is removed');
  });

  it('leaves no temp dirs behind', () => {
    assert.deepEqual(leftovers().filter((d) => !before.includes(d)), []);
  });
});

describe('runcError', () => {
  it('takes the last error of runc\'s JSON log', () => {
    assert.equal(runcError('{"level":"warning","msg":"w"}\n{"level":"error","msg":"exec failed: boom","time":"x"}\nnot json\n'), 'exec failed: boom');
    assert.equal(runcError(''), undefined);
  });
});
