// `tinykube agent --server URL --token TOKEN`: a node agent that joins a remote control plane.
// The token pins the cluster CA (see src/apiserver/nodejoin.ts); the server hands out the node's
// client and serving certificates and, unless --pod-cidr is given, a /24 of the cluster CIDR.
import { request } from 'node:https';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { defaultNodeName } from '../agent/nodeinfo.js';
import { caHash, CACERTS_PATH, CREDENTIALS_PATH, parseToken, type NodeCredentials, type NodeCredentialsRequest } from '../api/nodecontract.js';
import { RestClient } from '../client/rest.js';
import { startNode, streamingHosts, type NodeOptions } from './node.js';

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

function call(url: URL, opts: { method: string; ca?: string; body?: string; token?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: opts.method,
      // The CA is not known yet when it is fetched: its hash in the token is checked instead.
      ...(opts.ca ? { ca: opts.ca } : { rejectUnauthorized: false }),
      headers: { ...(opts.body ? { 'Content-Type': 'application/json' } : {}), ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}) },
      timeout: 30_000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} in 30 s`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The cluster CA (checked against the token) and this node's credentials. */
export async function joinCluster(server: string, token: string, ask: NodeCredentialsRequest): Promise<NodeCredentials> {
  const { caHash: want, secret } = parseToken(token);
  const ca = await call(new URL(CACERTS_PATH, server), { method: 'GET' });
  if (ca.status !== 200) throw new Error(`${server}${CACERTS_PATH}: HTTP ${ca.status}`);
  if (caHash(ca.body) !== want) throw new Error(`the CA served by ${server} does not match the token: refusing to join`);
  const r = await call(new URL(CREDENTIALS_PATH, server), { method: 'POST', ca: ca.body, token: secret, body: JSON.stringify(ask) });
  if (r.status !== 200) {
    let why = r.body;
    try { why = JSON.parse(r.body).message ?? why; } catch { /* not a Status */ }
    throw new Error(`joining ${server} as ${ask.nodeName}: HTTP ${r.status}: ${why}`);
  }
  return JSON.parse(r.body) as NodeCredentials;
}

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
  if (!token && values['token-file']) token = (await import('node:fs')).readFileSync(values['token-file'], 'utf8').trim();
  if (!values.server || !token) throw new Error(`--server and --token are required\n\n${AGENT_USAGE}`);
  const nodeName = values['node-name'] ?? defaultNodeName();
  const started = Date.now();
  const nodeIP = values['node-ip'];
  if (nodeIP !== undefined && isIP(nodeIP) !== 4) throw new Error(`--node-ip wants an IPv4 address, not ${JSON.stringify(nodeIP)}`);
  const creds = await joinCluster(values.server, token, { nodeName, hosts: streamingHosts(nodeName, nodeIP), podCidr: values['pod-cidr'] });
  const client = new RestClient({ server: values.server, ca: creds.ca, cert: creds.client.cert, key: creds.client.key, userAgent: 'tinykube-agent' });
  const opts: NodeOptions = {
    dataDir: values['data-dir']!, client, nodeName, nodeIP, podCidr: creds.podCidr, clusterCidr: values['cluster-cidr'], bridge: values.bridge, serviceCidr: values['service-cidr'], dnsForward: values['dns-forward'],
    streamingTls: async () => ({ ca: creds.ca, ...creds.serving }),
  };
  const node = await startNode(opts).catch((e) => { client.close(); throw e; });
  process.stdout.write(`tinykube node ${nodeName} (pods ${creds.podCidr}) joined ${values.server} in ${Date.now() - started} ms\n`);
  onSignal(async () => {
    // Pods keep running: conmon owns their containers, and the next start adopts them.
    node.agent.stop();
    client.close();
  });
}
