// Runs every benchmark once at a tiny size so the harness cannot rot (no timing assertions), and
// checks that a run leaves nothing behind: no netns, bridge, mount, conmon, podman storage, cgroup
// or iptables chain of the benchmarks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { runBenchmarks } from '../../bench/run.js';

// The benchmarks' work dirs go under a dir of this test (os.tmpdir() follows TMPDIR), so what they
// leave can be told from what other tests on the machine are doing meanwhile.
const scratch = mkdtempSync('/tmp/tkbsmoke-');

function hostState() {
  const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout ?? '';
  return {
    netns: sh('ip netns list').split('\n').filter((l) => /tkbraw|^tkbench/.test(l)),
    links: sh('ip -o link show').split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter((l) => l && /^tkbench|^tkbstr/.test(l)),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && (m.startsWith(scratch) || m.startsWith('/tmp/tkbraw-') || m.startsWith('/tmp/tkbpm-'))),
    processes: sh('ps -eo args').split('\n').filter((l) => l.includes(scratch) || /tkbraw-|\/tmp\/tkbpm-/.test(l)),
    chains: sh('iptables -S 2>/dev/null; iptables -t nat -S 2>/dev/null').split('\n').filter((l) => /^-N (CNI-|NETAVARK|TK.*-tkbench)/.test(l)),
    cgroups: existsSync('/sys/fs/cgroup/memory') ? readdirSync('/sys/fs/cgroup/memory').filter((d) => /tinykube-bench|libpod_parent/.test(d)) : [],
    cniState: existsSync('/var/lib/cni/networks/tkbench-podman'),
    // The raw script's and podman's state dirs (short paths in /tmp: conmon and podman limit their length).
    tmpDirs: readdirSync('/tmp').filter((d) => /^tkbraw-|^tkbpm-/.test(d)),
  };
}

test('every benchmark runs at a tiny size, reports every column and leaves nothing behind', { timeout: 15 * 60_000 }, async () => {
  const before = hostState();
  const tmp = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  let run: Awaited<ReturnType<typeof runBenchmarks>>;
  try {
    run = await runBenchmarks([], true);
  } finally {
    if (tmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = tmp;
  }
  const { rows, record } = run;
  for (const [name, r] of Object.entries(record.results)) assert.equal((r as { error?: string }).error, undefined, `${name} failed`);
  assert.ok(rows.length >= 20, `${rows.length} rows`);
  for (const r of rows) {
    for (const k of ['goal', 'measured', 'reference', 'ratio'] as const) assert.ok(r[k] && !String(r[k]).includes('NaN'), `${r.name}: ${k} = ${r[k]}`);
  }
  // Only what is new counts: other tests may run on this machine meanwhile.
  const after = hostState();
  const left = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Array.isArray(v) ? v.filter((x) => !(before[k as keyof typeof before] as string[]).includes(x)) : v && !before[k as keyof typeof before]]));
  assert.deepEqual(left, { netns: [], links: [], mounts: [], processes: [], chains: [], cgroups: [], cniState: false, tmpDirs: [] }, 'the benchmarks left something behind');
  assert.deepEqual(readdirSync(scratch), [], 'work dirs removed');
  rmSync(scratch, { recursive: true, force: true });
});
