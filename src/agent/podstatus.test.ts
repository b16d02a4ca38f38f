import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podStatus, type ContainerObservation, type PodObservation } from './podstatus.js';

const pod = (restartPolicy = 'Always', containers = ['web', 'side']): Pod => ({
  metadata: { name: 'p', uid: 'u' },
  spec: { restartPolicy, containers: containers.map((name) => ({ name, image: 'busybox' })) },
  status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
});
const obs = (containers: Record<string, Partial<ContainerObservation>>, podIP: string | null = '10.42.0.5'): PodObservation => ({
  podIP: podIP ?? undefined, hostIP: '192.0.2.1', startTime: '2026-01-01T00:00:00Z', init: new Map(),
  containers: new Map(Object.entries(containers).map(([k, v]) => [k, { image: 'busybox', ...v }])),
});
const run = (state: 'running' | 'exited', attempt = 0, exitCode?: number) => ({ id: `id${attempt}`, attempt, state, exitCode, startedAt: 't0', finishedAt: state === 'exited' ? 't1' : undefined });
const NOW = '2026-01-01T00:00:05Z';

test('all running: Running, Ready, pod IP and container states', () => {
  const s = podStatus(pod(), obs({ web: { latest: run('running') }, side: { latest: run('running') } }), NOW);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.42.0.5');
  assert.deepEqual(s.conditions!.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  assert.equal(s.containerStatuses![0].containerID, 'runc://id0');
  assert.deepEqual(s.containerStatuses![0].state, { running: { startedAt: 't0' } });
});

test('no sandbox yet: Pending, ContainerCreating', () => {
  const s = podStatus(pod(), obs({}, null), NOW);
  assert.equal(s.phase, 'Pending');
  assert.equal(s.containerStatuses![0].state?.waiting?.reason, 'ContainerCreating');
  assert.equal(s.podIP, undefined);
});

test('crash loop: waiting CrashLoopBackOff with the last run terminated, restartCount from the attempt', () => {
  const s = podStatus(pod('Always', ['web']), obs({ web: { latest: run('exited', 3, 1), waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } } }), NOW);
  const c = s.containerStatuses![0];
  assert.equal(c.restartCount, 3);
  assert.equal(c.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(c.lastState?.terminated?.exitCode, 1);
  assert.equal(c.lastState?.terminated?.reason, 'Error');
  assert.equal(s.phase, 'Running');
});

test('Never: exit 0 everywhere is Succeeded, any failure is Failed; OOM is reported', () => {
  assert.equal(podStatus(pod('Never', ['a']), obs({ a: { latest: run('exited', 0, 0) } }), NOW).phase, 'Succeeded');
  const failed = podStatus(pod('Never', ['a', 'b']), obs({ a: { latest: run('exited', 0, 0) }, b: { latest: { ...run('exited', 0, 137), oomKilled: true } } }), NOW);
  assert.equal(failed.phase, 'Failed');
  assert.equal(failed.containerStatuses![1].state?.terminated?.reason, 'OOMKilled');
  assert.equal(podStatus(pod('OnFailure', ['a']), obs({ a: { latest: run('exited', 0, 0) } }), NOW).phase, 'Succeeded');
});

test('transition times stay while a condition keeps its status', () => {
  const first = podStatus(pod(), obs({ web: { latest: run('running') }, side: { latest: run('running') } }), NOW);
  const p = pod();
  (p as { status: unknown }).status = first;
  const again = podStatus(p, obs({ web: { latest: run('running') }, side: { latest: run('running') } }), '2026-01-01T00:09:00Z');
  assert.equal(again.conditions![2].lastTransitionTime, NOW);
});

test('probe results: a running container that is not ready keeps the pod NotReady; not started is not ready', () => {
  const s = podStatus(pod(), obs({ web: { latest: run('running'), ready: false, started: true }, side: { latest: run('running') } }), NOW);
  assert.equal(s.phase, 'Running');
  assert.deepEqual(s.containerStatuses!.map((c) => [c.ready, c.started]), [[false, true], [true, true]]);
  assert.deepEqual(s.conditions!.filter((c) => c.type.endsWith('Ready')).map((c) => `${c.type}=${c.status}:${c.reason ?? ''}`), ['Ready=False:ContainersNotReady', 'ContainersReady=False:ContainersNotReady']);
  const starting = podStatus(pod('Always', ['web']), obs({ web: { latest: run('running'), ready: false, started: false } }), NOW);
  assert.deepEqual([starting.containerStatuses![0].ready, starting.containerStatuses![0].started], [false, false]);
  const exited = podStatus(pod('Always', ['web']), obs({ web: { latest: run('exited', 0, 1), ready: true, started: true } }), NOW);
  assert.deepEqual([exited.containerStatuses![0].ready, exited.containerStatuses![0].started], [false, false]);
});

test('sidecars (init containers with restartPolicy Always): initialized once started, counted for readiness, not for the phase', () => {
  const p = pod('Never', ['job']);
  p.spec!.initContainers = [{ name: 'setup', image: 'busybox' }, { name: 'proxy', image: 'busybox', restartPolicy: 'Always' }];
  const withInit = (init: Record<string, Partial<ContainerObservation>>, containers: Record<string, Partial<ContainerObservation>>) => {
    const o = obs(containers);
    o.init = new Map(Object.entries(init).map(([k, v]) => [k, { image: 'busybox', ...v }]));
    return o;
  };
  const cond = (s: ReturnType<typeof podStatus>, type: string) => s.conditions!.find((c) => c.type === type)!.status;

  const starting = podStatus(p, withInit({ setup: { latest: run('exited', 0, 0) }, proxy: { latest: run('running'), started: false, ready: false } }, {}), NOW);
  assert.equal(cond(starting, 'Initialized'), 'False', 'not before its startup probe passed');
  assert.equal(starting.phase, 'Pending');

  const running = podStatus(p, withInit({ setup: { latest: run('exited', 0, 0) }, proxy: { latest: run('running'), ready: false } }, { job: { latest: run('running') } }), NOW);
  assert.equal(cond(running, 'Initialized'), 'True');
  assert.equal(cond(running, 'Ready'), 'False', 'a sidecar that is not ready keeps the pod NotReady');
  assert.equal(running.initContainerStatuses![1].state?.running?.startedAt, 't0');

  const restarting = podStatus(p, withInit({ setup: { latest: run('exited', 0, 0) }, proxy: { latest: run('exited', 2, 1), waiting: { reason: 'CrashLoopBackOff' } } }, { job: { latest: run('running') } }), NOW);
  assert.equal(cond(restarting, 'Initialized'), 'True', 'stays initialized while a sidecar restarts');
  assert.equal(restarting.initContainerStatuses![1].restartCount, 2);

  const done = podStatus(p, withInit({ setup: { latest: run('exited', 0, 0) }, proxy: { latest: run('running') } }, { job: { latest: run('exited', 0, 0) } }), NOW);
  assert.equal(done.phase, 'Succeeded', 'the job is done though its sidecar still runs');
});

test('ephemeral containers get statuses of their own, never ready, outside the phase and readiness', () => {
  const p = pod('Always', ['web']);
  p.spec!.ephemeralContainers = [{ name: 'debugger', image: 'busybox' }];
  const o = obs({ web: { latest: run('running') } });
  o.ephemeral = new Map([['debugger', { image: 'busybox', latest: run('exited', 0, 0) }]]);
  const s = podStatus(p, o, NOW);
  assert.equal(s.phase, 'Running');
  assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
  assert.equal(s.ephemeralContainerStatuses![0].state?.terminated?.reason, 'Completed');
  assert.equal(s.ephemeralContainerStatuses![0].ready, false);
});

test('container times are written as the API writes times: to the second', () => {
  const s = podStatus(pod('Always', ['web']), obs({ web: { latest: { ...run('exited', 1, 0), startedAt: '2026-01-01T00:00:01.123Z', finishedAt: '2026-01-01T00:00:02.5Z' }, previous: { ...run('exited', 0, 1), startedAt: '2026-01-01T00:00:00.001Z' } } }), NOW);
  assert.deepEqual([s.containerStatuses![0].state?.terminated?.startedAt, s.containerStatuses![0].state?.terminated?.finishedAt], ['2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z']);
  assert.equal(s.containerStatuses![0].lastState?.terminated?.startedAt, '2026-01-01T00:00:00Z');
});
