// kubectl logs, exec and port-forward against real pods, with kubectl 1.27 (SPDY) and 1.33
// (WebSocket, port-forward tunnelled over WebSocket), and through @kubernetes/client-node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { findKubectl } from './harness.js';
import { clientNodePortForward, ok, parallelGets, realPodsUnavailable, TestCluster, TEST_IMAGE, waitFor } from './cluster.js';

const versions = [27, 33].map((minor) => ({ minor, bin: findKubectl(minor) })).filter((v): v is { minor: number; bin: string } => !!v.bin);
const skip = realPodsUnavailable() || (versions.length ? false : 'no kubectl 1.27 or 1.33 installed');

/** Lines 1..20 at once, then one more every 100 ms on stdout, and a few on stderr. */
const TALKER = 'for i in $(seq 1 20); do echo "line $i"; done; echo "to stderr" >&2; i=21; while true; do echo "line $i"; i=$((i+1)); sleep 0.1; done';

describe('logs, exec and port-forward', { skip }, () => {
  const cluster = new TestCluster({ podCidr: '10.42.249.0/24', bridge: 'tkstr0', nodeName: 'str-node' }, versions.at(-1)?.bin ?? 'kubectl');
  const shPod = TestCluster.shPod;

  before(async () => {
    await cluster.start();
    await cluster.apply(shPod('talker', { main: TALKER, side: 'echo side-says-hi; exec sleep 3600', quiet: 'seq 1 10; exec sleep 3600' }, { terminationGracePeriodSeconds: 1 }, false));
    await cluster.apply(shPod('web', {
      main: 'mkdir -p /www; echo hello-through-forward > /www/index.html; head -c 104857600 /dev/zero > /www/big; exec httpd -f -p 127.0.0.1:8080 -h /www',
    }, { terminationGracePeriodSeconds: 1 }, false));
    await cluster.apply(shPod('crasher', { main: 'n=$(cat /shared/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /shared/n; echo "attempt $n"; sleep 1; exit 1' }, { terminationGracePeriodSeconds: 1 }));
    await cluster.running('talker');
    await cluster.running('web');
  });
  after(() => cluster.stop());

  for (const { minor, bin } of versions) {
    const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input, bin);

    test(`kubectl 1.${minor} logs: -c, --tail, --timestamps, --previous, -f, and the container-name error`, async () => {
      assert.equal(ok(await kubectl(['logs', 'talker', '-c', 'side'])), 'side-says-hi\n');
      const all = ok(await kubectl(['logs', 'talker', '-c', 'main']));
      // stdout and stderr are interleaved in the order conmon read them (the two pipes have no common order).
      assert.match(all, /^line 1\nline 2\n[\s\S]*line 20\n/);
      assert.match(all, /^to stderr$/m);
      assert.equal(ok(await kubectl(['logs', 'talker', '-c', 'quiet', '--tail=5'])), '6\n7\n8\n9\n10\n');
      const stamped = ok(await kubectl(['logs', 'talker', '-c', 'side', '--timestamps'])).trim();
      assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z side-says-hi$/);
      // Without -c kubectl picks the first container (saying so); the API itself answers with upstream's error.
      const defaulted = await kubectl(['logs', 'talker', '--tail=1']);
      assert.equal(defaulted.code, 0, defaulted.stderr);
      assert.match(defaulted.stdout, /^line \d+\n$/);
      const raw = await kubectl(['get', '--raw', '/api/v1/namespaces/default/pods/talker/log']);
      assert.notEqual(raw.code, 0);
      assert.match(raw.stderr, /a container name must be specified for pod talker, choose one of: \[main side quiet\]/);
      const bogus = await kubectl(['logs', 'talker', '-c', 'bogus']);
      assert.notEqual(bogus.code, 0);
      assert.match(bogus.stderr, /container bogus is not valid for pod talker/);

      await waitFor('crasher restarted', async () => ((await cluster.pod('crasher')).status?.containerStatuses?.[0]?.restartCount >= 1 ? true : undefined));
      const previous = ok(await kubectl(['logs', 'crasher', '--previous'])).trim();
      assert.match(previous, /^attempt \d+$/);
      const noPrevious = await kubectl(['logs', 'talker', '-c', 'side', '--previous']);
      assert.match(noPrevious.stderr, /previous terminated container "side" in pod "talker" not found/);

      // -f streams new lines as they come; it ends when the pod's container ends.
      const follow = spawn(bin, ['logs', '-f', 'talker', '-c', 'main', '--tail=1'], { env: { ...process.env, KUBECONFIG: cluster.server.kubeconfig } });
      let seen = '';
      follow.stdout.on('data', (d) => { seen += d; });
      await waitFor('3 followed lines', async () => (seen.split('\n').filter(Boolean).length >= 3 ? true : undefined), 20_000);
      follow.kill();
      const lines = seen.split('\n').filter(Boolean).map((l) => Number(l.replace('line ', '')));
      assert.ok(lines.every((n, i) => i === 0 || n === lines[i - 1] + 1), `consecutive lines: ${seen}`);
    });

    test(`kubectl 1.${minor} exec: exit codes, streams, stdin, a terminal`, async () => {
      const r = await kubectl(['exec', 'talker', '-c', 'main', '--', 'sh', '-c', 'echo hi; echo oops >&2; exit 3']);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, 'hi\n');
      assert.match(r.stderr, /oops/);
      assert.equal(ok(await kubectl(['exec', '-i', 'talker', '-c', 'main', '--', 'cat'], 'piped data\n')), 'piped data\n');
      assert.equal(ok(await kubectl(['exec', 'talker', '-c', 'side', '--', 'hostname'])), 'talker\n');
      const missing = await kubectl(['exec', 'talker', '-c', 'main', '--', 'nosuchcommand']);
      assert.notEqual(missing.code, 0);
      // -it under a pseudo-terminal (script gives kubectl one): the shell sees a terminal.
      const cmd = `${bin} exec -it talker -c main -- sh -c 'tty; stty size; echo done-$((40+2))'`;
      const tty = spawn('script', ['-q', '-c', cmd, '/dev/null'], { env: { ...process.env, KUBECONFIG: cluster.server.kubeconfig, COLUMNS: '100', LINES: '30' } });
      let out = '';
      tty.stdout.on('data', (d) => { out += d; });
      const code = await new Promise<number>((resolve) => tty.on('close', (c) => resolve(c ?? -1)));
      assert.equal(code, 0, out);
      assert.match(out, /\/dev\/pts\/\d+/);
      assert.match(out, /done-42/);
    });

    test(`kubectl 1.${minor} attach -i: stdin in, stdout and stderr out; run -it --rm under a terminal`, async () => {
      const name = `att-${minor}`;
      await cluster.apply({
        apiVersion: 'v1', kind: 'Pod', metadata: { name },
        spec: {
          restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
          containers: [{ name: 'c', image: TEST_IMAGE, imagePullPolicy: 'Never', stdin: true, stdinOnce: true, command: ['sh', '-c', 'while read l; do echo "got $l"; echo "err $l" >&2; done; echo bye'] }],
        },
      });
      await cluster.running(name);
      const r = await kubectl(['attach', '-i', name], 'hello\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'got hello\nbye\n');
      assert.match(r.stderr, /err hello/);

      // kubectl run -it creates a pod with stdin and a tty, attaches, resizes, and deletes it after.
      const cmd = `stty cols 111 rows 33; ${bin} run -i -t --rm --restart=Never tty-${minor} --image=${TEST_IMAGE} --image-pull-policy=Never -- sh; echo "kubectl-exit=$?"`;
      const term = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: { ...process.env, KUBECONFIG: cluster.server.kubeconfig } });
      let out = '';
      let typed = false;
      term.stdout.on('data', (d) => {
        out += d;
        if (!typed && out.includes("If you don't see a command prompt")) {
          typed = true;
          setTimeout(() => term.stdin.write('stty size; echo tty-$((6*7)); exit 3\n'), 300);
        }
      });
      const timer = setTimeout(() => term.kill('SIGKILL'), 60_000);
      await new Promise((resolve) => term.on('close', resolve));
      clearTimeout(timer);
      assert.match(out, /33 111/, out);
      assert.match(out, /tty-42/, out);
      assert.match(out, /kubectl-exit=3/, out);
      await waitFor(`tty-${minor} deleted`, async () => ((await kubectl(['get', 'pod', `tty-${minor}`])).code !== 0 ? true : undefined));
    });

    test(`kubectl 1.${minor} port-forward reaches a server on the pod's 127.0.0.1`, async () => {
      const pf = await cluster.portForward('web', 8080, bin);
      const local = pf.port;
      try {
        const get = async (path = '/') => (await fetch(`http://127.0.0.1:${local}${path}`, { signal: AbortSignal.timeout(20_000) })).text();
        assert.equal(await get(), 'hello-through-forward\n');
        assert.match(pf.output(), new RegExp(`Handling connection for ${local}`));
        assert.deepEqual(await parallelGets(local, 20), new Set(['hello-through-forward\n']));
        for (let i = 0; i < 200; i++) assert.equal(await get(), 'hello-through-forward\n');
        const t0 = performance.now();
        const big = await (await fetch(`http://127.0.0.1:${local}/big`)).arrayBuffer();
        const seconds = (performance.now() - t0) / 1000;
        assert.equal(big.byteLength, 104857600);
        console.log(`# kubectl 1.${minor} port-forward: 100 MiB in ${seconds.toFixed(2)} s (${(100 / seconds).toFixed(0)} MiB/s)`);
      } finally {
        pf.stop();
      }
    });
  }

  test('@kubernetes/client-node: Log and Exec', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cluster.server.kubeconfig);
    let text = '';
    const sink = new Writable({ write(chunk, _enc, cb) { text += chunk; cb(); } });
    await new Promise<void>((resolve, reject) => {
      new k8s.Log(kc).log('default', 'talker', 'side', sink, { follow: false }).then(() => sink.on('finish', resolve), reject);
    });
    assert.equal(text, 'side-says-hi\n');

    let stdout = '';
    const out = new Writable({ write(chunk, _enc, cb) { stdout += chunk; cb(); } });
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kc).exec('default', 'talker', 'main', ['sh', '-c', 'echo from-client-node; exit 4'], out, null, null, false, (s) => resolve(s)).catch(reject);
    });
    assert.equal(stdout, 'from-client-node\n');
    assert.equal(status.status, 'Failure');
    assert.equal(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message, '4');
  });

  test('errors: logs of a container that never started, exec into a stopped container', async () => {
    const never = shPod('never', { main: 'true' }, { restartPolicy: 'Never' }, false);
    never.spec.containers[0].image = 'docker.io/tinykube/not-imported:1';
    await cluster.apply(never);
    await waitFor('ErrImageNeverPull', async () => ((await cluster.pod('never')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull' ? true : undefined));
    const logs = await cluster.kubectl(['logs', 'never']);
    assert.notEqual(logs.code, 0);
    assert.match(logs.stderr, /container "main" in pod "never" is waiting to start: ErrImageNeverPull/);

    await cluster.apply(shPod('half', { main: 'exec sleep 3600', quick: 'echo bye' }, { restartPolicy: 'Never', terminationGracePeriodSeconds: 1 }, false));
    await waitFor('quick terminated', async () => ((await cluster.pod('half')).status?.containerStatuses?.find((c: { name: string }) => c.name === 'quick')?.state?.terminated ? true : undefined));
    const exec = await cluster.kubectl(['exec', 'half', '-c', 'quick', '--', 'true']);
    assert.notEqual(exec.code, 0);
    assert.match(exec.stderr, /container not found \("quick"\)/);
    ok(await cluster.kubectl(['delete', 'pod', 'never', 'half', '--grace-period=1']));
  });

  test('@kubernetes/client-node: PortForward, 20 connections at once', async () => {
    const fwd = await clientNodePortForward(cluster.server.kubeconfig, 'web', 8080);
    try {
      assert.deepEqual(await parallelGets(fwd.port, 20), new Set(['hello-through-forward\n']));
    } finally {
      await fwd.close();
    }
  });
});
