// `tinykube agent --hollow N --server URL --kubeconfig FILE`: parses the flags, starts the hollow
// nodes (src/daemons/hollow.ts), prints them and stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startHollowNodes, type HollowDaemon } from '../daemons/hollow.js';

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

/** Starts the hollow nodes and keeps them until SIGINT/SIGTERM; resolves once they are registered. */
export async function runHollowNodes(args: string[]): Promise<HollowDaemon> {
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
  const maxInFlight = Number(values['max-in-flight']);
  const started = Date.now();
  const hollow = await startHollowNodes({
    kubeconfig: values.kubeconfig, server: values.server, count, namePrefix: values['name-prefix'], labels,
    maxInFlight: Number.isInteger(maxInFlight) && maxInFlight > 0 ? maxInFlight : 32,
  });
  const names = hollow.nodes.names;
  process.stdout.write(`tinykube: ${count} hollow nodes (simulated, no containers) registered as ${names[0]} … ${names[count - 1]} in ${Date.now() - started} ms\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    hollow.stop({ deregister: values.deregister }).then(() => process.exit(0), (e) => { process.stderr.write(`tinykube: ${e}\n`); process.exit(1); });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return hollow;
}
