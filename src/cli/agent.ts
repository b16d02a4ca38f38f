// `tinykube agent --server URL --token TOKEN`: parses the flags, joins this machine as a node (the
// daemon is src/daemons/agent.ts), prints where it joined and stops on SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { startJoinedNode } from '../daemons/agent.js';

export const AGENT_USAGE = `Usage: tinykube agent --server URL --token TOKEN [options]

Joins this machine to a tinykube control plane as a node that runs pods. The token is in
<data-dir>/node-token on the server (printed by \`tinykube up\` / \`tinykube server\`).

Options:
  --server URL          the API server, e.g. https://10.0.0.1:6443
  --token TOKEN         the cluster's node token (or --token-file FILE)
  --data-dir DIR        this node's state, images and logs (default ~/.tinykube-agent)
  --node-name NAME      this node's name (default: the host name)
  --pod-cidr CIDR       this node's pod network (default: a /24 of the cluster CIDR, from the server)
  --cluster-cidr CIDR   the pod network of the whole cluster (default 10.42.0.0/16)
  --bridge NAME         the node's pod bridge (default tk0)
  --service-cidr CIDR   the cluster's Service IP range, as given to the server (default 10.43.0.0/16)
  --dns-forward ADDR    upstream (ip[:port]) for names outside cluster.local; without it: REFUSED
  --node-ip ADDR        the address other nodes and the API server reach this node at
                        (default: the first non-loopback IPv4 address)
  tinykube agent --hollow N …   simulated nodes for scale tests (see tinykube agent --hollow --help)
`;

export async function runAgent(args: string[], onSignal: (stop: () => Promise<void>) => void, home: string): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: 'string' }, token: { type: 'string' }, 'token-file': { type: 'string' },
      'data-dir': { type: 'string', default: `${home}/.tinykube-agent` }, 'node-name': { type: 'string' },
      'pod-cidr': { type: 'string' }, 'cluster-cidr': { type: 'string' }, bridge: { type: 'string' }, 'node-ip': { type: 'string' }, 'service-cidr': { type: 'string' }, 'dns-forward': { type: 'string' },
    },
  });
  let token = values.token;
  if (!token && values['token-file']) token = readFileSync(values['token-file'], 'utf8').trim();
  if (!values.server || !token) throw new Error(`--server and --token are required\n\n${AGENT_USAGE}`);
  const started = Date.now();
  const nodeIP = values['node-ip'];
  if (nodeIP !== undefined && isIP(nodeIP) !== 4) throw new Error(`--node-ip wants an IPv4 address, not ${JSON.stringify(nodeIP)}`);
  const joined = await startJoinedNode({
    server: values.server, token, dataDir: values['data-dir']!, nodeName: values['node-name'], nodeIP, podCidr: values['pod-cidr'],
    clusterCidr: values['cluster-cidr'], bridge: values.bridge, serviceCidr: values['service-cidr'], dnsForward: values['dns-forward'],
  });
  process.stdout.write(`tinykube node ${joined.nodeName} (pods ${joined.podCidr}) joined ${values.server} in ${Date.now() - started} ms\n`);
  // Pods keep running: conmon owns their containers, and the next start adopts them.
  onSignal(async () => joined.stop());
}
