#!/usr/bin/env node
// tinykube command line: `up` runs a whole single-node cluster, `server` the control plane alone,
// `reset` removes everything a node made, `image` manages the node's images.
import { rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ImageStore } from '../agent/runtime/images/index.js';
import { unmountUnder } from '../agent/runtime/mounts.js';
import { startControlPlane, type ControlPlaneOptions } from '../daemons/controlplane.js';
import { nodeLayout, nodeRuntime } from '../daemons/node.js';
import { startSingleNodeCluster } from '../daemons/singlenode.js';
import { AGENT_USAGE, runAgent } from './agent.js';
import { parseDurationSeconds } from './duration.js';
import { HOLLOW_USAGE, runHollowNodes } from './hollow.js';

const USAGE = `Usage: tinykube <command> [options]

Commands:
  up                    Run a single-node cluster: API server, scheduler, controllers and a node agent.
  server                Run the control plane alone (API server, scheduler, controllers) with the embedded
                        SQLite store; nodes join it with \`tinykube agent\`.
  reset                 Stop every pod of this node and remove everything tinykube made (netns, links,
                        routes, mounts, cgroups, state): back to a fresh machine.
  image import FILE     Import an OCI or docker-archive tarball into the node's image store.
  image pull REF        Pull an image from a registry.
  image ls              List the images on this node.
  agent                 Join this machine to a control plane as a node (--server URL --token TOKEN);
                        with --hollow N, N simulated nodes for scale tests. See tinykube agent --help.

Options:
  --data-dir DIR        where state, certificates, images and the kubeconfig live (default ~/.tinykube)
  --port N              API server HTTPS port (default 6443)
  --bind-address ADDR   API server address (default 0.0.0.0)
  --node-name NAME      this node's name (default: the host name)
  --node-ip ADDR        the address other nodes reach this node at (default: first non-loopback IPv4)
  --cluster-cidr CIDR   the pod network of the whole cluster (default 10.42.0.0/16)
  --pod-cidr CIDR       this node's share of it (default 10.42.0.0/24)
  --bridge NAME         the node's pod bridge (default tk0)
  --service-cidr CIDR   the Service cluster IP range (default 10.43.0.0/16; the whole range gets an
                        \`unreachable\` route, so a packet for a cluster IP never leaves the machine)
  --dns-forward ADDR    where the node's cluster DNS (port 53 on the bridge's gateway) sends names
                        outside cluster.local (ip[:port]); without it they are REFUSED
  --event-ttl DURATION  how long Events are kept after their last update (up, server; default 1h)
  --disable-scheduler   run no scheduler (up, server): pods stay unscheduled unless another scheduler,
                        or a client, binds them (as k3s's flag of that name)
`;

const COMMON = {
  'data-dir': { type: 'string' as const, default: join(homedir(), '.tinykube') },
  port: { type: 'string' as const, default: '6443' },
  'bind-address': { type: 'string' as const, default: '0.0.0.0' },
  'node-name': { type: 'string' as const },
  'node-ip': { type: 'string' as const },
  'cluster-cidr': { type: 'string' as const },
  'pod-cidr': { type: 'string' as const },
  bridge: { type: 'string' as const },
  'service-cidr': { type: 'string' as const },
  'dns-forward': { type: 'string' as const },
};

const networkOptions = (v: { 'cluster-cidr'?: string; 'pod-cidr'?: string; bridge?: string; 'service-cidr'?: string }) =>
  ({ clusterCidr: v['cluster-cidr'], podCidr: v['pod-cidr'], bridge: v.bridge, serviceCidr: v['service-cidr'] });

function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) return;
    stopping = true;
    stop().then(() => process.exit(0), (e) => { process.stderr.write(`tinykube: ${e}\n`); process.exit(1); });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function run(args: string[], withNode: boolean): Promise<void> {
  const { values } = parseArgs({ args, options: { ...COMMON, 'event-ttl': { type: 'string', default: '1h' }, 'disable-scheduler': { type: 'boolean', default: false } } });
  const nodeIP = values['node-ip'];
  if (nodeIP !== undefined && isIP(nodeIP) !== 4) throw new Error(`--node-ip wants an IPv4 address, not ${JSON.stringify(nodeIP)}`);
  const started = Date.now();
  const cpOpts: ControlPlaneOptions = {
    dataDir: values['data-dir']!, host: values['bind-address']!, port: Number(values.port), clusterCidr: values['cluster-cidr'],
    serviceCidr: values['service-cidr'], advertiseAddress: nodeIP, eventTtlSeconds: parseDurationSeconds(values['event-ttl']!, '--event-ttl'),
    scheduler: !values['disable-scheduler'],
  };
  const running = withNode
    ? await startSingleNodeCluster(cpOpts, { nodeName: values['node-name'], nodeIP, dnsForward: values['dns-forward'], ...networkOptions(values) })
    : await startControlPlane(cpOpts);
  const cp = 'controlPlane' in running ? running.controlPlane : running;
  process.stdout.write(`tinykube ${withNode ? 'cluster' : 'API server'} ready at ${cp.url} in ${Date.now() - started} ms\n`);
  process.stdout.write(`kubeconfig: ${cp.kubeconfig}\nexport KUBECONFIG=${cp.kubeconfig}\n`);
  process.stdout.write(`join a node: tinykube agent --server https://<this host>:${cp.server.port} --token-file ${join(values['data-dir']!, 'node-token')}\n`);
  // Pods keep running: conmon owns their containers, and the next `up` adopts them.
  onSignal(() => running.stop());
}

async function reset(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: COMMON });
  const dataDir = values['data-dir']!;
  await nodeRuntime(dataDir, networkOptions(values)).cleanupAll();
  // Pod volumes on tmpfs (secrets, projected, memory emptyDirs) of pods whose agent is gone.
  await unmountUnder(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(`tinykube: removed every pod, network and mount of this node, and ${dataDir}\n`);
}

async function image(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, options: COMMON, allowPositionals: true });
  const store = new ImageStore(nodeLayout(values['data-dir']!).imagesDir);
  switch (sub) {
    case 'import':
      if (!positionals[0]) throw new Error('usage: tinykube image import FILE');
      for (const img of await store.importArchive(positionals[0])) process.stdout.write(`imported ${img.ref} (${img.id})\n`);
      return;
    case 'pull': {
      if (!positionals[0]) throw new Error('usage: tinykube image pull REF');
      const progress = new Map<string, string>();
      const img = await store.pull(positionals[0], (p) => {
        progress.set(p.layer, `${p.layer.slice(7, 19)}: ${(p.done / 2 ** 20).toFixed(1)}/${(p.total / 2 ** 20).toFixed(1)} MiB`);
        if (process.stderr.isTTY) process.stderr.write(`\r${[...progress.values()].join('  ')}`);
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      process.stdout.write(`pulled ${img.ref} (${img.repoDigest})\n`);
      return;
    }
    case 'ls': {
      const rows = store.list().map((i) => [i.ref, i.id.slice(7, 19), `${(i.size / 2 ** 20).toFixed(1)}MiB`]);
      const widths = [0, 1, 2].map((k) => Math.max(...[['IMAGE', 'ID', 'SIZE'], ...rows].map((r) => r[k].length)));
      for (const r of [['IMAGE', 'ID', 'SIZE'], ...rows]) process.stdout.write(`${r.map((c, k) => c.padEnd(widths[k])).join('   ')}\n`);
      return;
    }
    default:
      throw new Error(`unknown image command ${JSON.stringify(sub)}; see tinykube --help`);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': return run(rest, true);
    case 'server': return run(rest, false);
    case 'reset': return reset(rest);
    case 'image': return image(rest);
    case 'agent':
      if (rest.some((a) => a === '--hollow' || a.startsWith('--hollow='))) {
        if (rest.includes('--help')) return void process.stdout.write(HOLLOW_USAGE);
        return void (await runHollowNodes(rest));
      }
      if (rest.includes('--help') || rest.includes('-h')) return void process.stdout.write(AGENT_USAGE);
      return runAgent(rest, onSignal, homedir());
    case undefined: case '-h': case '--help': case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`tinykube: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      process.exit(2);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`tinykube: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
