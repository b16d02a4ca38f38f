// Real nodes joined to one control plane: `tinykube up` (node mn-a) and `tinykube agent --server …
// --token-file …` (node mn-b, its own data dir, bridge and a /24 the server allocates) on this
// machine, and node mn-c on a second "host": a network namespace of this test's own (veth
// 198.51.100.1 ↔ .2) in which another agent runs. Pods reach each other across nodes over the flat
// pod network (mn-c through the routes each node adds for the others' pod CIDRs); logs, exec and
// port-forward to mn-b and mn-c pods go through the API server's mutual-TLS proxy to their
// streaming servers (mn-a's are served in-process). A wrong token is refused. Everything is
// removed at the end (reset on every node, the host namespace and its veth).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKubectl, CLI } from './harness.js';
import { JoinedAgent } from './joinedagent.js';
import { clientNodePortForward, ok, parallelGets, realPodsUnavailable, TestCluster, waitFor } from './cluster.js';

const CLUSTER_CIDR = '10.40.0.0/16';
const kubectl = findKubectl(33) ?? 'kubectl';
const kubectl127 = findKubectl(27);
const skip = realPodsUnavailable();
if (skip) console.log(`# skipped: ${skip}`);

/** A pod of one shell script on the named node. */
const pin = (name: string, node: string, script: string) => TestCluster.shPod(name, { main: script }, { nodeSelector: { 'kubernetes.io/hostname': node } }, false);

/** The second "host": a network namespace with a veth to this one (198.51.100.0/30, TEST-NET-2). */
const HOST_NS = 'tkmnhost';
const HOST_LINK = 'tkmnh0';
const [HERE_IP, HOST_IP] = ['198.51.100.1', '198.51.100.2'];

function makeHost(): void {
  const ip = (...args: string[]) => execFileSync('ip', args);
  ip('netns', 'add', HOST_NS);
  ip('link', 'add', HOST_LINK, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', HOST_NS);
  ip('addr', 'add', `${HERE_IP}/30`, 'dev', HOST_LINK);
  ip('link', 'set', HOST_LINK, 'up');
  for (const args of [['addr', 'add', `${HOST_IP}/30`, 'dev', 'eth0'], ['link', 'set', 'eth0', 'up'], ['link', 'set', 'lo', 'up']]) ip('-n', HOST_NS, ...args);
}

function removeHost(): void {
  spawnSync('ip', ['netns', 'del', HOST_NS]);
  spawnSync('ip', ['link', 'del', HOST_LINK]);
}

describe('nodes joined with tinykube agent', { skip, timeout: 300_000 }, () => {
  const cluster = new TestCluster({ podCidr: '10.40.1.0/24', bridge: 'tkmn0', nodeName: 'mn-a', clusterCidr: CLUSTER_CIDR }, kubectl, ['--bind-address', HERE_IP, '--node-ip', HERE_IP]);
  const agent = new JoinedAgent('mn-b', 'tkmn1', CLUSTER_CIDR);
  const hostAgent = new JoinedAgent('mn-c', 'tkmnc0', CLUSTER_CIDR, { netns: HOST_NS, ip: HOST_IP });
  const tokenFile = () => ['--token-file', join(cluster.dataDir, 'node-token')];

  before(async () => {
    removeHost();
    makeHost();
    await cluster.start();
    await agent.join(cluster, tokenFile());
    await hostAgent.join(cluster, tokenFile());
  });

  after(async () => {
    await agent.reset();
    await hostAgent.reset();
    removeHost();
    await cluster.stop();
    assert.equal(execFileSync('ip', ['route', 'show', hostAgent.podCidr || '10.40.2.0/24'], { encoding: 'utf8' }).trim(), '', 'route to mn-c pods removed');
  });

  test('the server allocates the joining node a /24 of the cluster CIDR, kept on the Node', async () => {
    assert.equal(agent.podCidr, '10.40.0.0/24');
    assert.equal(hostAgent.podCidr, '10.40.2.0/24');
    const node = JSON.parse(ok(await cluster.kubectl(['get', 'node', 'mn-b', '-o', 'json'])));
    assert.equal(node.spec.podCIDR, agent.podCidr);
    assert.ok(node.status.daemonEndpoints.kubeletEndpoint.Port > 0);
  });

  test('a pod on mn-b reaches a pod on mn-a; logs, exec and port-forward go through the TLS proxy', async () => {
    await cluster.apply(pin('near', 'mn-a', 'mkdir -p /www; echo from-mn-a > /www/index.html; exec httpd -f -p 8080 -h /www'));
    await cluster.apply(pin('far', 'mn-b', 'echo far-started; mkdir -p /www; echo from-mn-b > /www/index.html; exec httpd -f -p 127.0.0.1:9090 -h /www'));
    const near = await cluster.running('near');
    const far = await cluster.running('far');
    assert.equal(near.spec.nodeName, 'mn-a');
    assert.equal(far.spec.nodeName, 'mn-b');
    assert.ok(far.status.podIP.startsWith('10.40.0.'), far.status.podIP);

    // Across nodes, pod to pod.
    assert.equal(ok(await cluster.kubectl(['exec', 'far', '--', 'wget', '-qO-', `http://${near.status.podIP}:8080/`])), 'from-mn-a\n');

    // Through the API server's proxy to mn-b's streaming server.
    assert.equal(ok(await cluster.kubectl(['logs', 'far'])), 'far-started\n');
    for (const bin of [kubectl, kubectl127].filter((b): b is string => !!b)) {
      const r = await cluster.kubectl(['exec', 'far', '--', 'sh', '-c', 'echo hi; exit 3'], undefined, bin);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, 'hi\n');
    }
    const pf = await cluster.portForward('far', 9090);
    try {
      assert.deepEqual(await parallelGets(pf.port, 10), new Set(['from-mn-b\n']));
    } finally {
      pf.stop();
    }
    // Resource usage of mn-b comes over the same TLS path (kubectl top).
    const top = await waitFor('mn-b in kubectl top node', async () => {
      const r = await cluster.kubectl(['top', 'node', '--no-headers']);
      return r.code === 0 && /^mn-b\s+\d+m/m.test(r.stdout) ? r.stdout : undefined;
    });
    assert.match(top, /^mn-a\s+\d+m/m);
    const fwd = await clientNodePortForward(cluster.server.kubeconfig, 'far', 9090);
    try {
      assert.deepEqual(await parallelGets(fwd.port, 5), new Set(['from-mn-b\n']));
    } finally {
      await fwd.close();
    }
    ok(await cluster.kubectl(['delete', 'pod', 'near', 'far', '--grace-period=1']));
  });

  test('across hosts: each node routes the others\' pod CIDRs, pods reach each other, streams reach mn-c', async () => {
    await cluster.apply(pin('on-a', 'mn-a', 'mkdir -p /www; echo from-mn-a > /www/index.html; exec httpd -f -p 8080 -h /www'));
    await cluster.apply(pin('on-c', 'mn-c', 'echo on-c-started; mkdir -p /www; echo from-mn-c > /www/index.html; exec httpd -f -p 8080 -h /www'));
    const [a, c] = [await cluster.running('on-a'), await cluster.running('on-c')];
    assert.ok(c.status.podIP.startsWith('10.40.2.'), c.status.podIP);
    assert.equal(c.status.hostIP, HOST_IP);
    await waitFor('routes', async () => {
      const here = execFileSync('ip', ['route', 'show', hostAgent.podCidr], { encoding: 'utf8' });
      const there = execFileSync('ip', ['-n', HOST_NS, 'route', 'show', '10.40.1.0/24'], { encoding: 'utf8' });
      return here.includes(`via ${HOST_IP}`) && there.includes(`via ${HERE_IP}`) ? true : undefined;
    }, 20_000);
    // mn-b's address is only reachable from this host: mn-c has no route to its pods, and none through its default route.
    assert.equal(execFileSync('ip', ['-n', HOST_NS, 'route', 'show', agent.podCidr], { encoding: 'utf8' }).trim(), '');
    assert.equal(ok(await cluster.kubectl(['exec', 'on-c', '--', 'wget', '-qO-', `http://${a.status.podIP}:8080/`])), 'from-mn-a\n');
    assert.equal(ok(await cluster.kubectl(['exec', 'on-a', '--', 'wget', '-qO-', `http://${c.status.podIP}:8080/`])), 'from-mn-c\n');
    assert.equal(ok(await cluster.kubectl(['logs', 'on-c'])), 'on-c-started\n');
    ok(await cluster.kubectl(['delete', 'pod', 'on-a', 'on-c', '--grace-period=1']));
  });

  test('streams to a pod on a node that is down fail at once with the dial error', async () => {
    await cluster.apply(TestCluster.shPod('lost', { main: 'echo lost-started; exec sleep 3600' }, { nodeSelector: { 'kubernetes.io/hostname': 'mn-b' } }, false));
    await cluster.running('lost');
    await agent.stop();
    for (const args of [['logs', 'lost'], ['exec', 'lost', '--', 'true']]) {
      const r = await cluster.kubectl(args);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /error dialing backend: .*ECONNREFUSED/);
    }
  });

  test('a wrong token is refused, and nothing joins', async () => {
    const token = readFileSync(join(cluster.dataDir, 'node-token'), 'utf8').trim();
    const wrongSecret = token.replace(/::node:.*/, `::node:${'0'.repeat(32)}`);
    const wrongCa = token.replace(/^TK1[0-9a-f]{8}/, 'TK100000000');
    const other = mkdtempSync(join(tmpdir(), 'tinykube-agent-bad-'));
    try {
      for (const [t, why] of [[wrongSecret, /HTTP 401: Unauthorized/], [wrongCa, /does not match the token/], ['nonsense', /a node token looks like/]] as const) {
        const r = spawnSync(process.execPath, [CLI, 'agent', '--server', cluster.server.url, '--token', t, '--data-dir', other, '--node-name', 'mn-bad', '--bridge', 'tkmnbad'], { encoding: 'utf8', timeout: 30_000 });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, why);
      }
      assert.equal((await cluster.kubectl(['get', 'node', 'mn-bad'])).code, 1);
      assert.equal(spawnSync('ip', ['link', 'show', 'tkmnbad']).status, 1);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
