// Starts the control plane: datastore, API server, and the controllers that run beside it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiServer } from '../apiserver/server.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { loadOrCreatePki, type ClusterPki } from '../apiserver/pki.js';
import { RestClient } from '../client/rest.js';
import { builtinControllers } from '../controllers/index.js';
import { Compactor } from '../storage/compactor.js';
import { SqliteStore } from '../storage/sqlite.js';

export interface ControlPlaneOptions {
  dataDir: string;
  host: string;
  port: number;
}

export interface ControlPlane {
  server: ApiServer;
  pki: ClusterPki;
  url: string;
  kubeconfig: string;
  /** A client with the admin credential, for in-process components. */
  client: RestClient;
  stop(): Promise<void>;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const hosts = ['localhost', '127.0.0.1', '::1', ...(opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? [opts.host] : [])];
  const pki = await loadOrCreatePki(join(dataDir, 'pki'), [...new Set(hosts)]);
  const store = new SqliteStore(join(dataDir, 'state.db'));
  const server = new ApiServer({ store, pki, host: opts.host, port: opts.port });
  await server.start();
  const compactor = new Compactor(store);
  compactor.start();
  const clientHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const url = `https://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${server.port}`;
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, url, pki.ca.cert, pki.admin);
  const client = new RestClient({ server: url, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key });
  const controllers = builtinControllers.map((make) => make(client));
  await Promise.all(controllers.map((c) => c.start()));
  return {
    server, pki, url, kubeconfig, client,
    async stop() {
      for (const c of controllers) c.stop();
      compactor.stop();
      client.close();
      await server.stop();
      await store.close();
    },
  };
}
