import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cgroupUsage, nodeUsage, rate, ResourceSampler } from './resourcestats.js';

test('cgroup v1 and v2: cumulative CPU in ns, memory as the working set (usage minus inactive file)', async () => {
  const v1 = mkdtempSync(join(tmpdir(), 'tk-cg1-'));
  mkdirSync(join(v1, 'cpuacct/tinykube/pod-a/c1'), { recursive: true });
  mkdirSync(join(v1, 'memory/tinykube/pod-a/c1'), { recursive: true });
  writeFileSync(join(v1, 'cpuacct/tinykube/pod-a/c1/cpuacct.usage'), '5000000000\n');
  writeFileSync(join(v1, 'memory/tinykube/pod-a/c1/memory.usage_in_bytes'), '10485760\n');
  writeFileSync(join(v1, 'memory/tinykube/pod-a/c1/memory.stat'), 'cache 100\ntotal_inactive_file 2097152\n');
  assert.deepEqual(await cgroupUsage('/tinykube/pod-a/c1', v1), { cpuNs: 5e9, memoryBytes: 8388608 });
  assert.equal(await cgroupUsage('/tinykube/pod-a/gone', v1), undefined);

  const v2 = mkdtempSync(join(tmpdir(), 'tk-cg2-'));
  mkdirSync(join(v2, 'tinykube/pod-a/c1'), { recursive: true });
  writeFileSync(join(v2, 'tinykube/pod-a/c1/cpu.stat'), 'usage_usec 2500\nuser_usec 2000\n');
  writeFileSync(join(v2, 'tinykube/pod-a/c1/memory.current'), '4096\n');
  writeFileSync(join(v2, 'tinykube/pod-a/c1/memory.stat'), 'anon 1024\ninactive_file 1024\n');
  assert.deepEqual(await cgroupUsage('/tinykube/pod-a/c1', v2), { cpuNs: 2_500_000, memoryBytes: 3072 });
});

test('node usage from /proc/stat (without idle and iowait) and /proc/meminfo; rates in nanocores', () => {
  const u = nodeUsage('cpu  100 0 50 1000 20 5 5 0 0 0\ncpu0 1 2 3\n', 'MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    400 kB\n');
  assert.deepEqual(u, { cpuNs: 1.6e9, memoryBytes: 600 * 1024 });
  assert.equal(rate(1e9, 1.5e9, 2), 250_000_000, 'half a second of CPU over 2 s is a quarter core');
  assert.equal(rate(5, 1, 1), 0, 'a counter that went back (a new cgroup) is no negative rate');
});

test('a report waits for two samples and leaves out containers that started in between', async () => {
  let list = [{ namespace: 'default', pod: 'p', name: 'c', id: 'x', cgroup: '/nonexistent-tinykube-test' }];
  const sampler = new ResourceSampler(async () => list, 60_000, 50);
  const r = await sampler.report();
  assert.ok(r.windowSeconds >= 0.05);
  assert.ok(r.node.memoryBytes > 0);
  assert.deepEqual(r.pods, [], 'no cgroup, no usage');
  list = [];
});
