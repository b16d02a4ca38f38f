// Starts the control plane: datastore, API server, and the controllers that run beside it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiServer } from '../apiserver/server.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { loadOrCreatePki, type ClusterPki } from '../apiserver/pki.js';
import { shareInformers } from '../client/informer.js';
import { RestClient } from '../client/rest.js';
import { builtinControllers } from '../controllers/index.js';
import { Compactor } from '../storage/compactor.js';
import { SqliteStore } from '../storage/sqlite.js';
import { loadOrCreateNodeToken } from '../apiserver/nodejoin.js';
import { CLUSTER_DOMAIN, DEFAULT_CLUSTER_CIDR, DEFAULT_SERVICE_CIDR } from './node.js';
import { firstServiceIP, parseServiceCidr } from '../api/resources/serviceallocator.js';
import { DEFAULT_ALLOCATION_CONFIG } from '../apiserver/registry.js';
import { primaryAddress } from '../agent/nodeinfo.js';

/** sun_path holds 108 bytes with the terminating NUL. */
const MAX_UNIX_PATH = 107;

export interface ControlPlaneOptions {
  dataDir: string;
  host: string;
  port: number;
  /** The pod network of the whole cluster, which joining nodes get their /24s from. */
  clusterCidr?: string;
  /** The Service cluster IP range (default 10.43.0.0/16). */
  serviceCidr?: string;
  /** The address pods reach the API server at (the `kubernetes` Service); default the first non-loopback IPv4. */
  advertiseAddress?: string;
}

export interface ControlPlane {
  server: ApiServer;
  pki: ClusterPki;
  url: string;
  kubeconfig: string;
  /** Joins node agents: `tinykube agent --server URL --token TOKEN`. */
  nodeToken: string;
  /** A client with the admin credential, for in-process components. */
  client: RestClient;
  stop(): Promise<void>;
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Pods reach the API server through the `kubernetes` Service: never at a loopback address.
  const specificHost = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' && !/^127\.|^::1$|^localhost$/.test(opts.host) ? opts.host : undefined;
  const serviceCidr = opts.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  const advertiseAddress = opts.advertiseAddress ?? specificHost ?? primaryAddress();
  // As upstream's serving certificate: also the names and address of the kubernetes Service.
  const hosts = [
    'localhost', '127.0.0.1', '::1', ...(opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? [opts.host] : []),
    'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${CLUSTER_DOMAIN}`, firstServiceIP(parseServiceCidr(serviceCidr)), advertiseAddress,
  ];
  const pki = await loadOrCreatePki(join(dataDir, 'pki'), [...new Set(hosts)]);
  const store = new SqliteStore(join(dataDir, 'state.db'));
  const nodeToken = loadOrCreateNodeToken(join(dataDir, 'node-token'), pki.ca.cert);
  const server = new ApiServer({
    store, pki, host: opts.host, port: opts.port, nodeJoin: { token: nodeToken, clusterCidr: opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR },
    allocation: { ...DEFAULT_ALLOCATION_CONFIG, serviceCidr }, advertiseAddress,
  });
  await server.start();
  const compactor = new Compactor(store);
  compactor.start();
  const clientHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const url = `https://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${server.port}`;
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, url, pki.ca.cert, pki.admin);
  // This process's own components use the local socket (no TLS on the loopback hop) when its path fits.
  const socketPath = join(dataDir, 'apiserver.sock');
  const local = Buffer.byteLength(socketPath) <= MAX_UNIX_PATH;
  if (local) await server.listenLocal(socketPath);
  const client = new RestClient({ server: url, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key, ...(local ? { socketPath } : {}) });
  // Controllers and the scheduler (which `up` runs on this client) share one watch per resource.
  shareInformers(client);
  const controllers = builtinControllers.map((make) => make(client));
  await Promise.all(controllers.map((c) => c.start()));
  return {
    server, pki, url, kubeconfig, nodeToken, client,
    async stop() {
      for (const c of controllers) c.stop();
      compactor.stop();
      client.close();
      await server.stop();
      await store.close();
    },
  };
}
