// A real single-node cluster (`tinykube up`) for end-to-end tests, on a pod network of the test's
// own (bridge, /24 and node name), with the test image imported. `stop()` runs `tinykube reset`
// and checks that nothing is left: no netns, bridge, mount, conmon or pod cgroup.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, fixtures, kubectlRunner, startServer, type KubectlResult, type RunningServer } from './harness.js';
import { importTestImage, TEST_IMAGE } from './podimage.js';

export { TEST_IMAGE };

/** Why real-pod tests cannot run here, or false. */
export function realPodsUnavailable(): string | false {
  if (process.getuid?.() !== 0) return 'needs root';
  const missing = ['runc', 'conmon', 'catatonit', 'ip'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (!existsSync('/usr/lib/cni/bridge')) missing.push('/usr/lib/cni/bridge');
  return missing.length ? `missing ${missing.join(', ')} (apt-get install runc conmon containernetworking-plugins catatonit)` : false;
}

export interface ClusterNetwork { podCidr: string; bridge: string; nodeName: string; clusterCidr?: string }

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const ok = (r: KubectlResult): string => {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export class TestCluster {
  server!: RunningServer;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'tinykube-cluster-'));
  readonly args: string[];
  /** Every sandbox the tests saw, to check that none of their cgroups outlives the suite. */
  private readonly sandboxes = new Set<string>();
  private netnsBefore = new Set<string>();
  private runners = new Map<string, ReturnType<typeof kubectlRunner>>();

  /** `extraArgs` go to `tinykube up` after the network ones (e.g. --bind-address, --node-ip). */
  constructor(readonly net: ClusterNetwork, readonly kubectlBin: string, extraArgs: string[] = []) {
    this.args = ['--cluster-cidr', net.clusterCidr ?? '10.42.0.0/16', '--pod-cidr', net.podCidr, '--bridge', net.bridge, '--node-name', net.nodeName, ...extraArgs];
  }

  async start(): Promise<void> {
    // A bridge of this name is another cluster's (say a run killed before its reset): its pods hold
    // addresses of the same /24, so this cluster's pods would clash with them. Say so, not 'fetch failed'.
    if (spawnSync('ip', ['link', 'show', this.net.bridge]).status === 0) {
      throw new Error(`bridge ${this.net.bridge} already exists: another cluster (or a killed test run) uses ${this.net.podCidr}; `
        + `\`tinykube reset\` that cluster's data dir first`);
    }
    this.netnsBefore = new Set(this.netnsList());
    importTestImage(this.dataDir);
    await this.restart();
  }

  /** (Re)starts `tinykube up` on the same data dir and waits for the node to be Ready. */
  async restart(): Promise<void> {
    await this.server?.stop();
    this.server = await startServer(this.dataDir, { command: 'up', args: this.args });
    this.runners.clear();
    await waitFor('node Ready', async () => (new RegExp(`${this.net.nodeName}\\s+Ready`).test((await this.kubectl(['get', 'nodes'])).stdout) ? true : undefined));
  }

  /** kubectl (this cluster's kubeconfig), optionally another binary such as kubectl 1.27. */
  kubectl(args: string[], input?: string, binary = this.kubectlBin): Promise<KubectlResult> {
    let run = this.runners.get(binary);
    if (!run) this.runners.set(binary, (run = kubectlRunner(binary, this.server, fixtures)));
    return run(args, input);
  }

  /** `kubectl port-forward POD LOCAL:podPort` on a free local port, once it says "Forwarding from". */
  async portForward(pod: string, podPort: number, binary = this.kubectlBin): Promise<{ port: number; output(): string; stop(): void }> {
    const port = await freePort();
    const proc = spawn(binary, ['port-forward', pod, `${port}:${podPort}`], { env: { ...process.env, KUBECONFIG: this.server.kubeconfig } });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    const stop = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill(); };
    try {
      await waitFor('port-forward', async () => {
        if (proc.exitCode !== null) throw new Error(`kubectl port-forward exited: ${out}`);
        return out.includes(`Forwarding from 127.0.0.1:${port} -> ${podPort}`) ? true : undefined;
      }, 20_000);
    } catch (e) {
      stop();
      throw e;
    }
    return { port, output: () => out, stop };
  }

  async apply(manifest: object): Promise<string> {
    return ok(await this.kubectl(['apply', '-f', '-'], JSON.stringify(manifest)));
  }

  async pod(name: string): Promise<Json> {
    return JSON.parse(ok(await this.kubectl(['get', 'pod', name, '-o', 'json'])));
  }

  /** Waits until the pod runs with every container ready; returns it. */
  running(name: string): Promise<Json> {
    return waitFor(`${name} Running`, async () => {
      const p = await this.pod(name);
      for (const c of p.status?.containerStatuses ?? []) if (c.containerID) this.sandboxes.add(c.containerID.replace(/^runc:\/\//, '').split('-')[0]);
      return p.status?.phase === 'Running' && p.status.containerStatuses?.every((c: { ready: boolean }) => c.ready) ? p : undefined;
    });
  }

  /** A pod of the test image whose containers each run a shell script, optionally sharing an emptyDir at /shared. */
  static shPod(name: string, containers: Record<string, string>, spec: object = {}, sharedVolume = true) {
    return {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: {
        ...(sharedVolume ? { volumes: [{ name: 'shared', emptyDir: {} }] } : {}),
        containers: Object.entries(containers).map(([cname, script]) => ({
          name: cname, image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', script],
          ...(sharedVolume ? { volumeMounts: [{ name: 'shared', mountPath: '/shared' }] } : {}),
        })),
        ...spec,
      },
    };
  }

  private netnsList(): string[] {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
  }

  /** Stops `up`, runs `tinykube reset` and asserts that nothing of the cluster is left on the host. */
  async stop(): Promise<void> {
    await this.server?.stop();
    // This node's sandboxes (their netns are tk-<id>): other tests on the machine make netns meanwhile.
    const sandboxDir = join(this.dataDir, 'agent', 'runtime', 'sandboxes');
    for (const id of existsSync(sandboxDir) ? readdirSync(sandboxDir) : []) this.sandboxes.add(id);
    execFileSync(process.execPath, [CLI, 'reset', '--data-dir', this.dataDir, ...this.args], { encoding: 'utf8' });
    assert.ok(!existsSync(this.dataDir), 'data dir removed');
    assert.equal(spawnSync('ip', ['link', 'show', this.net.bridge]).status, 1, 'bridge removed');
    assert.ok(!readFileSync('/proc/mounts', 'utf8').includes(this.dataDir), 'no mount left under the data dir');
    assert.equal(spawnSync('pgrep', ['-f', `conmon.*${this.dataDir}`]).status, 1, 'no conmon left');
    assert.deepEqual(this.netnsList().filter((n) => !this.netnsBefore.has(n) && this.sandboxes.has(n.replace(/^tk-/, ''))), [], 'no netns left');
    const controllers = readdirSync('/sys/fs/cgroup');
    for (const sid of this.sandboxes) for (const c of controllers) assert.ok(!existsSync(`/sys/fs/cgroup/${c}/tinykube/pod-${sid}`), `cgroup ${c}/tinykube/pod-${sid} removed`);
  }
}

/** `n` GETs of `/` at once on 127.0.0.1:port, each on its own connection; their bodies as a set. */
export async function parallelGets(port: number, n: number): Promise<Set<string>> {
  return new Set(await Promise.all(Array.from({ length: n }, async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(20_000) })).text())));
}

/** A local port whose connections @kubernetes/client-node's PortForward carries to `pod`:`podPort`. */
export async function clientNodePortForward(kubeconfig: string, pod: string, podPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const { KubeConfig, PortForward } = await import('@kubernetes/client-node');
  const { createServer } = await import('node:net');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const forward = new PortForward(kc);
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    forward.portForward('default', pod, [podPort], socket, null, socket).catch(() => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
