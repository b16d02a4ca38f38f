// Workloads on a real two-node cluster, checked with real kubectl (1.33, and 1.27 once): `tinykube
// up` (node wl-a, 10.42.247.0/24, bridge tkwl0) plus a second real node agent on this machine,
// `tinykube agent --server … --token-file …` (node wl-b, 10.42.246.0/24, bridge tkwl1, its own data
// dir). Probes in the node agent (readiness gating, Deployment availability, liveness restarts), the
// Job, StatefulSet and DaemonSet controllers, and node lifecycle: wl-b's agent is stopped for longer
// than the (shortened) grace, the node goes NotReady (Ready=Unknown) and tainted, its pods are
// evicted after their (shortened default) toleration and the Deployment's replacement runs on wl-b
// once its agent is back. Own pod network, so it never meets another test. Everything is removed
// at the end (reset of both nodes, checked). Needs root, runc, conmon, CNI plugins and catatonit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, findKubectl } from './harness.js';
import { importTestImage } from './podimage.js';
import { ok, realPodsUnavailable, TEST_IMAGE, TestCluster, waitFor } from './cluster.js';

const kubectlBin = findKubectl(33);
const kubectl127 = findKubectl(27);
const skip = realPodsUnavailable() || (kubectlBin ? false : 'kubectl 1.33 is not installed');
if (skip) console.log(`# skipped: ${skip}`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Grace for a silent node: two of the agent's 10 s Lease renewals, short enough for a test (upstream 50 s). */
const NODE_GRACE_MS = 20_000;
/** The DefaultTolerationSeconds admission default for not-ready/unreachable (upstream 300 s). */
const DEFAULT_TOLERATION_S = 3;
const A = 'wl-a';
const B = 'wl-b';
const B_CIDR = '10.42.246.0/24';

describe('workloads on two real nodes', { skip, timeout: 300_000 }, () => {
  const cluster = new TestCluster({ podCidr: '10.42.247.0/24', bridge: 'tkwl0', nodeName: A }, kubectlBin!);
  const agentDir = mkdtempSync(join(tmpdir(), 'tinykube-wl-agent-'));
  const agentNet = ['--bridge', 'tkwl1', '--pod-cidr', B_CIDR, '--node-name', B];
  let agent: ChildProcess | undefined;
  let agentOut = '';
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input);
  const apply = (m: object) => cluster.apply(m);
  const pod = (name: string) => cluster.pod(name);
  const json = async (args: string[]): Promise<Json> => JSON.parse(ok(await kubectl([...args, '-o', 'json'])));
  /** The data dir of the node the pod runs on. */
  const nodeDir = (p: Json): string => (p.spec.nodeName === B ? agentDir : cluster.dataDir);
  const volumeDir = (p: Json, volume: string) => join(nodeDir(p), 'agent', 'pods', p.metadata.uid, 'volumes', volume);
  const container = (name: string, script: string, extra: object = {}) => ({ name, image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', script], ...extra });
  const events = async (name: string): Promise<Json[]> => (await json(['get', 'events', '--field-selector', `involvedObject.name=${name}`])).items;
  const readyOf = (o: Json, type = 'Ready'): string | undefined => o.status?.conditions?.find((c: Json) => c.type === type)?.status;
  const t0 = Date.now();

  const startAgent = async (): Promise<void> => {
    agentOut = '';
    const proc = spawn(process.execPath, [CLI, 'agent', '--server', cluster.server.url, '--token-file', join(cluster.dataDir, 'node-token'), '--data-dir', agentDir, ...agentNet], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent = proc;
    proc.stdout!.on('data', (d) => { agentOut += d; });
    proc.stderr!.on('data', (d) => { agentOut += d; });
    await waitFor('wl-b joined', async () => (/\(pods \S+\) joined/.test(agentOut) ? true : proc.exitCode !== null ? Promise.reject(new Error(agentOut)) : undefined), 30_000);
  };
  const stopAgent = async (): Promise<void> => {
    if (!agent || agent.exitCode !== null || agent.signalCode !== null) return;
    const exited = new Promise((r) => agent!.once('exit', r));
    agent.kill('SIGTERM');
    await exited;
  };
  const nodesReady = () => waitFor('both nodes Ready', async () => {
    const out = ok(await kubectl(['get', 'nodes']));
    return new RegExp(`${A}\\s+Ready`).test(out) && new RegExp(`${B}\\s+Ready`).test(out) ? true : undefined;
  });

  before(async () => {
    // Read by the control plane `up` starts: src/controllers/nodelifecycle.ts and src/api/resources/pods.ts.
    process.env.TINYKUBE_NODE_LIFECYCLE = JSON.stringify({ gracePeriodMs: NODE_GRACE_MS, monitorPeriodMs: 1000, orphanQuarantineMs: 1000 });
    process.env.TINYKUBE_DEFAULT_TOLERATION_SECONDS = String(DEFAULT_TOLERATION_S);
    try {
      await cluster.start();
    } finally {
      delete process.env.TINYKUBE_NODE_LIFECYCLE;
      delete process.env.TINYKUBE_DEFAULT_TOLERATION_SECONDS;
    }
    importTestImage(agentDir);
    await startAgent();
    await nodesReady();
  });

  after(async () => {
    console.log(`# workloads suite: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await stopAgent();
    const sandboxDir = join(agentDir, 'agent', 'runtime', 'sandboxes');
    const sandboxes = existsSync(sandboxDir) ? readdirSync(sandboxDir) : [];
    execFileSync(process.execPath, [CLI, 'reset', '--data-dir', agentDir, ...agentNet, '--cluster-cidr', '10.42.0.0/16']);
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    assert.deepEqual(sandboxes.filter((id) => netns.includes(`tk-${id}`)), [], 'no netns of the agent left');
    for (const id of sandboxes) for (const c of readdirSync('/sys/fs/cgroup')) assert.ok(!existsSync(`/sys/fs/cgroup/${c}/tinykube/pod-${id}`), `cgroup ${c}/tinykube/pod-${id} removed`);
    assert.ok(!existsSync(agentDir), 'agent data dir removed');
    assert.equal(spawnSync('ip', ['link', 'show', 'tkwl1']).status, 1, 'agent bridge removed');
    assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(agentDir), 'no mount of the agent left');
    assert.equal(spawnSync('pgrep', ['-f', `conmon.*${agentDir}`]).status, 1, 'no conmon of the agent left');
    await cluster.stop();
  });

  // These touch different objects and run concurrently, so the slow waits (container restart
  // back-off, readiness) overlap. The node lifecycle test, which stops wl-b, runs after them.
  describe('on both nodes', { concurrency: true }, () => {
    test('readiness (httpGet) keeps a running pod NotReady until the file exists; a tcpSocket startup probe gates it', async () => {
      await apply({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gate' },
        spec: {
          volumes: [{ name: 'shared', emptyDir: {} }],
          containers: [container('web', 'exec httpd -f -p 8080 -h /shared', {
            ports: [{ name: 'http', containerPort: 8080 }],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
            startupProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 30 },
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
          })],
        },
      });
      const started = await waitFor('started, not ready', async () => {
        const p = await pod('gate');
        const c = p.status?.containerStatuses?.[0];
        return p.status?.phase === 'Running' && c?.started ? p : undefined;
      });
      // The readiness probe has run (and failed) since: the Unhealthy event says so.
      await waitFor('a failed readiness probe', async () => ((await events('gate')).some((e) => e.reason === 'Unhealthy') ? true : undefined), 20_000);
      const notReady = await pod('gate');
      assert.equal(notReady.status.phase, 'Running');
      assert.equal(notReady.status.containerStatuses[0].ready, false);
      assert.equal(readyOf(notReady), 'False');
      assert.equal(readyOf(notReady, 'ContainersReady'), 'False');
      assert.match(ok(await kubectl(['get', 'pod', 'gate'])), /gate\s+0\/1\s+Running\s+0/);
      assert.ok((await events('gate')).some((e) => e.reason === 'Unhealthy' && /^Readiness probe failed: HTTP probe failed with statuscode: 404$/.test(e.message)), 'Unhealthy event');
      writeFileSync(join(volumeDir(started, 'shared'), 'ready'), 'yes\n');
      const t = Date.now();
      ok(await kubectl(['wait', '--for=condition=Ready', 'pod/gate', '--timeout=30s']));
      console.log(`# readiness: Ready ${((Date.now() - t) / 1000).toFixed(2)} s after the file appeared (period 1 s)`);
      const p = await pod('gate');
      assert.equal(p.status.containerStatuses[0].ready, true);
      assert.equal(p.status.containerStatuses[0].restartCount, 0);
      assert.match(ok(await kubectl(['get', 'pod', 'gate'])), /gate\s+1\/1\s+Running\s+0/);
      ok(await kubectl(['delete', 'pod', 'gate', '--grace-period=1', '--wait=false']));
    });

    test('a Deployment counts only Ready pods as available: failing readiness keeps them Running, unavailable', async () => {
      await apply({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'unready' },
        spec: {
          replicas: 2, selector: { matchLabels: { app: 'unready' } },
          template: {
            metadata: { labels: { app: 'unready' } },
            spec: {
              terminationGracePeriodSeconds: 1,
              containers: [container('main', 'exec sleep 3600', { readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 } })],
            },
          },
        },
      });
      const list = () => json(['get', 'pods', '-l', 'app=unready']).then((l) => l.items as Json[]);
      const pods = await waitFor('2 pods Running and probed', async () => {
        const items = await list();
        if (items.length !== 2 || !items.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.started)) return undefined;
        for (const p of items) if (!(await events(p.metadata.name)).some((e) => e.reason === 'Unhealthy')) return undefined;
        return items;
      }, 40_000);
      for (const p of pods) assert.equal(readyOf(p), 'False', `${p.metadata.name} Running but not Ready`);
      const d = await waitFor('the Deployment counts 2 pods', async () => {
        const x = await json(['get', 'deploy', 'unready']);
        return x.status?.replicas === 2 && x.status.unavailableReplicas === 2 ? x : undefined;
      }, 30_000);
      assert.equal(d.status.readyReplicas ?? 0, 0);
      assert.equal(d.status.availableReplicas ?? 0, 0);
      assert.equal(d.status.unavailableReplicas, 2);
      assert.equal(d.status.conditions.find((c: Json) => c.type === 'Available').status, 'False');
      assert.match(ok(await kubectl(['get', 'deploy', 'unready'])), /unready\s+0\/2\s+2\s+0\s+\d+s/);
      // One pod turns ready (through exec in the container): one available.
      ok(await kubectl(['exec', pods[0].metadata.name, '--', 'touch', '/tmp/ready']));
      const one = await waitFor('1 available', async () => {
        const x = await json(['get', 'deploy', 'unready']);
        return x.status.availableReplicas === 1 ? x : undefined;
      }, 30_000);
      assert.equal(one.status.readyReplicas, 1);
      assert.equal(one.status.unavailableReplicas, 1);
      assert.equal(readyOf(await pod(pods[1].metadata.name)), 'False');
      assert.match(ok(await kubectl(['get', 'deploy', 'unready'], undefined)), /unready\s+1\/2\s+2\s+1\s+\d+s/);
      ok(await kubectl(['delete', 'deploy', 'unready']));
    });

    test('a failing liveness probe (exec) restarts the container: Unhealthy + Killing, restartCount, lastState', async () => {
      await apply({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'alive' },
        spec: {
          containers: [container('main', 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600', {
            livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2, terminationGracePeriodSeconds: 1 },
          })],
        },
      });
      const p = await waitFor('restarted', async () => {
        const x = await pod('alive');
        const c = x.status?.containerStatuses?.[0];
        return c?.restartCount >= 1 && c.state?.running ? x : undefined;
      }, 60_000);
      const c = p.status.containerStatuses[0];
      assert.equal(c.lastState.terminated.reason, 'Error');
      assert.equal(c.lastState.terminated.exitCode, 137, 'sleep as PID 1 ignores TERM: killed after the probe grace of 1 s');
      const ev = await events('alive');
      assert.ok(ev.some((e) => e.reason === 'Unhealthy' && /^Liveness probe failed: cat: (can't open )?'?\/tmp\/healthy'?/.test(e.message)), JSON.stringify(ev.map((e) => e.message)));
      assert.ok(ev.some((e) => e.reason === 'Killing' && e.message === 'Container main failed liveness probe, will be restarted'));
      assert.match(ok(await kubectl(['get', 'pod', 'alive'])), /alive\s+[01]\/1\s+Running\s+[1-9]\d* \(\d+s ago\)/);
      ok(await kubectl(['delete', 'pod', 'alive', '--grace-period=1', '--wait=false']));
    });

    // The seeds' Job (hello, restartPolicy OnFailure), with a command that fails twice, then succeeds.
    test('the seed Job (OnFailure, fails twice then succeeds) completes with 2 retries; kubectl wait and get jobs', async () => {
      await apply({
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'hello' },
        spec: {
          backoffLimit: 6,
          template: {
            spec: {
              restartPolicy: 'OnFailure',
              volumes: [{ name: 'data', emptyDir: {} }],
              containers: [container('hello', 'n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; echo attempt $n; [ $n -ge 3 ]', {
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              })],
            },
          },
        },
      });
      const t = Date.now();
      ok(await kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=120s']));
      console.log(`# seed job: complete ${((Date.now() - t) / 1000).toFixed(1)} s after apply (first restart at once, the second after the 10 s back-off)`);
      const job = await json(['get', 'job', 'hello']);
      assert.equal(job.status.succeeded, 1);
      assert.equal(job.status.failed ?? 0, 0, 'OnFailure retries are container restarts, not failed pods');
      assert.deepEqual(job.status.conditions.map((c: Json) => `${c.type}=${c.status}`), ['SuccessCriteriaMet=True', 'Complete=True']);
      assert.ok(job.status.startTime && job.status.completionTime);
      const pods = (await json(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=hello'])).items;
      assert.equal(pods.length, 1);
      assert.equal(pods[0].status.phase, 'Succeeded');
      assert.equal(pods[0].status.containerStatuses[0].restartCount, 2, 'the 2 retries');
      assert.equal(pods[0].status.containerStatuses[0].state.terminated.exitCode, 0);
      assert.deepEqual(pods[0].metadata.finalizers ?? [], [], 'the tracking finalizer is gone once counted');
      assert.match(ok(await kubectl(['get', 'job', 'hello'])), /NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nhello\s+Complete\s+1\/1\s+\d+s\s+\d+s/);
      // kubectl logs (through the API server to whichever node ran it): the last run, and the previous one.
      assert.equal(ok(await kubectl(['logs', pods[0].metadata.name])), 'attempt 3\n');
      assert.equal(ok(await kubectl(['logs', '--previous', pods[0].metadata.name])), 'attempt 2\n');
      // Each run's log (CRI format) is kept on the node: attempts 1 and 2 failed, 3 succeeded.
      const logs = [0, 1, 2].map((attempt) => readFileSync(join(nodeDir(pods[0]), 'agent', 'logs', `default_${pods[0].metadata.name}_${pods[0].metadata.uid}`, 'hello', `${attempt}.log`), 'utf8'));
      assert.deepEqual(logs.map((l) => l.trim().split(' ').slice(3).join(' ')), ['attempt 1', 'attempt 2', 'attempt 3']);
    });

    test('Jobs that fail: restartPolicy Never counts failed pods against backoffLimit; activeDeadlineSeconds; ttlSecondsAfterFinished', async () => {
      const job = (name: string, spec: object, script: string) => apply({
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
        spec: { ...spec, template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [container('main', script)] } } },
      });
      await job('never', { backoffLimit: 1 }, 'echo failing; exit 3');
      await job('deadline', { activeDeadlineSeconds: 3 }, 'exec sleep 3600');
      await job('ttl', { ttlSecondsAfterFinished: 2 }, 'true');
      const conditions = (j: Json) => (j.status?.conditions ?? []).map((c: Json) => `${c.type}=${c.status}:${c.reason ?? ''}`);

      // backoffLimit 1: the first pod fails, a second one is made (after the 10 s pod back-off) and fails: Failed.
      ok(await kubectl(['wait', '--for=condition=failed', 'job/never', '--timeout=90s']));
      const never = await json(['get', 'job', 'never']);
      assert.equal(never.status.failed, 2);
      assert.equal(never.status.succeeded ?? 0, 0);
      assert.deepEqual(conditions(never), ['FailureTarget=True:BackoffLimitExceeded', 'Failed=True:BackoffLimitExceeded']);
      const neverPods = (await json(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=never'])).items as Json[];
      assert.equal(neverPods.length, 2, 'Never: a new pod per retry');
      for (const p of neverPods) {
        assert.equal(p.status.phase, 'Failed');
        assert.equal(p.status.containerStatuses[0].restartCount, 0);
        assert.equal(p.status.containerStatuses[0].state.terminated.exitCode, 3);
      }
      assert.match(ok(await kubectl(['get', 'job', 'never'])), /never\s+Failed\s+0\/1\s+\d+s\s+\d+s/);

      // activeDeadlineSeconds: the running pod is stopped and the Job fails.
      ok(await kubectl(['wait', '--for=condition=failed', 'job/deadline', '--timeout=60s']));
      const deadline = await json(['get', 'job', 'deadline']);
      assert.deepEqual(conditions(deadline), ['FailureTarget=True:DeadlineExceeded', 'Failed=True:DeadlineExceeded']);
      await waitFor('the deadline pod stopped', async () => {
        const items = (await json(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=deadline'])).items as Json[];
        return items.every((p) => p.metadata.deletionTimestamp || p.status?.phase === 'Failed') ? true : undefined;
      }, 30_000);

      // ttlSecondsAfterFinished: the finished Job is deleted, its pod with it.
      await waitFor('the ttl job deleted', async () => ((await kubectl(['get', 'job', 'ttl'])).code !== 0 ? true : undefined), 60_000);
      await waitFor('its pod collected', async () => (((await json(['get', 'pods', '-l', 'batch.kubernetes.io/job-name=ttl'])).items as Json[]).length === 0 ? true : undefined), 30_000);
      ok(await kubectl(['delete', 'job', 'never', 'deadline']));
    });

    test('a StatefulSet of 3 gets web-0, web-1, web-2 in order, each Running and Ready before the next; scale down from the top; Parallel does not wait', async () => {
      const client = cluster.server.client();
      const abort = new AbortController();
      const seen: string[] = [];
      const watching = client.watch<Json>('/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb', (e) => {
        const p = e.object;
        const ready = p.status?.phase === 'Running' && readyOf(p) === 'True';
        if (e.type === 'ADDED') seen.push(`created ${p.metadata.name}`);
        if (ready && !seen.includes(`ready ${p.metadata.name}`)) seen.push(`ready ${p.metadata.name}`);
        if (p.metadata.deletionTimestamp && !seen.includes(`terminating ${p.metadata.name}`)) seen.push(`terminating ${p.metadata.name}`);
        if (e.type === 'DELETED') seen.push(`deleted ${p.metadata.name}`);
      }, abort.signal).catch(() => {});
      try {
        await apply({
          apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
          spec: {
            replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: {
                terminationGracePeriodSeconds: 1,
                // Ready only a moment after it starts, so "the next waits for Ready" is visible.
                containers: [container('main', 'sleep 1; touch /tmp/ready; exec sleep 3600', { readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 } })],
              },
            },
          },
        });
        const t = Date.now();
        ok(await kubectl(['rollout', 'status', 'statefulset/web', '--timeout=120s']));
        console.log(`# statefulset: 3 ordered pods Ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        assert.deepEqual(seen, ['created web-0', 'ready web-0', 'created web-1', 'ready web-1', 'created web-2', 'ready web-2']);
        assert.match(ok(await kubectl(['get', 'sts', 'web'])), /web\s+3\/3\s+\d+s/);
        const p1 = await pod('web-1');
        assert.equal(p1.spec.hostname, 'web-1');
        assert.equal(p1.spec.subdomain, 'web');
        assert.equal(p1.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-1');
        assert.equal(p1.metadata.labels['apps.kubernetes.io/pod-index'], '1');
        const sts = await json(['get', 'sts', 'web']);
        assert.equal(sts.status.currentRevision, sts.status.updateRevision);
        assert.equal(p1.metadata.labels['controller-revision-hash'], sts.status.updateRevision);
        assert.match(ok(await kubectl(['get', 'controllerrevisions'])), new RegExp(`${sts.status.updateRevision}\\s+statefulset.apps/web\\s+1`));
        // Scale down: highest ordinal first, one at a time.
        seen.length = 0;
        ok(await kubectl(['scale', 'sts/web', '--replicas=1']));
        await waitFor('scaled to 1', async () => ((await json(['get', 'sts', 'web'])).status.replicas === 1 && seen.includes('deleted web-1') ? true : undefined), 60_000);
        // web-1 goes only once web-2 is gone.
        assert.deepEqual(seen.filter((s) => /^(terminating|deleted)/.test(s)), ['terminating web-2', 'deleted web-2', 'terminating web-1', 'deleted web-1']);
        assert.equal((await json(['get', 'pods', '-l', 'app=web'])).items.map((p: Json) => p.metadata.name).join(','), 'web-0');
      } finally {
        abort.abort();
        await watching;
      }
      // Parallel: all pods at once, though none ever becomes Ready.
      await apply({
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'par' },
        spec: {
          replicas: 3, serviceName: 'par', podManagementPolicy: 'Parallel', selector: { matchLabels: { app: 'par' } },
          template: {
            metadata: { labels: { app: 'par' } },
            spec: { terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600', { readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 } })] },
          },
        },
      });
      const par = await waitFor('par-0..2 Running', async () => {
        const items = (await json(['get', 'pods', '-l', 'app=par'])).items as Json[];
        return items.length === 3 && items.every((p) => p.status?.phase === 'Running') ? items : undefined;
      }, 60_000);
      assert.deepEqual(par.map((p) => p.metadata.name).sort(), ['par-0', 'par-1', 'par-2']);
      assert.ok(par.every((p) => readyOf(p) === 'False'));
      ok(await kubectl(['delete', 'sts', 'web', 'par', '--wait=false']));
    });

    test('a DaemonSet gets one pod per node (kubectl 1.33 and 1.27), follows node labels with a nodeSelector, and nodes joining and leaving', async () => {
      await apply({
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { terminationGracePeriodSeconds: 1, tolerations: [{ key: 'e2e.tinykube.io/ghost', operator: 'Exists', effect: 'NoSchedule' }], containers: [container('main', 'exec sleep 3600')] },
          },
        },
      });
      ok(await kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=90s']));
      const pods = (await json(['get', 'pods', '-l', 'app=agent'])).items as Json[];
      assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), [A, B]);
      assert.ok(pods.every((p) => p.status.phase === 'Running' && readyOf(p) === 'True'));
      for (const p of pods) {
        assert.ok(p.spec.tolerations.some((t: Json) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined), 'daemon pods stay on unreachable nodes');
        assert.equal(p.metadata.ownerReferences[0].kind, 'DaemonSet');
      }
      const ds = await json(['get', 'ds', 'agent']);
      assert.deepEqual([ds.status.desiredNumberScheduled, ds.status.currentNumberScheduled, ds.status.numberReady, ds.status.updatedNumberScheduled, ds.status.numberAvailable], [2, 2, 2, 2, 2]);
      assert.match(ok(await kubectl(['get', 'ds', 'agent'])), /agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\d+s/);
      if (kubectl127) {
        assert.match(ok(await cluster.kubectl(['get', 'ds', 'agent'], undefined, kubectl127)), /agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\d+s/);
        ok(await cluster.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=30s'], undefined, kubectl127));
        const wide = ok(await cluster.kubectl(['get', 'pods', '-l', 'app=agent', '-o', 'wide'], undefined, kubectl127));
        assert.match(wide, new RegExp(`agent-\\w+\\s+1/1\\s+Running\\s+0\\s+\\d+s\\s+10\\.42\\.246\\.\\d+\\s+${B}\\s`));
        assert.match(wide, new RegExp(`agent-\\w+\\s+1/1\\s+Running\\s+0\\s+\\d+s\\s+10\\.42\\.247\\.\\d+\\s+${A}\\s`));
      } else {
        console.log('# kubectl 1.27 is not installed: its DaemonSet check is skipped');
      }

      // nodeSelector: no node matches, then wl-b is labelled (a pod comes), then unlabelled (it goes).
      await apply({
        apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'picky' },
        spec: {
          selector: { matchLabels: { app: 'picky' } },
          template: { metadata: { labels: { app: 'picky' } }, spec: { nodeSelector: { 'e2e.tinykube.io/picky': 'yes' }, terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600')] } },
        },
      });
      const picky = () => json(['get', 'pods', '-l', 'app=picky']).then((l) => l.items as Json[]);
      await waitFor('picky observed', async () => ((await json(['get', 'ds', 'picky'])).status.observedGeneration === 1 ? true : undefined));
      assert.equal((await json(['get', 'ds', 'picky'])).status.desiredNumberScheduled ?? 0, 0);
      assert.deepEqual(await picky(), []);
      ok(await kubectl(['label', 'node', B, 'e2e.tinykube.io/picky=yes']));
      const placed = await waitFor('a picky pod on wl-b', async () => {
        const items = await picky();
        return items.length === 1 && items[0].status?.phase === 'Running' ? items[0] : undefined;
      }, 60_000);
      assert.equal(placed.spec.nodeName, B);
      ok(await kubectl(['label', 'node', B, 'e2e.tinykube.io/picky-']));
      await waitFor('picky pod gone', async () => ((await picky()).length === 0 ? true : undefined), 60_000);
      ok(await kubectl(['delete', 'ds', 'picky']));

      // A node joins (a bare Node object, no agent behind it: its pod stays Pending), then leaves.
      // Its taint keeps every other test's pods off it; the DaemonSet tolerates it.
      const ghost = 'wl-ghost';
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await cluster.server.client().post('/api/v1/nodes', {
        apiVersion: 'v1', kind: 'Node', metadata: { name: ghost, labels: { 'kubernetes.io/hostname': ghost } },
        spec: { taints: [{ key: 'e2e.tinykube.io/ghost', effect: 'NoSchedule' }] },
        status: {
          capacity: { cpu: '2', memory: '2Gi', pods: '110' }, allocatable: { cpu: '2', memory: '2Gi', pods: '110' },
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
        },
      });
      const onGhost = await waitFor('a daemon pod bound to the new node', async () => {
        const items = (await json(['get', 'pods', '-l', 'app=agent'])).items as Json[];
        return items.find((p) => p.spec.nodeName === ghost);
      }, 30_000).catch(async (e) => {
        throw new Error(`${e.message}\n${(await kubectl(['describe', 'pods', '-l', 'app=agent'])).stdout}\n${(await kubectl(['get', 'ds', 'agent', '-o', 'yaml'])).stdout}\n${(await kubectl(['get', 'node', ghost, '-o', 'yaml'])).stdout}`);
      });
      assert.equal(onGhost.status.phase, 'Pending');
      assert.equal((await json(['get', 'ds', 'agent'])).status.desiredNumberScheduled, 3);
      ok(await kubectl(['delete', 'node', ghost]));
      await waitFor('the daemon pod of the gone node removed', async () => ((await kubectl(['get', 'pod', onGhost.metadata.name])).code !== 0 ? true : undefined), 30_000);
      await waitFor('2 desired again', async () => ((await json(['get', 'ds', 'agent'])).status.desiredNumberScheduled === 2 ? true : undefined), 30_000);
      assert.deepEqual(((await json(['get', 'pods', '-l', 'app=agent'])).items as Json[]).map((p) => p.spec.nodeName).sort(), [A, B]);
    });
  });

  test('node lifecycle: wl-b\'s agent stops, the node goes NotReady (Unknown) and tainted, pods are evicted after their toleration and replaced on wl-b once it is back', async () => {
    // A Deployment pinned to wl-b (its pods get the short default tolerations), and a pod that tolerates an hour.
    await apply({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'moved' },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'moved' } },
        template: { metadata: { labels: { app: 'moved' } }, spec: { nodeSelector: { 'kubernetes.io/hostname': B }, terminationGracePeriodSeconds: 1, containers: [container('main', 'exec sleep 3600')] } },
      },
    });
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stayer' },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': B }, terminationGracePeriodSeconds: 1,
        tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3600 }],
        containers: [container('main', 'exec sleep 3600')],
      },
    });
    ok(await kubectl(['rollout', 'status', 'deploy/moved', '--timeout=60s']));
    await cluster.running('stayer');
    const [first] = (await json(['get', 'pods', '-l', 'app=moved'])).items as Json[];
    assert.equal(first.spec.nodeName, B);
    assert.deepEqual(first.spec.tolerations.map((t: Json) => `${t.key}:${t.effect}:${t.tolerationSeconds}`).sort(),
      [`node.kubernetes.io/not-ready:NoExecute:${DEFAULT_TOLERATION_S}`, `node.kubernetes.io/unreachable:NoExecute:${DEFAULT_TOLERATION_S}`], 'DefaultTolerationSeconds, shortened');

    await stopAgent();
    const stopped = Date.now();
    const node = await waitFor('wl-b Ready=Unknown and tainted', async () => {
      const n = await json(['get', 'node', B]);
      return readyOf(n) === 'Unknown' && n.spec.taints?.some((t: Json) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? n : undefined;
    }, NODE_GRACE_MS + 60_000);
    console.log(`# node lifecycle: Unknown + tainted ${((Date.now() - stopped) / 1000).toFixed(1)} s after the agent stopped (grace ${NODE_GRACE_MS / 1000} s, Lease renewed every 10 s)`);
    const ready = node.status.conditions.find((c: Json) => c.type === 'Ready');
    assert.deepEqual([ready.reason, ready.message], ['NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    assert.deepEqual(node.spec.taints.map((t: Json) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.match(ok(await kubectl(['get', 'node', B])), new RegExp(`${B}\\s+NotReady\\s`));
    assert.match(ok(await kubectl(['get', 'node', A])), new RegExp(`${A}\\s+Ready\\s`));
    assert.ok((await events(B)).some((e) => e.reason === 'NodeNotReady'));

    // The Deployment's pod goes after its 3 s; nobody on wl-b confirms the deletion, so it stays Terminating.
    const evicted = await waitFor('moved pod evicted', async () => {
      const p = await pod(first.metadata.name);
      return p.metadata.deletionTimestamp ? p : undefined;
    }, 30_000);
    assert.equal(readyOf(evicted), 'False', 'pods on the node are NotReady');
    assert.equal(evicted.status.conditions.find((c: Json) => c.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    assert.ok((await events(first.metadata.name)).some((e) => e.reason === 'TaintManagerEviction'));
    // READY counts ready containers (not the pod's Ready condition), as upstream: still 1/1.
    assert.match(ok(await kubectl(['get', 'pod', first.metadata.name])), new RegExp(`${first.metadata.name}\\s+1/1\\s+Terminating`));
    // The ReplicaSet replaces it at once; the replacement waits (wl-b is tainted NoSchedule).
    const replacement = await waitFor('a replacement pod', async () => {
      const items = (await json(['get', 'pods', '-l', 'app=moved'])).items as Json[];
      return items.find((p) => p.metadata.name !== first.metadata.name && !p.metadata.deletionTimestamp);
    }, 30_000);
    assert.equal(replacement.spec.nodeName, undefined, 'not scheduled on a tainted node');
    // Tolerating for an hour, and daemon pods (tolerating forever), stay; they are NotReady too.
    const stayer = await pod('stayer');
    assert.equal(stayer.metadata.deletionTimestamp, undefined);
    assert.equal(readyOf(stayer), 'False');
    const daemon = ((await json(['get', 'pods', '-l', 'app=agent'])).items as Json[]).find((p) => p.spec.nodeName === B);
    assert.ok(daemon && !daemon.metadata.deletionTimestamp, 'the DaemonSet pod on wl-b stays');
    assert.equal((await json(['get', 'deploy', 'moved'])).status.availableReplicas ?? 0, 0);

    // wl-b's agent comes back: Ready, taints gone, the replacement runs there, the evicted pod is finished.
    await startAgent();
    await nodesReady();
    const back = await waitFor('taints removed', async () => {
      const n = await json(['get', 'node', B]);
      return (n.spec.taints ?? []).length === 0 ? n : undefined;
    }, 30_000);
    assert.equal(readyOf(back), 'True');
    const running = await cluster.running(replacement.metadata.name);
    assert.equal(running.spec.nodeName, B);
    assert.ok(running.status.podIP.startsWith('10.42.246.'), running.status.podIP);
    await waitFor('the evicted pod deleted by its agent', async () => ((await kubectl(['get', 'pod', first.metadata.name])).code !== 0 ? true : undefined), 60_000);
    ok(await kubectl(['rollout', 'status', 'deploy/moved', '--timeout=60s']));
    assert.equal((await json(['get', 'deploy', 'moved'])).status.availableReplicas, 1);
    await waitFor('stayer Ready again', async () => (readyOf(await pod('stayer')) === 'True' ? true : undefined), 30_000);
  });
});
