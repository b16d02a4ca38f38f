// Deployments end to end on a real single-node cluster (`tinykube up`) with real pods and real
// kubectl: create, self-healing, scale, a rolling image update whose availability a watcher checks
// throughout, rollout status / history / undo (kubectl 1.33, and 1.27 for a subset), and the
// cascading deletes (background and orphan). Pods run busybox httpd from the test image; a second
// tag of it is imported for the image update. Uses a pod network of its own (10.47.1.0/24).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, findKubectl } from './harness.js';
import { ok, realPodsUnavailable, TEST_IMAGE, TestCluster, waitFor } from './cluster.js';
import { buildBusyboxImage } from './fixtures/images.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const kubectlBin = findKubectl(33);
const kubectl127 = findKubectl(27);
const skip = realPodsUnavailable() || (kubectlBin ? false : 'kubectl 1.33 is not installed');
/** The same busybox under a second name, so `kubectl set image` has somewhere to go. */
const IMAGE_V2 = 'docker.io/tinykube/busybox:e2e-v2';

const isReady = (p: Json): boolean => !p.metadata.deletionTimestamp && !!p.status?.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True');
const imageOf = (p: Json): string => p.spec.containers[0].image;

describe('deployments on tinykube up with real pods', { skip }, () => {
  const cluster = new TestCluster({ clusterCidr: '10.47.0.0/16', podCidr: '10.47.1.0/24', bridge: 'tkwl0', nodeName: 'wl-node' }, kubectlBin!);
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input);
  const k = async (...args: string[]) => ok(await kubectl(args));
  const k127 = async (...args: string[]) => ok(await cluster.kubectl(args, undefined, kubectl127!));
  const pods = async (app: string): Promise<Json[]> => JSON.parse(await k('get', 'pods', '-l', `app=${app}`, '-o', 'json')).items;
  const readyPods = (app: string, n: number, timeoutMs = 30_000) => waitFor(`${n} ready ${app} pods`, async () => {
    const ps = await pods(app);
    const live = ps.filter((p) => !p.metadata.deletionTimestamp);
    return live.length === n && live.every(isReady) ? live : undefined;
  }, timeoutMs);
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const t0 = Date.now();
    const v = await f();
    return [v, (Date.now() - t0) / 1000];
  };

  /** What `kubectl create deployment NAME --image=... --replicas=N -- httpd -f -p 8080` writes, made runnable here. */
  const manifest = async (name: string, replicas: number): Promise<Json> => {
    const d = JSON.parse(await k('create', 'deployment', name, `--image=${TEST_IMAGE}`, `--replicas=${replicas}`, '--dry-run=client', '-o', 'json', '--', 'httpd', '-f', '-p', '8080'));
    // The image is only on this node (imported, never pulled); httpd as PID 1 ignores TERM, so a short grace period.
    d.spec.template.spec.containers[0].imagePullPolicy = 'Never';
    d.spec.template.spec.terminationGracePeriodSeconds = 1;
    return d;
  };

  before(async () => {
    const work = mkdtempSync(join(tmpdir(), 'tinykube-image-v2-'));
    try {
      const tarball = join(work, 'v2.tar');
      buildBusyboxImage(join(work, 'layout'), { tag: IMAGE_V2, tarball, env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'VERSION=2'] });
      execFileSync(process.execPath, [CLI, 'image', 'import', tarball, '--data-dir', cluster.dataDir], { encoding: 'utf8' });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    await cluster.start();
  });
  after(() => cluster.stop());

  test('a 3-replica deployment becomes ready; kubectl get / get all / explain show it as upstream does', async () => {
    const d = await manifest('web', 3);
    const [ready, seconds] = await timed(async () => {
      ok(await kubectl(['apply', '-f', '-'], JSON.stringify(d)));
      return readyPods('web', 3);
    });
    console.log(`# 3-replica deployment ready in ${seconds.toFixed(2)} s`);
    for (const p of ready) {
      assert.match(p.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]+-[a-z0-9]{5}$/);
      assert.match(p.status.podIP, /^10\.47\.1\.\d+$/);
    }
    // They are real: each one answers HTTP on its pod IP (httpd serves nothing: 404).
    for (const p of ready) {
      const res = await waitFor('httpd up', () => fetch(`http://${p.status.podIP}:8080/`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined));
      assert.equal(res.status, 404);
    }
    await waitFor('status', async () => (/web\s+3\/3\s+3\s+3\s+\d+s/.test(await k('get', 'deploy', 'web')) ? true : undefined));
    const wide = await k('get', 'deploy', 'web', '-o', 'wide');
    assert.match(wide, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, new RegExp(`web\\s+3/3\\s+3\\s+3\\s+\\S+\\s+busybox\\s+${TEST_IMAGE.replace(/[.]/g, '\\.')}\\s+app=web`));
    const rsTable = await k('get', 'rs');
    assert.match(rsTable, /NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/);
    assert.match(rsTable, /web-\S+\s+3\s+3\s+3\s+/);
    const all = await k('get', 'all');
    for (const kind of ['pod/web-', 'deployment.apps/web', 'replicaset.apps/web-']) assert.ok(all.includes(kind), `${kind} in kubectl get all:\n${all}`);
    const explain = await k('explain', 'deployment.spec.strategy');
    assert.match(explain, /How a Deployment replaces old pods with new ones/);
    assert.match(explain, /maxSurge|rollingUpdate/);
    if (kubectl127) assert.match(await k127('get', 'deploy', 'web'), /web\s+3\/3\s+3\s+3/);
  });

  test('a deleted pod is replaced', async () => {
    const [victim] = await readyPods('web', 3);
    await k('delete', 'pod', victim.metadata.name, '--wait=false');
    const now = await readyPods('web', 3);
    assert.ok(!now.some((p) => p.metadata.uid === victim.metadata.uid));
  });

  test('kubectl scale to 5, then to 1: the pods ready the longest stay', async () => {
    const before = await readyPods('web', 3);
    await k('scale', 'deployment', 'web', '--replicas=5');
    await readyPods('web', 5);
    await k('scale', 'deployment', 'web', '--replicas=1');
    const [survivor] = await readyPods('web', 1);
    assert.ok(before.some((p) => p.metadata.uid === survivor.metadata.uid), 'one of the older pods survives');
    // Back to 4 for the update: with 25%/25% that is at most 1 unavailable and 1 extra pod.
    if (kubectl127) await k127('scale', 'deployment', 'web', '--replicas=4');
    else await k('scale', 'deployment', 'web', '--replicas=4');
    await readyPods('web', 4);
  });

  test('kubectl set image rolls the pods with maxUnavailable and maxSurge honoured throughout', async () => {
    const before = await readyPods('web', 4);
    const oldUids = new Set(before.map((p) => p.metadata.uid));
    // A watcher of every pod change: available (ready, not terminating) and live pods at each step.
    const client = cluster.server.client();
    const state = new Map<string, Json>(before.map((p) => [p.metadata.uid, p]));
    let minAvailable = Infinity;
    let maxLive = 0;
    const oldSpecChanged: string[] = [];
    const stop = new AbortController();
    const rv = JSON.parse(await k('get', 'pods', '-l', 'app=web', '-o', 'json')).metadata.resourceVersion;
    const watching = client.watch<Json>(`/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&watch=true&resourceVersion=${rv}`, (e) => {
      const p = e.object;
      if (e.type === 'DELETED') state.delete(p.metadata.uid);
      else state.set(p.metadata.uid, p);
      if (oldUids.has(p.metadata.uid) && imageOf(p) !== TEST_IMAGE) oldSpecChanged.push(p.metadata.name);
      const live = [...state.values()].filter((x) => !x.metadata.deletionTimestamp);
      minAvailable = Math.min(minAvailable, live.filter(isReady).length);
      maxLive = Math.max(maxLive, live.length);
    }, stop.signal).catch(() => {});
    const [, seconds] = await timed(async () => {
      await k('set', 'image', 'deployment/web', `busybox=${IMAGE_V2}`);
      const status = await k('rollout', 'status', 'deployment/web', '--timeout=90s');
      assert.match(status, /deployment "web" successfully rolled out/);
    });
    console.log(`# rolling update of 4 pods (25%/25%) done in ${seconds.toFixed(2)} s; available never below ${minAvailable}, at most ${maxLive} pods`);
    stop.abort();
    await watching;
    assert.ok(minAvailable >= 3, `available pods dropped to ${minAvailable}; replicas 4 - maxUnavailable 1 = 3`);
    assert.ok(maxLive <= 5, `${maxLive} pods at once; replicas 4 + maxSurge 1 = 5`);
    assert.deepEqual(oldSpecChanged, [], 'pods made from the old template keep their spec until they are replaced');
    const after = await readyPods('web', 4);
    assert.ok(after.every((p) => imageOf(p) === IMAGE_V2 && !oldUids.has(p.metadata.uid)));
    const history = await k('rollout', 'history', 'deployment/web');
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const d = JSON.parse(await k('get', 'deploy', 'web', '-o', 'json'));
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    assert.deepEqual(d.status.conditions.map((c: Json) => [c.type, c.status, c.reason]).sort(), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']]);
    if (kubectl127) {
      assert.match(await k127('rollout', 'status', 'deployment/web'), /successfully rolled out/);
      assert.match(await k127('rollout', 'history', 'deployment/web'), /1\s+<none>\n2\s+<none>/);
    }
  });

  test('kubectl rollout undo returns to the old template (1.33), and 1.27 can undo that', async () => {
    assert.match(await k('rollout', 'undo', 'deployment/web'), /rolled back/);
    assert.match(await k('rollout', 'status', 'deployment/web', '--timeout=90s'), /successfully rolled out/);
    let ps = await readyPods('web', 4);
    assert.ok(ps.every((p) => imageOf(p) === TEST_IMAGE), 'back on the first image');
    const sets = JSON.parse(await k('get', 'rs', '-l', 'app=web', '-o', 'json')).items;
    assert.equal(sets.length, 2, 'the first replica set came back instead of a new one');
    const current = sets.find((r: Json) => r.spec.replicas === 4);
    assert.equal(current.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(current.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    if (kubectl127) {
      assert.match(await k127('rollout', 'undo', 'deployment/web'), /rolled back/);
      assert.match(await k127('rollout', 'status', 'deployment/web', '--timeout=90s'), /successfully rolled out/);
      ps = await readyPods('web', 4);
      assert.ok(ps.every((p) => imageOf(p) === IMAGE_V2));
    }
  });

  test('kubectl delete deployment leaves no ReplicaSet and no pod', async () => {
    await k('delete', 'deployment', 'web');
    await waitFor('replica sets and pods gone', async () => {
      const left = await k('get', 'rs,pods', '-l', 'app=web', '-o', 'name');
      return left.trim() === '' ? true : undefined;
    }, 30_000);
  });

  test('kubectl delete --cascade=orphan leaves the replica set and its pods running', async () => {
    ok(await kubectl(['apply', '-f', '-'], JSON.stringify(await manifest('keep', 2))));
    const running = await readyPods('keep', 2);
    await k('delete', 'deployment', 'keep', '--cascade=orphan');
    assert.equal((await kubectl(['get', 'deployment', 'keep'])).code, 1, 'the deployment is gone');
    const [rs] = JSON.parse(await k('get', 'rs', '-l', 'app=keep', '-o', 'json')).items;
    assert.equal(rs.metadata.ownerReferences, undefined, 'the replica set no longer has an owner');
    await new Promise((r) => setTimeout(r, 500));
    const still = await readyPods('keep', 2);
    assert.deepEqual(still.map((p) => p.metadata.uid).sort(), running.map((p) => p.metadata.uid).sort(), 'the same pods keep running');
    // Clean up: deleting the replica set takes its pods.
    await k('delete', 'rs', '-l', 'app=keep');
    await waitFor('pods gone', async () => ((await k('get', 'pods', '-l', 'app=keep', '-o', 'name')).trim() === '' ? true : undefined), 30_000);
  });
});
