#!/usr/bin/env node
// tinykube command line: `tinykube server` runs the control plane.
import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from './controlplane.js';

const USAGE = `Usage: tinykube <command> [options]

Commands:
  server    Run the control plane (API server, controllers) with the embedded SQLite store.

Options for server:
  --data-dir DIR        where state, certificates and the kubeconfig live (default ~/.tinykube)
  --port N              HTTPS port (default 6443)
  --bind-address ADDR   address to listen on (default 0.0.0.0)
`;

async function server(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: join(homedir(), '.tinykube') },
      port: { type: 'string', default: '6443' },
      'bind-address': { type: 'string', default: '0.0.0.0' },
    },
  });
  const started = Date.now();
  const cp = await startControlPlane({ dataDir: values['data-dir']!, host: values['bind-address']!, port: Number(values.port) });
  process.stdout.write(`tinykube API server ready at ${cp.url} in ${Date.now() - started} ms\n`);
  process.stdout.write(`kubeconfig: ${cp.kubeconfig}\nexport KUBECONFIG=${cp.kubeconfig}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    cp.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return server(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
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
