import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../client/events.js';
import type { RestClient } from '../client/rest.js';
import type { ContainerSpec, ContainerState, Runtime, Sandbox, SandboxSpec } from './runtime/index.js';
import type { ImageStore, StoredImage } from './runtime/images/index.js';
import { PodWorker, type WorkerDeps } from './podworker.js';

const IMAGE: StoredImage = { ref: 'docker.io/library/busybox:1.36', repoDigest: 'docker.io/library/busybox@sha256:abc', id: 'sha256:def', config: { cmd: ['sh'] } as StoredImage['config'], layers: [], size: 1 };

/** The runtime as the worker sees it, in memory; `log` records what it was asked to do, in order. */
class FakeRuntime {
  readonly log: string[] = [];
  readonly runs = new Map<string, ContainerState>();
  private sandboxes = 0;

  async startSandbox(spec: SandboxSpec): Promise<{ sandbox: Sandbox; ready: Promise<Sandbox> }> {
    const sandbox: Sandbox = { id: `sb${++this.sandboxes}`, uid: spec.uid, podIP: '', netnsPath: '/run/netns/x', dir: '/nonexistent' };
    this.log.push(`startSandbox ${sandbox.id}`);
    return { sandbox, ready: Promise.resolve({ ...sandbox, podIP: '10.42.0.9' }) };
  }

  async listContainers(sandboxId: string): Promise<ContainerState[]> {
    return [...this.runs.values()].filter((r) => r.sandboxId === sandboxId).map((r) => ({ ...r }));
  }

  async createContainer(sb: Sandbox, spec: ContainerSpec): Promise<string> {
    const id = `${sb.id}-${spec.name}-${spec.attempt}`;
    this.runs.set(id, { id, sandboxId: sb.id, name: spec.name, attempt: spec.attempt, state: 'created', logPath: spec.logPath });
    this.log.push(`create ${spec.name}#${spec.attempt}`);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    Object.assign(this.runs.get(id)!, { state: 'running', startedAt: new Date().toISOString() });
    this.log.push(`start ${this.runs.get(id)!.name}#${this.runs.get(id)!.attempt}`);
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const r = this.runs.get(id)!;
    this.log.push(`stop ${r.name} (grace ${Math.round(graceSeconds)})`);
    Object.assign(r, { state: 'exited', exitCode: 137, finishedAt: new Date().toISOString() });
  }

  async removeContainer(id: string): Promise<void> {
    this.runs.delete(id);
  }

  async stopSandbox(id: string): Promise<void> {
    this.log.push(`stopSandbox ${id}`);
  }

  async containerState(id: string): Promise<ContainerState | undefined> {
    return this.runs.get(id);
  }

  async exec(): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return { exitCode: 0, stdout: '', stderr: '' };
  }

  /** The latest run of `name` exits with `code`. */
  exit(name: string, code: number): void {
    const run = [...this.runs.values()].filter((r) => r.name === name).sort((a, b) => b.attempt - a.attempt)[0];
    Object.assign(run, { state: 'exited', exitCode: code, finishedAt: new Date().toISOString() });
  }
}

/** The API as the worker uses it: status patches and the final delete. */
class FakeClient {
  readonly statuses: PodStatus[] = [];
  readonly deletes: { path: string; body: unknown }[] = [];
  async patch(_path: string, body: { status: PodStatus }): Promise<unknown> {
    this.statuses.push(body.status);
    return {};
  }
  async delete(path: string, body: unknown): Promise<unknown> {
    this.deletes.push({ path, body });
    return {};
  }
  get last(): PodStatus {
    return this.statuses[this.statuses.length - 1];
  }
}

function fixture() {
  const runtime = new FakeRuntime();
  const client = new FakeClient();
  const events: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tinykube-podworker-'));
  const recorder = { record: (_o: unknown, _t: string, reason: string) => { events.push(reason); } } as unknown as EventRecorder;
  const images = { get: () => IMAGE, pull: async () => IMAGE } as unknown as ImageStore;
  const deps: WorkerDeps = {
    runtime: runtime as unknown as Runtime, images, client: client as unknown as RestClient, recorder, hostIP: '192.0.2.1',
    podsDir: join(dir, 'pods'), logDir: join(dir, 'logs'), dns: { servers: ['10.42.0.1'], searches: [] },
  };
  return { runtime, client, events, deps, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const pod = (over: { containers?: string[]; sidecars?: string[]; restartPolicy?: string; status?: PodStatus; deletion?: number } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: 'web', namespace: 'default', uid: 'uid-1',
    ...(over.deletion !== undefined ? { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: over.deletion } : {}),
  },
  spec: {
    restartPolicy: over.restartPolicy ?? 'Always', terminationGracePeriodSeconds: 30,
    containers: (over.containers ?? ['app']).map((name) => ({ name, image: IMAGE.ref })),
    ...(over.sidecars ? { initContainers: over.sidecars.map((name) => ({ name, image: IMAGE.ref, restartPolicy: 'Always' })) } : {}),
  },
  ...(over.status ? { status: over.status } : {}),
});

/** Runs passes until the worker is idle and `done` holds. */
async function until(what: string, done: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a new pod: sandbox, then its containers created and started; Running with the sandbox IP', async () => {
  const f = fixture();
  const w = new PodWorker(f.deps, pod({ containers: ['app', 'side'] }));
  try {
    w.kick();
    await until('Running', () => f.client.last?.phase === 'Running');
    assert.deepEqual(f.runtime.log, ['startSandbox sb1', 'create app#0', 'create side#0', 'start app#0', 'start side#0']);
    assert.equal(f.client.last.podIP, '10.42.0.9');
    assert.deepEqual(f.client.last.podIPs, [{ ip: '10.42.0.9' }]);
    assert.equal(f.client.last.hostIP, '192.0.2.1');
    assert.deepEqual(f.client.last.containerStatuses?.map((c) => [c.name, !!c.state?.running]), [['app', true], ['side', true]]);
    assert.ok(f.events.includes('Started'));
  } finally {
    w.stop();
    f.cleanup();
  }
});

test('a crashed container restarts at once the first time, then waits in CrashLoopBackOff', async () => {
  const f = fixture();
  const w = new PodWorker(f.deps, pod());
  try {
    w.kick();
    await until('Running', () => f.client.last?.phase === 'Running');
    f.runtime.exit('app', 1);
    w.kick();
    await until('the restart', () => f.runtime.log.includes('start app#1'));
    await until('restartCount 1', () => f.client.last?.containerStatuses?.[0].restartCount === 1);
    assert.equal(f.client.last.containerStatuses?.[0].lastState?.terminated?.exitCode, 1);
    f.runtime.exit('app', 1);
    w.kick();
    await until('CrashLoopBackOff', () => f.client.last?.containerStatuses?.[0].state?.waiting?.reason === 'CrashLoopBackOff');
    assert.match(f.client.last.containerStatuses![0].state!.waiting!.message!, /^back-off 10s restarting failed container=app pod=web_default\(uid-1\)$/);
    assert.ok(!f.runtime.log.includes('create app#2'), 'no new run during the back-off');
    assert.ok(f.events.includes('BackOff'));
  } finally {
    w.stop();
    f.cleanup();
  }
});

test('graceful deletion: app containers stop before the sidecars, then the sandbox; then the pod is confirmed gone', async () => {
  const f = fixture();
  const w = new PodWorker(f.deps, pod({ containers: ['app'], sidecars: ['proxy', 'log'] }));
  let done = false;
  w.whenDone(() => { done = true; });
  try {
    w.kick();
    await until('Running', () => f.client.last?.phase === 'Running' && f.runtime.log.includes('start app#0'));
    f.runtime.log.length = 0;
    w.update(pod({ containers: ['app'], sidecars: ['proxy', 'log'], deletion: 5 }));
    await until('done', () => done);
    // Sidecars stop in reverse order, each after the app containers, all within the deletion's grace.
    assert.deepEqual(f.runtime.log, ['stop app (grace 5)', 'stop log (grace 5)', 'stop proxy (grace 5)', 'stopSandbox sb1']);
    assert.deepEqual(f.client.deletes, [{ path: '/api/v1/namespaces/default/pods/web', body: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' } } }]);
  } finally {
    w.stop();
    f.cleanup();
  }
});

test('a pod already Succeeded or Failed is not run again after an agent restart', async () => {
  for (const phase of ['Succeeded', 'Failed']) {
    const f = fixture();
    const w = new PodWorker(f.deps, pod({ restartPolicy: 'Never', status: { phase } }));
    try {
      w.kick();
      await new Promise((r) => setTimeout(r, 50));
      w.kick();
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(f.runtime.log, [], `${phase}: no sandbox, no container`);
      assert.deepEqual(f.client.statuses, [], `${phase}: status left as it was`);
    } finally {
      w.stop();
      f.cleanup();
    }
  }
});

test('a pod whose containers all exit under restartPolicy Never ends Succeeded and is torn down', async () => {
  const f = fixture();
  const w = new PodWorker(f.deps, pod({ restartPolicy: 'Never' }));
  try {
    w.kick();
    await until('Running', () => f.client.last?.phase === 'Running');
    f.runtime.exit('app', 0);
    w.kick();
    await until('Succeeded', () => f.client.last?.phase === 'Succeeded');
    await until('teardown', () => f.runtime.log.includes('stopSandbox sb1'));
    w.kick();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(f.runtime.log.filter((l) => l.startsWith('startSandbox')).length, 1, 'never started again');
  } finally {
    w.stop();
    f.cleanup();
  }
});
