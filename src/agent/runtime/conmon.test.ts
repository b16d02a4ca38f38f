import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants as fsConstants, mkdtempSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONMON_CTL, CTL_GAP_MS, conmonArgs, parseSyncMessage, writeConmonControl } from './conmon.js';

test('sync message: the pid, or runc\'s error message', () => {
  assert.equal(parseSyncMessage('{"data": 24794}\n'), 24794);
  // As conmon 2.1.6 sends it when runc create fails (valid JSON here).
  const failure = '{"data": -1, "message": "time=\\"2026-11-22T21:30:25Z\\" level=error msg=\\"runc create failed: unable to start container process: exec: \\\\\\"/nonexistent\\\\\\": stat /nonexistent: no such file or directory\\"\\n"}\n';
  assert.throws(() => parseSyncMessage(failure), { message: 'runc create failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory' });
  // Unescaped quotes inside the message: not JSON, still readable.
  assert.throws(() => parseSyncMessage('{"data": -1, "message": "exec: "x": not found"}'), { message: 'exec: "x": not found' });
  assert.throws(() => parseSyncMessage(''), /unexpected message from conmon/);
});

test('conmon arguments: private runc root, persist and exit dirs, CRI log, short attach id', () => {
  const args = conmonArgs({
    conmon: '/usr/bin/conmon', runc: '/usr/sbin/runc', runcRoot: '/s/runc', id: 'abc-web-0', bundle: '/s/c/abc-web-0', dir: '/s/c/abc-web-0',
    exitDir: '/s/exits', socketDir: '/s/s', logPath: '/logs/p/web/0.log', terminal: true,
  });
  const after = (flag: string): string => args[args.indexOf(flag) + 1];
  assert.equal(after('-c'), 'abc-web-0');
  assert.equal(after('-u').length, 16);
  assert.equal(after('--runtime-arg'), '--root=/s/runc');
  assert.equal(after('-l'), 'k8s-file:/logs/p/web/0.log');
  assert.equal(after('--exit-dir'), '/s/exits');
  assert.equal(after('--persist-dir'), '/s/c/abc-web-0');
  assert.equal(after('-p'), '/s/c/abc-web-0/pid');
  assert.ok(args.includes('-t'));
  assert.ok(!args.includes('-i'));
});

test('control messages to one conmon go one at a time, apart, so its reader never gets two in one read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tk-ctl-'));
  execFileSync('mkfifo', [join(dir, 'ctl')]);
  const reads: { at: number; text: string }[] = [];
  // A reader that keeps the FIFO open (as conmon does, with its own write end), read as a pipe (not the thread pool).
  const fd = openSync(join(dir, 'ctl'), fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
  const stream = new Socket({ fd, readable: true, writable: false });
  stream.on('data', (d) => reads.push({ at: Date.now(), text: d.toString() }));
  await Promise.all([writeConmonControl(dir, CONMON_CTL.resize, 34, 112), writeConmonControl(dir, CONMON_CTL.resize, 33, 111), writeConmonControl(dir, CONMON_CTL.reopenLog)]);
  await new Promise((r) => setTimeout(r, 50));
  stream.destroy();
  assert.deepEqual(reads.map((r) => r.text), ['1 34 112\n', '1 33 111\n', '2 0 0\n']);
  for (let i = 1; i < reads.length; i++) assert.ok(reads[i].at - reads[i - 1].at >= CTL_GAP_MS - 5, 'apart');
  await assert.rejects(writeConmonControl(join(dir, 'nothing-here'), CONMON_CTL.resize, 1, 1), /ENOENT/);
});
