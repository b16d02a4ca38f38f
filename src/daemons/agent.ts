// A node agent that joins a remote control plane (`tinykube agent --server URL --token TOKEN`).
// The token pins the cluster CA (see src/api/nodecontract.ts); the server hands out the node's
// client and serving certificates and, unless --pod-cidr is given, a /24 of the cluster CIDR.
import { request } from 'node:https';
import { defaultNodeName } from '../agent/nodeinfo.js';
import { caHash, CACERTS_PATH, CREDENTIALS_PATH, parseToken, type NodeCredentials, type NodeCredentialsRequest } from '../api/nodecontract.js';
import { RestClient } from '../client/rest.js';
import { startNode, streamingHosts, type NodeDaemon, type NodeOptions } from './node.js';

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

export interface JoinedNodeOptions extends Omit<NodeOptions, 'client' | 'streamingTls' | 'nodeName'> {
  /** The API server, e.g. https://10.0.0.1:6443. */
  server: string;
  /** The cluster's node token (see src/api/nodecontract.ts). */
  token: string;
  nodeName?: string;
}

export interface JoinedNode {
  node: NodeDaemon;
  nodeName: string;
  /** This node's pod network, as given or as the server allocated it. */
  podCidr: string;
  /** Stops the agent (pods keep running, the next start adopts them) and its client. */
  stop(): void;
}

/** Joins the cluster, then starts the node daemon with the credentials the server handed out. */
export async function startJoinedNode(opts: JoinedNodeOptions): Promise<JoinedNode> {
  const nodeName = opts.nodeName ?? defaultNodeName();
  const creds = await joinCluster(opts.server, opts.token, { nodeName, hosts: streamingHosts(nodeName, opts.nodeIP), podCidr: opts.podCidr });
  const client = new RestClient({ server: opts.server, ca: creds.ca, cert: creds.client.cert, key: creds.client.key, userAgent: 'tinykube-agent' });
  const node = await startNode({ ...opts, client, nodeName, podCidr: creds.podCidr, streamingTls: async () => ({ ca: creds.ca, ...creds.serving }) })
    .catch((e) => { client.close(); throw e; });
  return {
    node, nodeName, podCidr: creds.podCidr,
    stop() {
      node.stop();
      client.close();
    },
  };
}
