import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerState } from './runtime/index.js';
import { LogRotator } from './logrotation.js';

test('each pass rotates the logs of running containers only, keeping maxFiles - 1 old files; one failure stops nothing', async () => {
  const containers: ContainerState[] = [
    { id: 'a', sandboxId: 's', name: 'a', attempt: 0, state: 'running', logPath: '/logs/a/0.log' },
    { id: 'b', sandboxId: 's', name: 'b', attempt: 0, state: 'exited', logPath: '/logs/b/0.log' },
    { id: 'c', sandboxId: 's', name: 'c', attempt: 1, state: 'running', logPath: '/logs/c/1.log' },
    { id: 'd', sandboxId: 's', name: 'd', attempt: 0, state: 'running', logPath: '/logs/d/0.log' },
  ];
  const calls: unknown[][] = [];
  const runtime = { listContainers: async () => containers, containerDir: (id: string) => `/state/${id}` };
  const rotator = new LogRotator(runtime, { maxBytes: 100, maxFiles: 5, intervalMs: 1000 }, async (...args) => {
    calls.push(args.slice(0, 4));
    if (args[0] === '/state/c') throw new Error('boom');
    return args[0] === '/state/a';
  });
  assert.equal(await rotator.pass(), 1);
  assert.deepEqual(calls, [['/state/a', '/logs/a/0.log', 100, 4], ['/state/c', '/logs/c/1.log', 100, 4], ['/state/d', '/logs/d/0.log', 100, 4]]);
});
