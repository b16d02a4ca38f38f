// The control plane daemon: datastore, API server, and the components that act on the cluster
// (scheduler and controllers). Those last run as one "leader" group, the seam where leader
// election goes once several servers share an etcd: today every server runs them.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiServer } from '../apiserver/server.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { loadOrCreatePki, type ClusterPki } from '../apiserver/pki.js';
import { shareInformers } from '../client/informer.js';
import { RestClient } from '../client/rest.js';
import { builtinControllers } from '../controllers/index.js';
import { Scheduler } from '../scheduler/index.js';
import { Compactor } from '../storage/compactor.js';
import { SqliteStore } from '../storage/sqlite.js';
import { TtlSweeper } from '../storage/ttl.js';
import { loadOrCreateNodeToken } from '../apiserver/nodejoin.js';
import { CLUSTER_DOMAIN, DEFAULT_CLUSTER_CIDR, DEFAULT_EVENT_TTL_SECONDS, DEFAULT_SERVICE_CIDR } from './defaults.js';
import { firstServiceIP, parseServiceCidr } from '../api/resources/serviceallocator.js';
import { DEFAULT_ALLOCATION_CONFIG } from '../apiserver/registry.js';
import { primaryAddress } from '../agent/nodeinfo.js';

/** sun_path holds 108 bytes with the terminating NUL. */
const MAX_UNIX_PATH = 107;

/** Where Events are stored (upstream keeps events.k8s.io Events under the same key). */
const EVENTS_PREFIX = '/registry/events/';

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
  /** How long an Event lives after its last write (`--event-ttl`, default one hour). */
  eventTtlSeconds?: number;
  /**
   * false: no scheduler until startScheduler() (`--disable-scheduler`; benchmarks that time the
   * scheduler alone on pods created beforehand). Default true.
   */
  scheduler?: boolean;
}

interface Component {
  start(): Promise<void>;
  stop(): void;
}

export class ControlPlane {
  private leaders: Component[] = [];
  private scheduler?: Scheduler;

  private constructor(
    private readonly opts: ControlPlaneOptions,
    readonly server: ApiServer,
    readonly pki: ClusterPki,
    readonly url: string,
    readonly kubeconfig: string,
    /** Joins node agents: `tinykube agent --server URL --token TOKEN`. */
    readonly nodeToken: string,
    /** A client with the admin credential, for in-process components. */
    readonly client: RestClient,
    private readonly storeParts: { store: SqliteStore; compactor: Compactor; sweeper: TtlSweeper },
  ) {}

  /** Starts the store and the API server, then the leader components. */
  static async start(opts: ControlPlaneOptions): Promise<ControlPlane> {
    const cp = await ControlPlane.startServing(opts);
    try {
      await cp.runLeaderComponents();
    } catch (e) {
      await cp.stop();
      throw e;
    }
    return cp;
  }

  private static async startServing(opts: ControlPlaneOptions): Promise<ControlPlane> {
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
    // Events expire as upstream's do (a TTL on their keys, like an etcd lease), swept by the store.
    const store = new SqliteStore(join(dataDir, 'state.db'), { ttl: [{ prefix: EVENTS_PREFIX, seconds: opts.eventTtlSeconds ?? DEFAULT_EVENT_TTL_SECONDS }] });
    const nodeToken = loadOrCreateNodeToken(join(dataDir, 'node-token'), pki.ca.cert);
    const server = new ApiServer({
      store, pki, host: opts.host, port: opts.port, nodeJoin: { token: nodeToken, clusterCidr: opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR },
      allocation: { ...DEFAULT_ALLOCATION_CONFIG, serviceCidr }, advertiseAddress,
    });
    await server.start();
    const compactor = new Compactor(store);
    compactor.start();
    const sweeper = new TtlSweeper(store);
    sweeper.start();
    const clientHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
    const url = `https://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${server.port}`;
    const kubeconfig = join(dataDir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfig, url, pki.ca.cert, pki.admin);
    // This process's own components use the local socket (no TLS on the loopback hop) when its path fits.
    const socketPath = join(dataDir, 'apiserver.sock');
    const local = Buffer.byteLength(socketPath) <= MAX_UNIX_PATH;
    if (local) await server.listenLocal(socketPath);
    const client = new RestClient({ server: url, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key, ...(local ? { socketPath } : {}) });
    // Controllers and the scheduler share one watch per resource.
    shareInformers(client);
    return new ControlPlane(opts, server, pki, url, kubeconfig, nodeToken, client, { store, compactor, sweeper });
  }

  /**
   * Starts the controllers, then the scheduler: what only one server of a cluster may run at a
   * time. Leader election, once there is one, calls this on winning and stopLeaderComponents() on
   * losing. Does nothing while they run.
   */
  async runLeaderComponents(): Promise<void> {
    if (this.leaders.length) return;
    const controllers = builtinControllers.map((make) => make(this.client));
    this.leaders = controllers;
    await Promise.all(controllers.map((c) => c.start()));
    if (this.opts.scheduler !== false) await this.startScheduler();
  }

  /** Starts the scheduler (with the leader components; alone only for `scheduler: false`). */
  async startScheduler(): Promise<void> {
    if (this.scheduler) return;
    this.scheduler = new Scheduler(this.client);
    this.leaders.push(this.scheduler);
    await this.scheduler.start();
  }

  stopLeaderComponents(): void {
    // The scheduler first, then the controllers: the reverse of their start.
    for (const c of this.leaders.reverse()) c.stop();
    this.leaders = [];
    this.scheduler = undefined;
  }

  async stop(): Promise<void> {
    this.stopLeaderComponents();
    const { store, compactor, sweeper } = this.storeParts;
    sweeper.stop();
    compactor.stop();
    this.client.close();
    await this.server.stop();
    await store.close();
  }
}

export const startControlPlane = (opts: ControlPlaneOptions): Promise<ControlPlane> => ControlPlane.start(opts);
