// `tinykube agent --hollow N --server URL --kubeconfig FILE`: N simulated nodes (no containers run)
// registered against a control plane, for scale tests, as kubemark/kwok do. See src/agent/hollow.ts.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { HollowNodes } from '../agent/hollow.js';
import { RestClient, type ClientConfig } from '../client/rest.js';

export const HOLLOW_USAGE = `Usage: tinykube agent --hollow N --kubeconfig FILE [--server URL] [options]

Registers N simulated ("hollow") nodes, labelled tinykube.io/hollow=true. They keep their Leases and
report the pods bound to them Running, but start no containers: for scale tests of the control plane.

Options:
  --hollow N            how many nodes (1 – 65535)
  --kubeconfig FILE     credentials (client certificate or token) and, unless --server is given, the server
  --server URL          the API server, e.g. https://127.0.0.1:6443
  --name-prefix P       node names are P0, P1, … (default hollow-node-)
  --label K=V           an extra label on every node (repeatable)
  --max-in-flight N     API requests in flight at once (default 32)
  --deregister          delete the Nodes and Leases again on exit
`;

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

/** Starts the hollow nodes and keeps them until SIGINT/SIGTERM; resolves once they are registered. */
export async function runHollowNodes(args: string[]): Promise<HollowNodes> {
  const { values } = parseArgs({
    args,
    options: {
      hollow: { type: 'string' },
      server: { type: 'string' },
      kubeconfig: { type: 'string', default: process.env.KUBECONFIG },
      'name-prefix': { type: 'string' },
      label: { type: 'string', multiple: true, default: [] },
      'max-in-flight': { type: 'string', default: '32' },
      deregister: { type: 'boolean', default: false },
    },
  });
  const count = Number(values.hollow);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--hollow needs a node count\n\n${HOLLOW_USAGE}`);
  if (!values.kubeconfig) throw new Error(`--kubeconfig is required\n\n${HOLLOW_USAGE}`);
  const labels: Record<string, string> = {};
  for (const l of values.label ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new Error(`--label wants KEY=VALUE, not ${JSON.stringify(l)}`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const client = new RestClient(clientConfigFromKubeconfig(values.kubeconfig, values.server));
  const maxInFlight = Number(values['max-in-flight']);
  const nodes = new HollowNodes({ client, count, namePrefix: values['name-prefix'], labels, maxInFlight: Number.isInteger(maxInFlight) && maxInFlight > 0 ? maxInFlight : 32 });
  const started = Date.now();
  try {
    await nodes.start();
  } catch (e) {
    await nodes.stop();
    client.close();
    throw e;
  }
  process.stdout.write(`tinykube: ${count} hollow nodes (simulated, no containers) registered as ${nodes.names[0]} … ${nodes.names[count - 1]} in ${Date.now() - started} ms\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    nodes.stop({ deregister: values.deregister }).then(() => { client.close(); process.exit(0); }, (e) => { process.stderr.write(`tinykube: ${e}\n`); process.exit(1); });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return nodes;
}
