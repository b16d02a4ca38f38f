import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerStateOf, type Observed } from './containerstate.js';
import type { ContainerRecord } from './records.js';

const record: ContainerRecord = { id: 'sb-web-0', sandboxId: 'sb', name: 'web', attempt: 0, logPath: '/l/0.log', createdAt: '2026-01-01T00:00:00.000Z', stopSignal: 'TERM', killAll: false };
const seen = (o: Partial<Observed>): Observed => ({ oom: false, conmonAlive: true, ...o });

test('the exit file wins over runc, with the oom marker', () => {
  const s = containerStateOf(record, seen({ runcStatus: 'stopped', exit: { code: 137, at: '2026-01-01T00:00:05.000Z' }, oom: true, startedAt: '2026-01-01T00:00:01.000Z' }));
  assert.deepEqual({ state: s.state, exitCode: s.exitCode, oomKilled: s.oomKilled, finishedAt: s.finishedAt, startedAt: s.startedAt },
    { state: 'exited', exitCode: 137, oomKilled: true, finishedAt: '2026-01-01T00:00:05.000Z', startedAt: '2026-01-01T00:00:01.000Z' });
});

test('created and running from runc', () => {
  assert.equal(containerStateOf(record, seen({ runcStatus: 'created' })).state, 'created');
  assert.equal(containerStateOf(record, seen({ runcStatus: 'running', pid: 42 })).pid, 42);
  assert.equal(containerStateOf(record, seen({ runcStatus: 'running' })).state, 'running');
});

test('stopped without an exit file: running while conmon records it, unknown without conmon', () => {
  assert.equal(containerStateOf(record, seen({ runcStatus: 'stopped' })).state, 'running');
  assert.equal(containerStateOf(record, seen({ runcStatus: 'stopped', conmonAlive: false })).state, 'unknown');
  assert.equal(containerStateOf(record, seen({ conmonAlive: false })).state, 'unknown');
});
