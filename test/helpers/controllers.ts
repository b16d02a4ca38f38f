// Scaffolding the controller tests share: an API server to run a controller against (in this
// process over SQLite, or a real `tinykube server` for a describe block), waiting until a probe
// yields, and the status a test "kubelet" writes to make a pod ready.
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metaTime } from '../../src/api/time.js';
import { loadOrCreatePki } from '../../src/apiserver/pki.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { RestClient } from '../../src/client/rest.js';
import { pods } from '../../src/client/typed.js';
import type { PodObj } from '../../src/controllers/controllerutil.js';
import { SqliteStore } from '../../src/storage/sqlite.js';
import { startServer, type RunningServer } from '../e2e/harness.js';

export interface TestApi {
  client: RestClient;
  stop(): Promise<void>;
}

/** An API server in this process (no scheduler, no controllers), with an admin client. */
export async function apiServer(prefix = 'tinykube-ctl-'): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const pki = await loadOrCreatePki(join(dir, 'pki'), ['localhost', '127.0.0.1']);
  const store = new SqliteStore(join(dir, 'state.db'));
  const server = new ApiServer({ store, pki, host: '127.0.0.1', port: 0 });
  await server.start();
  const client = new RestClient({ server: `https://127.0.0.1:${server.port}`, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key });
  return {
    client,
    async stop() {
      client.close();
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real `tinykube server` for the tests of the calling describe block (started before them,
 * stopped after). `client` may be taken at once; it works once the server has started.
 */
export function realServer(): { readonly client: RestClient; server(): RunningServer } {
  let server: RunningServer | undefined;
  let client: RestClient | undefined;
  before(async () => {
    server = await startServer();
    client = server.client();
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
  });
  const late = new Proxy({}, {
    get(_t, key) {
      if (!client) throw new Error('the test server has not started yet');
      const v = (client as unknown as Record<string | symbol, unknown>)[key];
      return typeof v === 'function' ? v.bind(client) : v;
    },
  }) as RestClient;
  return { client: late, server: () => server! };
}

/** Polls `probe` until it yields something other than undefined; throws after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000, everyMs = 30): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** What a kubelet reports for a running, ready pod. */
export const readyStatus = () => ({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: metaTime() }] } });

/** Plays the kubelet: marks a pod Running and Ready. */
export function markPodReady(client: RestClient, pod: { metadata: { namespace?: string; name?: string } }): Promise<unknown> {
  return pods(client, pod.metadata.namespace ?? 'default').patchStatus(pod.metadata.name!, readyStatus());
}

/** Runs `fn` with a controller started against a fresh in-process API server; stops both after. */
export async function withController<C extends { start(): Promise<void>; stop(): void }>(
  make: (client: RestClient) => C, fn: (client: RestClient, ctl: C) => Promise<void>, prefix?: string,
): Promise<void> {
  const api = await apiServer(prefix);
  const ctl = make(api.client);
  try {
    await ctl.start();
    await fn(api.client, ctl);
  } finally {
    ctl.stop();
    await api.stop();
  }
}

const isoAgo = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');

/** A Running pod as the deletion ranking sees it: node, phase, ready since, age, restarts, deletion cost. */
export function rankedPod(name: string, o: { node?: string; phase?: string; readySince?: number; created?: number; restarts?: number; cost?: number } = {}): PodObj {
  return {
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: isoAgo(o.created ?? 60_000), labels: { app: 'web' },
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'x' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: isoAgo(o.readySince) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0, ready: o.readySince !== undefined, image: 'x', imageID: '' }],
    },
  } as unknown as PodObj;
}
