// `tinykube server` (control plane alone, no node of its own) and one `tinykube agent` joined to it
// with its own data dir and bridge: the server's scheduler binds a pod to the agent, which runs it
// with an IP from the /24 the server gave it; deleting the pod removes it; reset leaves nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { findKubectl, fixtures, kubectlRunner, startServer, type RunningServer } from './harness.js';
import { JoinedAgent } from './joinedagent.js';
import { ok, realPodsUnavailable, TEST_IMAGE, waitFor } from './cluster.js';

const CLUSTER_CIDR = '10.38.0.0/16';
const kubectlBin = findKubectl(33) ?? 'kubectl';
const skip = realPodsUnavailable();
if (skip) console.log(`# skipped: ${skip}`);

/** Whether an IPv4 address lies in a CIDR. */
function inCidr(ip: string, cidr: string): boolean {
  const num = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(num(ip) / size) === Math.floor(num(base) / size);
}

describe('tinykube server + tinykube agent', { skip, timeout: 180_000 }, () => {
  let server: RunningServer;
  let kubectl: ReturnType<typeof kubectlRunner>;
  const agent = new JoinedAgent('sa-node', 'tksa0', CLUSTER_CIDR);

  before(async () => {
    server = await startServer(undefined, { command: 'server', args: ['--cluster-cidr', CLUSTER_CIDR] });
    kubectl = kubectlRunner(kubectlBin, server, fixtures);
    await agent.join({ server, kubectl }, ['--token-file', join(server.dataDir, 'node-token')]);
  });

  after(async () => {
    await agent.reset();
    await server?.stop();
    server?.cleanup();
  });

  test('the server schedules a pod onto the joined agent, which runs it in its pod CIDR', async () => {
    assert.equal(agent.podCidr, '10.38.0.0/24', 'the first /24 of the cluster CIDR');
    const nodes = ok(await kubectl(['get', 'nodes', '-o', 'name']));
    assert.equal(nodes.trim(), 'node/sa-node', 'the server runs no node of its own');
    ok(await kubectl(['run', 'sa-pod', `--image=${TEST_IMAGE}`, '--', 'sleep', '3600']));
    const pod = await waitFor('sa-pod Running', async () => {
      const p = JSON.parse(ok(await kubectl(['get', 'pod', 'sa-pod', '-o', 'json'])));
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(pod.spec.nodeName, 'sa-node');
    assert.ok(inCidr(pod.status.podIP, agent.podCidr), `${pod.status.podIP} in ${agent.podCidr}`);
    assert.deepEqual(pod.status.podIPs, [{ ip: pod.status.podIP }]);
    ok(await kubectl(['delete', 'pod', 'sa-pod', '--grace-period=1', '--wait=true', '--timeout=60s']));
    const after = await kubectl(['get', 'pod', 'sa-pod']);
    assert.match(after.stderr, /NotFound/);
  });
});
