// Real pods on a real single-node cluster (`tinykube up`): runc containers grouped in pods that share
// net/UTS/IPC namespaces, each pod with its own IP; checked with real kubectl and from the host.
// Needs root, runc, conmon, CNI plugins and catatonit; skips with the reason otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { findKubectl } from './harness.js';
import { ok, realPodsUnavailable, TEST_IMAGE, TestCluster, waitFor } from './cluster.js';
import { importTestImage, NOBODY_IMAGE } from './podimage.js';

const kubectlBin = findKubectl(33);
const skip = realPodsUnavailable() || (kubectlBin ? false : 'kubectl 1.33 is not installed');

describe('real pods with tinykube up', { skip }, () => {
  /** A pod network of its own, so the test never meets a `tinykube up` running on the same machine. */
  const cluster = new TestCluster({ podCidr: '10.42.251.0/24', bridge: 'tke2e0', nodeName: 'e2e-node' }, kubectlBin!);
  const { dataDir } = cluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input);
  const apply = (m: object) => cluster.apply(m);
  const pod = (name: string) => cluster.pod(name);
  const running = (name: string) => cluster.running(name);
  const shPod = TestCluster.shPod;
  const runc = (...args: string[]) => execFileSync('runc', ['--root', join(dataDir, 'agent', 'runtime', 'runc'), ...args], { encoding: 'utf8' });
  const containerPid = (id: string): number => JSON.parse(runc('state', id)).pid;
  const containerId = (p: { status: { containerStatuses: { name: string; containerID: string }[] } }, name: string) =>
    p.status.containerStatuses.find((c) => c.name === name)!.containerID.replace(/^runc:\/\//, '');
  const volumeDir = (p: { metadata: { uid: string } }, volume: string) => join(dataDir, 'agent', 'pods', p.metadata.uid, 'volumes', volume);

  before(async () => {
    importTestImage(dataDir, { tag: NOBODY_IMAGE, user: 'nobody' });
    await cluster.start();
  });
  after(() => cluster.stop());

  /** What a container printed, from the CRI log file conmon writes (`<time> <stream> <tag> <line>`). */
  const logOf = (p: { metadata: { namespace: string; name: string; uid: string } }, container: string, attempt = 0): string => {
    const file = join(dataDir, 'agent', 'logs', `${p.metadata.namespace}_${p.metadata.name}_${p.metadata.uid}`, container, `${attempt}.log`);
    if (!existsSync(file)) return '';
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').slice(3).join(' ')).join('\n');
  };
  const httpGet = async (url: string): Promise<string> => {
    try {
      return await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
    } catch (e) {
      throw new Error(`GET ${url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`);
    }
  };
  const timed = async (f: () => Promise<unknown>): Promise<number> => {
    const t0 = Date.now();
    await f();
    return (Date.now() - t0) / 1000;
  };

  test('a two-container pod shares net, UTS and IPC namespaces but not mount', async () => {
    await apply(shPod('duo', {
      web: 'mkdir -p /www; echo hello-from-web > /www/index.html; echo private > /only-web; exec httpd -f -p 8080 -h /www',
      side: 'until wget -qO- http://localhost:8080/ > /shared/fetched; do sleep 0.2; done; hostname > /shared/side-hostname; '
        + 'ls /only-web > /shared/side-sees-web-file 2>&1; ps > /shared/ps; echo from-side > /shared/note; exec sleep 3600',
    }));
    const p = await running('duo');
    assert.match(p.status.podIP, /^10\.42\.251\.\d+$/);
    const shared = volumeDir(p, 'shared');
    await waitFor('sidecar output', async () => (existsSync(join(shared, 'note')) ? true : undefined));
    assert.equal(readFileSync(join(shared, 'side-hostname'), 'utf8').trim(), 'duo', 'hostname is the pod name');
    assert.equal(readFileSync(join(shared, 'fetched'), 'utf8').trim(), 'hello-from-web', 'the sidecar reaches the web server on localhost');
    assert.match(readFileSync(join(shared, 'side-sees-web-file'), 'utf8'), /No such file/, "one container's rootfs is invisible to the other");
    assert.doesNotMatch(readFileSync(join(shared, 'ps'), 'utf8'), /httpd/, 'without shareProcessNamespace each container has its own PID namespace');
    const web = containerPid(containerId(p, 'web'));
    const side = containerPid(containerId(p, 'side'));
    const ns = (pid: number, kind: string) => readlinkSync(`/proc/${pid}/ns/${kind}`);
    for (const kind of ['net', 'uts', 'ipc']) assert.equal(ns(web, kind), ns(side, kind), kind);
    assert.notEqual(ns(web, 'mnt'), ns(side, 'mnt'));
    assert.notEqual(ns(web, 'pid'), ns(side, 'pid'));
    assert.equal(await httpGet(`http://${p.status.podIP}:8080/`), 'hello-from-web\n', 'the host reaches the pod IP');
  });

  test('shareProcessNamespace: true shows each container the processes of the other', async () => {
    await apply(shPod('sharedpid', {
      a: 'exec sleep 3601',
      b: 'until ps | grep -q "sleep 360[1]"; do sleep 0.2; done; ps > /shared/ps; exec sleep 3602',
    }, { shareProcessNamespace: true }));
    const p = await running('sharedpid');
    const psFile = join(volumeDir(p, 'shared'), 'ps');
    await waitFor('ps output', async () => (existsSync(psFile) ? true : undefined));
    assert.match(readFileSync(psFile, 'utf8'), /sleep 3601/);
    const a = containerPid(containerId(p, 'a'));
    const b = containerPid(containerId(p, 'b'));
    assert.equal(readlinkSync(`/proc/${a}/ns/pid`), readlinkSync(`/proc/${b}/ns/pid`));
  });

  test('two pods get distinct IPs in the cluster CIDR and reach each other by IP', async () => {
    await apply(shPod('alpha', { web: 'mkdir -p /www; echo alpha > /www/index.html; exec httpd -f -p 8080 -h /www' }));
    const alpha = await running('alpha');
    // beta learns alpha's IP from its environment, as a client would from a Service or the API.
    const betaManifest = shPod('beta', { web: 'until wget -qO- http://$ALPHA:8080/ > /shared/from-alpha; do sleep 0.2; done; mkdir -p /www; echo beta > /www/index.html; exec httpd -f -p 8080 -h /www' });
    Object.assign(betaManifest.spec.containers[0], { env: [{ name: 'ALPHA', value: alpha.status.podIP }] });
    await apply(betaManifest);
    const beta = await running('beta');
    assert.notEqual(alpha.status.podIP, beta.status.podIP);
    for (const ip of [alpha.status.podIP, beta.status.podIP]) assert.match(ip, /^10\.42\.251\.\d+$/);
    const fromAlpha = join(volumeDir(beta, 'shared'), 'from-alpha');
    await waitFor('beta fetched from alpha', async () => (existsSync(fromAlpha) && readFileSync(fromAlpha, 'utf8') ? true : undefined));
    assert.equal(readFileSync(fromAlpha, 'utf8').trim(), 'alpha');
    await waitFor('beta serving', async () => (await httpGet(`http://${beta.status.podIP}:8080/`).catch(() => undefined)));
    assert.equal(await httpGet(`http://${alpha.status.podIP}:8080/`), 'alpha\n');
    assert.equal(await httpGet(`http://${beta.status.podIP}:8080/`), 'beta\n');
  });

  test('two containers of one pod binding the same port: the second fails', async () => {
    await apply(shPod('clash', {
      first: 'mkdir -p /www; echo first > /www/index.html; exec httpd -f -p 8080 -h /www',
      second: 'until wget -qO- http://localhost:8080/; do sleep 0.2; done; mkdir -p /www; exec httpd -f -p 8080 -h /www',
    }));
    const p = await waitFor('second container failed', async () => {
      const p = await pod('clash');
      const second = p.status?.containerStatuses?.find((c: { name: string }) => c.name === 'second');
      return second?.lastState?.terminated || second?.state?.terminated ? p : undefined;
    });
    const status = (n: string) => p.status.containerStatuses.find((c: { name: string }) => c.name === n);
    const failed = status('second').lastState?.terminated ?? status('second').state.terminated;
    assert.notEqual(failed.exitCode, 0);
    assert.equal(failed.reason, 'Error');
    assert.match(logOf(p, 'second'), /Address (already )?in use/);
    assert.ok(status('first').state.running, 'the first container keeps running');
  });

  test('kubectl delete: a TERM handler runs at once; a pod ignoring TERM is killed at its grace period', async () => {
    await apply(shPod('polite', { main: "trap 'echo got-term; exit 0' TERM; echo started; while true; do sleep 0.1; done" }, { terminationGracePeriodSeconds: 30 }, false));
    await apply(shPod('stubborn', { main: "trap '' TERM; while true; do sleep 0.1; done" }, { terminationGracePeriodSeconds: 3 }, false));
    const polite = await running('polite');
    await running('stubborn');
    await waitFor('polite started', async () => (logOf(polite, 'main').includes('started') ? true : undefined));
    const logFile = join(dataDir, 'agent', 'logs', `default_polite_${polite.metadata.uid}`, 'main', '0.log');
    const captured: string[] = [];
    // The log directory goes with the pod: keep reading it until then.
    const tail = setInterval(() => { if (existsSync(logFile)) captured.push(readFileSync(logFile, 'utf8')); }, 20);
    const politeSeconds = await timed(async () => ok(await kubectl(['delete', 'pod', 'polite'])));
    clearInterval(tail);
    const stubbornSeconds = await timed(async () => ok(await kubectl(['delete', 'pod', 'stubborn'])));
    console.log(`# delete: TERM-handling pod ${politeSeconds.toFixed(2)} s, TERM-ignoring pod (grace 3 s) ${stubbornSeconds.toFixed(2)} s`);
    assert.ok(captured.some((text) => text.includes('got-term')), 'the TERM handler ran and its output reached the log file');
    assert.ok(politeSeconds < 30, 'the TERM-handling pod went before its 30 s grace period');
    assert.ok(stubbornSeconds >= 3, 'the TERM-ignoring pod lived out its grace period');
    assert.ok(stubbornSeconds < 30, 'and was then killed');
  });

  test('a pod with a nodeSelector stays Pending until a node has the label', async () => {
    await apply(shPod('gpu', { main: 'exec sleep 3600' }, { nodeSelector: { gpu: 'true' } }, false));
    const pending = await waitFor('Unschedulable condition', async () => {
      const p = await pod('gpu');
      return p.status?.conditions?.find((c: { type: string; reason?: string }) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');
    });
    assert.equal(pending.status, 'False');
    assert.equal(pending.message, "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    assert.match(ok(await kubectl(['get', 'pod', 'gpu'])), /gpu\s+0\/1\s+Pending/);
    assert.match(ok(await kubectl(['describe', 'pod', 'gpu'])), /FailedScheduling.*didn't match Pod's node affinity\/selector/);
    ok(await kubectl(['label', 'node', 'e2e-node', 'gpu=true']));
    try {
      const p = await running('gpu');
      assert.equal(p.spec.nodeName, 'e2e-node');
    } finally {
      ok(await kubectl(['label', 'node', 'e2e-node', 'gpu-']));
    }
  });

  test('a crashing container goes to CrashLoopBackOff with growing delays; an OOMing one reports OOMKilled', async () => {
    await apply(shPod('crasher', { main: 'echo crashing; exit 3' }, {}, false));
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hog' },
      spec: {
        restartPolicy: 'Never',
        containers: [{
          name: 'main', image: TEST_IMAGE, imagePullPolicy: 'Never', resources: { limits: { memory: '16Mi' } },
          command: ['sh', '-c', 'x=0123456789abcdef; while true; do x=$x$x; done'],
        }],
      },
    });
    const messages = new Set<string>();
    const p = await waitFor('second back-off', async () => {
      const p = await pod('crasher');
      const m = p.status?.containerStatuses?.[0]?.state?.waiting?.message;
      if (m) messages.add(m.replace(/ restarting.*/, ''));
      return messages.has('back-off 20s') ? p : undefined;
    }, 60_000);
    assert.deepEqual([...messages], ['back-off 10s', 'back-off 20s']);
    const s = p.status.containerStatuses[0];
    assert.equal(s.state.waiting.reason, 'CrashLoopBackOff');
    assert.equal(s.restartCount, 2);
    assert.equal(s.lastState.terminated.exitCode, 3);
    assert.equal(s.lastState.terminated.reason, 'Error');
    assert.match(ok(await kubectl(['get', 'pod', 'crasher'])), /crasher\s+0\/1\s+CrashLoopBackOff\s+2 \(\d+s ago\)/);
    const hog = await waitFor('hog Failed', async () => {
      const h = await pod('hog');
      return h.status?.phase === 'Failed' ? h : undefined;
    });
    assert.equal(hog.status.containerStatuses[0].state.terminated.reason, 'OOMKilled');
    assert.equal(hog.status.containerStatuses[0].state.terminated.exitCode, 137);
    assert.match(ok(await kubectl(['get', 'pod', 'hog'])), /hog\s+0\/1\s+OOMKilled\s+0/);
  });

  test('securityContext: image USER, runAsUser/Group and groups, capabilities, no privilege escalation, read-only root, sysctls; runAsNonRoot', async () => {
    const ctr = (name: string, script: string, extra: object = {}) => ({ name, image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', `${script}; exec sleep 3600`], ...extra });
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'secure' },
      spec: {
        terminationGracePeriodSeconds: 0,
        securityContext: { supplementalGroups: [4000], sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65000' }] },
        containers: [
          { ...ctr('image-user', 'id -u; id -g'), image: NOBODY_IMAGE },
          ctr('run-as', 'id -u; id -G', { securityContext: { runAsUser: 1000, runAsGroup: 3000 } }),
          ctr('locked', 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; touch /x 2>/dev/null && echo rw || echo ro; cat /proc/sys/net/ipv4/ip_local_port_range; unshare -U true 2>/dev/null && echo userns || echo no-userns', {
            securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } },
          }),
          ctr('open', 'grep -E "^Seccomp:" /proc/self/status; unshare -U true 2>/dev/null && echo userns || echo no-userns'),
        ],
      },
    });
    const p = await running('secure');
    assert.equal(logOf(p, 'image-user'), '65534\n65534');
    assert.equal(logOf(p, 'run-as'), '1000\n3000 4000');
    assert.equal(logOf(p, 'locked'), 'CapEff:\t0000000000000400\nNoNewPrivs:\t1\nSeccomp:\t2\nro\n1024\t65000\nno-userns');
    assert.equal(logOf(p, 'open'), 'Seccomp:\t0\nuserns', 'unconfined by default, as the kubelet');

    await apply({ ...shPod('nonroot', { main: 'true' }, { securityContext: { runAsNonRoot: true } }, false) });
    const waiting = await waitFor('CreateContainerConfigError', async () => {
      const s = (await pod('nonroot')).status?.containerStatuses?.[0]?.state?.waiting;
      return s?.reason === 'CreateContainerConfigError' ? s : undefined;
    });
    const uid = (await pod('nonroot')).metadata.uid;
    assert.equal(waiting.message, `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${uid})", container: main)`);
    ok(await kubectl(['delete', 'pod', 'secure', 'nonroot', '--grace-period=0']));
  });

  test('sidecars: an init container with restartPolicy Always runs beside the app, before the next init container, restarts alone, and stops last', async () => {
    // The sidecar serves on the pod's localhost; the init container after it can only succeed once it runs.
    const sidecar = 'n=$(( $(cat /shared/n 2>/dev/null || echo 0) + 1 )); echo $n > /shared/n; mkdir -p /www; echo from-sidecar > /www/index.html; '
      + 'httpd -p 8080 -h /www; trap "echo sidecar-stopped; exit 0" TERM; until [ -f /shared/stop$n ]; do sleep 0.2; done; exit 1';
    const manifest = shPod('withsidecar', { app: 'wget -qO- http://localhost:8080/ > /shared/app-saw; until [ -f /shared/done ]; do sleep 0.2; done' }, { restartPolicy: 'Never', terminationGracePeriodSeconds: 5 });
    const [app] = manifest.spec.containers;
    Object.assign(manifest.spec, {
      initContainers: [
        { ...app, name: 'proxy', restartPolicy: 'Always', command: ['sh', '-c', sidecar], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } },
        { ...app, name: 'check', command: ['sh', '-c', 'wget -qO- http://localhost:8080/ > /shared/init-saw'] },
      ],
    });
    await apply(manifest);
    const p = await running('withsidecar');
    const shared = volumeDir(p, 'shared');
    assert.equal(readFileSync(join(shared, 'init-saw'), 'utf8'), 'from-sidecar\n', 'the init container after the sidecar reached it');
    await waitFor('app fetched', async () => (existsSync(join(shared, 'app-saw')) ? true : undefined));
    assert.equal(readFileSync(join(shared, 'app-saw'), 'utf8'), 'from-sidecar\n');
    const row = await waitFor('2/2 ready', async () => {
      const line = ok(await kubectl(['get', 'pod', 'withsidecar', '--no-headers'])).trim();
      return /^withsidecar\s+2\/2\s+Running\s+0\s/.test(line) ? line : undefined;
    });
    assert.ok(row);

    // The sidecar exits: it alone is restarted (restartPolicy Never is the app's, not the sidecar's).
    const appId = containerId(p, 'app');
    writeFileSync(join(shared, 'stop1'), '');
    const restarted = await waitFor('sidecar restarted', async () => {
      const q = await pod('withsidecar');
      const s = q.status.initContainerStatuses.find((c: { name: string }) => c.name === 'proxy');
      return s.restartCount === 1 && s.state.running && s.ready ? q : undefined;
    });
    assert.equal(containerId(restarted, 'app'), appId, 'the app container kept running');
    assert.equal(restarted.status.phase, 'Running');

    // The app finishes: the pod Succeeded, and its sidecar got its stop signal.
    writeFileSync(join(shared, 'done'), '');
    await waitFor('Succeeded', async () => ((await pod('withsidecar')).status.phase === 'Succeeded' ? true : undefined));
    await waitFor('sidecar stopped by TERM', async () => (/sidecar-stopped/.test((await kubectl(['logs', 'withsidecar', '-c', 'proxy'])).stdout) ? true : undefined));
    ok(await kubectl(['delete', 'pod', 'withsidecar']));
  });

  test('kubectl debug (1.33 and 1.27): an ephemeral container in the pod, in the target container\'s PID namespace', async () => {
    await apply(shPod('debugme', { web: 'exec sleep 3603' }));
    const before = await running('debugme');
    const binaries = [kubectlBin!, findKubectl(27)].filter((b): b is string => !!b);
    for (const [i, bin] of binaries.entries()) {
      // The command waits for its stdin, so nothing it prints can come before kubectl attached.
      const r = await cluster.kubectl(['debug', 'debugme', '-i', `--image=${TEST_IMAGE}`, '--image-pull-policy=Never', '--target=web', `--container=dbg${i}`,
        '--', 'sh', '-c', 'read go; ps; echo host=$(hostname)'], 'go\n', bin);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /sleep 3603/, 'the target container\'s processes are visible');
      assert.match(r.stdout, /host=debugme/, "the pod's UTS namespace");
    }
    const p = await waitFor('ephemeral containers done', async () => {
      const q = await pod('debugme');
      const done = (q.status.ephemeralContainerStatuses ?? []).filter((c: { state: { terminated?: unknown } }) => c.state.terminated);
      return done.length === binaries.length ? q : undefined;
    });
    assert.deepEqual(p.spec.ephemeralContainers.map((c: { name: string; targetContainerName: string }) => [c.name, c.targetContainerName]), binaries.map((_, i) => [`dbg${i}`, 'web']));
    assert.equal(containerId(p, 'web'), containerId(before, 'web'), 'the pod kept running');
    const bad = await kubectl(['debug', 'debugme', `--image=${TEST_IMAGE}`, '--target=nosuch', '--container=dbgx', '--', 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /targetContainerName/);
    ok(await kubectl(['delete', 'pod', 'debugme', '--grace-period=0']));
  });

  test('kubectl top pod / node: usage from the pods\' cgroups, through the metrics API', async () => {
    await apply(shPod('busy', { spin: 'while :; do :; done', idle: 'head -c 20000000 /dev/zero | tail -c 1 > /dev/null; exec sleep 3600' }));
    await running('busy');
    // The agent samples every 10 s and a container needs two samples for a rate, as with metrics-server.
    const top = await waitFor('busy in kubectl top', async () => {
      const r = await kubectl(['top', 'pod', 'busy', '--containers', '--no-headers']);
      return r.code === 0 ? r.stdout : undefined;
    }, 60_000);
    const rows = Object.fromEntries(top.trim().split('\n').map((l) => l.trim().split(/\s+/)).map(([, c, cpu, mem]) => [c, { cpu: parseInt(cpu, 10), mem: parseInt(mem, 10) }]));
    assert.ok(rows.spin.cpu >= 300, `a spinning container uses most of a core: ${top}`);
    assert.ok(rows.idle.cpu < 100, `an idle one little: ${top}`);
    assert.ok(rows.spin.mem >= 0 && rows.idle.mem >= 0);
    const all = ok(await kubectl(['top', 'pod', '-l', 'nosuchlabel', '-A']));
    assert.equal(all.trim(), '', 'a selector that matches nothing');
    const node = ok(await kubectl(['top', 'node', '--no-headers']));
    assert.match(node, /^e2e-node\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
    const missing = await kubectl(['top', 'pod', 'nosuchpod']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /not found/);
    ok(await kubectl(['delete', 'pod', 'busy', '--grace-period=0']));
  });

  test('hostNetwork, hostPID, hostIPC: the pod uses the host\'s namespaces, its IP is the node\'s', async () => {
    await apply(shPod('onhost', { main: 'exec sleep 3604' }, { hostNetwork: true, hostPID: true, hostIPC: true }));
    const p = await running('onhost');
    assert.equal(p.status.podIP, p.status.hostIP, 'a hostNetwork pod has the node\'s IP');
    const pid = containerPid(containerId(p, 'main'));
    for (const kind of ['net', 'pid', 'ipc', 'uts']) assert.equal(readlinkSync(`/proc/${pid}/ns/${kind}`), readlinkSync(`/proc/self/ns/${kind}`), kind);
    assert.notEqual(readlinkSync(`/proc/${pid}/ns/mnt`), readlinkSync('/proc/self/ns/mnt'), 'its own root file system still');
    assert.equal(ok(await kubectl(['exec', 'onhost', '--', 'hostname'])).trim(), hostname(), "the host's hostname");
    assert.match(ok(await kubectl(['exec', 'onhost', '--', 'ps'])), /sleep 3604/);
    ok(await kubectl(['delete', 'pod', 'onhost', '--grace-period=0']));
    // Only hostNetwork: its own PID and IPC namespaces.
    await apply(shPod('onhostnet', { main: 'exec sleep 3605' }, { hostNetwork: true }));
    const q = await running('onhostnet');
    const qpid = containerPid(containerId(q, 'main'));
    assert.equal(readlinkSync(`/proc/${qpid}/ns/net`), readlinkSync('/proc/self/ns/net'));
    assert.notEqual(readlinkSync(`/proc/${qpid}/ns/pid`), readlinkSync('/proc/self/ns/pid'));
    assert.notEqual(readlinkSync(`/proc/${qpid}/ns/ipc`), readlinkSync('/proc/self/ns/ipc'));
    ok(await kubectl(['delete', 'pod', 'onhostnet', '--grace-period=0']));
  });

  test('kubectl create pdb and kubectl drain: evictions take what the budget allows and are refused after', async () => {
    const guarded = (extra: string[] = []) => kubectl(['get', 'pods', '-l', 'app=guarded', '--no-headers', ...extra]);
    ok(await kubectl(['create', 'deployment', 'guarded', `--image=${TEST_IMAGE}`, '--replicas=3', '--', 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait']));
    ok(await kubectl(['rollout', 'status', 'deployment', 'guarded', '--timeout=60s']));
    ok(await kubectl(['create', 'pdb', 'guarded', '--selector=app=guarded', '--min-available=2']));
    await waitFor('budget computed', async () => (/^guarded\s+2\s+N\/A\s+1\s/m.test(ok(await kubectl(['get', 'pdb', '--no-headers']))) ? true : undefined));
    const drain = await kubectl(['drain', 'e2e-node', '--pod-selector=app=guarded', '--ignore-daemonsets', '--timeout=8s']);
    ok(await kubectl(['uncordon', 'e2e-node']));
    assert.notEqual(drain.code, 0, 'the drain cannot finish');
    const out = drain.stdout + drain.stderr;
    assert.match(out, /evicting pod default\/guarded-/);
    assert.match(out, /Cannot evict pod as it would violate the pod's disruption budget/);
    assert.equal((out.match(/pod\/guarded-\S+ evicted/g) ?? []).length, 1, `one eviction allowed: ${out}`);
    // The replacement runs once the node takes pods again; the budget allows one disruption again.
    await waitFor('3 running again', async () => ((ok(await guarded()).match(/Running/g) ?? []).length === 3 ? true : undefined));
    ok(await kubectl(['delete', 'deployment', 'guarded']));
    ok(await kubectl(['delete', 'pdb', 'guarded']));
    await waitFor('guarded pods gone', async () => (ok(await guarded()).trim() === '' ? true : undefined));
  });

  test('restarting tinykube up keeps running containers: same IDs, same restart counts', async () => {
    type Listed = { metadata: { name: string }; status: { containerStatuses?: { name: string; containerID?: string; restartCount: number }[] } };
    const snapshot = async () => {
      const list = JSON.parse(ok(await kubectl(['get', 'pods', '-o', 'json']))).items as Listed[];
      return Object.fromEntries(list.map((p) => [p.metadata.name, Object.fromEntries((p.status.containerStatuses ?? []).map((c) => [c.name, c]))]));
    };
    await running('duo');
    const before = await snapshot();
    await cluster.restart();
    await new Promise((r) => setTimeout(r, 3000)); // give the agent time to (wrongly) restart anything
    const after = await snapshot();
    assert.deepEqual(Object.keys(after).sort(), Object.keys(before).sort());
    const crashLooping = new Set(['crasher', 'clash/second']);
    for (const [podName, containers] of Object.entries(before)) {
      for (const [name, was] of Object.entries(containers)) {
        const now = after[podName][name];
        if (crashLooping.has(podName) || crashLooping.has(`${podName}/${name}`)) {
          assert.ok(now.restartCount >= was.restartCount, `${podName}/${name} restart count does not go back`);
        } else {
          assert.deepEqual([now.containerID, now.restartCount], [was.containerID, was.restartCount], `${podName}/${name}`);
        }
      }
    }
    assert.equal(await httpGet(`http://${(await pod('duo')).status.podIP}:8080/`), 'hello-from-web\n', 'the adopted pod still serves');
  });
});
