// N simulated nodes (no containers run) registered against a control plane, for scale tests, as
// kubemark/kwok do (`tinykube agent --hollow N`). See src/agent/hollow.ts.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { HollowNodes } from '../agent/hollow.js';
import { RestClient, type ClientConfig } from '../client/rest.js';

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }[];
  users?: { name: string; user: { 'client-certificate-data'?: string; 'client-certificate'?: string; 'client-key-data'?: string; 'client-key'?: string; token?: string; tokenFile?: string } }[];
}

/** The client settings of a kubeconfig's current context (inline data or files relative to it), with `server` overriding its URL. */
export function clientConfigFromKubeconfig(path: string, server?: string): ClientConfig {
  const kc = parse(readFileSync(path, 'utf8')) as Kubeconfig;
  const base = dirname(resolve(path));
  const context = kc.contexts?.find((c) => c.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === context?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const user = kc.users?.find((u) => u.name === context?.user)?.user ?? kc.users?.[0]?.user ?? {};
  if (!cluster) throw new Error(`${path} names no cluster`);
  const data = (inline: string | undefined, file: string | undefined): string | undefined =>
    inline ? Buffer.from(inline, 'base64').toString('utf8') : file ? readFileSync(resolve(base, file), 'utf8') : undefined;
  const ca = data(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (!ca) throw new Error(`${path}: the cluster has no certificate-authority`);
  const token = user.token ?? (user.tokenFile ? readFileSync(resolve(base, user.tokenFile), 'utf8').trim() : undefined);
  return {
    server: server ?? cluster.server, ca,
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    ...(token ? { token } : {}),
  };
}

export interface HollowOptions {
  /** Credentials (client certificate or token) and, unless `server` is given, the server. */
  kubeconfig: string;
  server?: string;
  count: number;
  namePrefix?: string;
  labels?: Record<string, string>;
  maxInFlight?: number;
}

export interface HollowDaemon {
  nodes: HollowNodes;
  stop(opts?: { deregister?: boolean }): Promise<void>;
}

/** Registers the hollow nodes; resolves once they are. */
export async function startHollowNodes(opts: HollowOptions): Promise<HollowDaemon> {
  const client = new RestClient(clientConfigFromKubeconfig(opts.kubeconfig, opts.server));
  const nodes = new HollowNodes({ client, count: opts.count, namePrefix: opts.namePrefix, labels: opts.labels, maxInFlight: opts.maxInFlight });
  try {
    await nodes.start();
  } catch (e) {
    await nodes.stop();
    client.close();
    throw e;
  }
  return {
    nodes,
    async stop(stopOpts = {}) {
      await nodes.stop(stopOpts);
      client.close();
    },
  };
}
