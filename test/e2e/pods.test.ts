// Real pods on a real single-node cluster (`tinykube up`): runc containers grouped in pods that share
// net/UTS/IPC namespaces, each pod with its own IP; checked with real kubectl and from the host.
// Needs root, runc, conmon, CNI plugins and catatonit; skips with the reason otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, findKubectl, kubectlRunner, startServer, fixtures, type KubectlResult, type RunningServer } from './harness.js';
import { importTestImage, TEST_IMAGE } from './podimage.js';

const missing = ['runc', 'conmon', 'catatonit', 'ip'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
if (!existsSync('/usr/lib/cni/bridge')) missing.push('/usr/lib/cni/bridge');
const skip = process.getuid?.() !== 0 ? 'needs root' : missing.length ? `missing ${missing.join(', ')} (apt-get install runc conmon containernetworking-plugins catatonit)` : false;
const kubectlBin = findKubectl(33);

/** A pod network of its own, so the test never meets a `tinykube up` running on the same machine. */
const NET = ['--cluster-cidr', '10.42.0.0/16', '--pod-cidr', '10.42.251.0/24', '--bridge', 'tke2e0', '--node-name', 'e2e-node'];

const ok = (r: KubectlResult): string => {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};

describe('real pods with tinykube up', { skip: skip || (kubectlBin ? false : 'kubectl 1.33 is not installed') }, () => {
  let server: RunningServer;
  let kubectl: ReturnType<typeof kubectlRunner>;
  let dataDir: string;
  let netnsBefore = new Set<string>();
  const runc = (...args: string[]) => execFileSync('runc', ['--root', join(dataDir, 'agent', 'runtime', 'runc'), ...args], { encoding: 'utf8' });

  const apply = async (manifest: object) => ok(await kubectl(['apply', '-f', '-'], JSON.stringify(manifest)));
  const pod = async (name: string) => JSON.parse(ok(await kubectl(['get', 'pod', name, '-o', 'json'])));
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const running = (name: string) => waitFor(`${name} Running`, async () => {
    const p = await pod(name);
    return p.status?.phase === 'Running' && p.status.containerStatuses?.every((c: { ready: boolean }) => c.ready) ? p : undefined;
  });
  const containerPid = (id: string): number => JSON.parse(runc('state', id)).pid;
  const containerId = (p: { status: { containerStatuses: { name: string; containerID: string }[] } }, name: string) =>
    p.status.containerStatuses.find((c) => c.name === name)!.containerID.replace(/^runc:\/\//, '');
  const volumeDir = (p: { metadata: { uid: string } }, volume: string) => join(dataDir, 'agent', 'pods', p.metadata.uid, 'volumes', volume);

  before(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    netnsBefore = new Set(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n'));
    dataDir = mkdtempSync(join(tmpdir(), 'tinykube-pods-'));
    importTestImage(dataDir);
    server = await startServer(dataDir, { command: 'up', args: NET });
    kubectl = kubectlRunner(kubectlBin!, server, fixtures);
    await waitFor('node Ready', async () => (/e2e-node\s+Ready/.test((await kubectl(['get', 'nodes'])).stdout) ? true : undefined));
  });

  after(async () => {
    await server?.stop();
    if (!dataDir) return;
    // `tinykube reset` must leave nothing behind: no netns, link, mount, conmon or container of ours.
    execFileSync(process.execPath, [CLI, 'reset', '--data-dir', dataDir, ...NET], { encoding: 'utf8' });
    assert.ok(!existsSync(dataDir), 'data dir removed');
    assert.equal(spawnSync('ip', ['link', 'show', 'tke2e0']).status, 1, 'bridge removed');
    assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(dataDir), 'no mount left under the data dir');
    assert.equal(spawnSync('pgrep', ['-f', `conmon.*${dataDir}`]).status, 1, 'no conmon left');
    const leftover = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((n) => n && !netnsBefore.has(n));
    assert.deepEqual(leftover, []);
  });

  test('a two-container pod shares net, UTS and IPC namespaces but not mount', async () => {
    await apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'duo' },
      spec: {
        volumes: [{ name: 'shared', emptyDir: {} }],
        containers: [
          { name: 'web', image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', 'echo hello-from-web > /www/index.html; echo private > /only-web; httpd -f -p 8080 -h /www'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
          { name: 'side', image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', 'sleep 1; hostname > /shared/side-hostname; wget -qO- http://localhost:8080/ > /shared/fetched; ls /only-web > /shared/side-sees-web-file 2>&1; echo from-side > /shared/note; exec sleep 3600'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
        ],
      },
    });
    const p = await running('duo');
    assert.match(p.status.podIP, /^10\.42\.251\.\d+$/);
    const shared = volumeDir(p, 'shared');
    await waitFor('sidecar output', async () => (existsSync(join(shared, 'note')) ? true : undefined));
    assert.equal(readFileSync(join(shared, 'side-hostname'), 'utf8').trim(), 'duo');
    assert.equal(readFileSync(join(shared, 'fetched'), 'utf8').trim(), 'hello-from-web');
    assert.match(readFileSync(join(shared, 'side-sees-web-file'), 'utf8'), /No such file/);
    const web = containerPid(containerId(p, 'web'));
    const side = containerPid(containerId(p, 'side'));
    const ns = (pid: number, kind: string) => readlinkSync(`/proc/${pid}/ns/${kind}`);
    for (const kind of ['net', 'uts', 'ipc']) assert.equal(ns(web, kind), ns(side, kind), kind);
    assert.notEqual(ns(web, 'mnt'), ns(side, 'mnt'));
  });
});
