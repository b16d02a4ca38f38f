// The garbage collector: follows metadata.ownerReferences across every resource the server serves
// (found through discovery, as upstream's GC does) and
//   - deletes an object once all its owners are gone (background cascading deletion), with the
//     propagation its own finalizers ask for;
//   - for an owner being deleted with the `foregroundDeletion` finalizer, deletes its dependents
//     and removes the finalizer once no dependent with blockOwnerDeletion remains;
//   - for an owner being deleted with the `orphan` finalizer, removes the owner's reference from
//     its dependents, then the finalizer.
// It keeps a graph (uid -> owners, owner uid -> dependents) fed by an informer per resource. An
// owner missing from the graph is looked up in the API before anything is deleted, so a slow
// informer never makes it delete a dependent whose owner exists.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../api/errors.js';
import { parseApiVersion } from '../api/resource.js';
import type { KubeObject } from '../api/strategy.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { WorkQueue } from '../client/workqueue.js';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** Resources whose objects never take part: events expire by their store TTL (`--event-ttl`), not by owners (as upstream). */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);
const REDISCOVER_MS = 30_000;
const MAX_ABSENT = 10_000;
const UPDATE_ATTEMPTS = 5;

export interface ServedResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** '/api/v1' or '/apis/<group>/<version>'. */
  base: string;
}

export interface GraphNode {
  uid: string;
  name: string;
  namespace?: string;
  resource: ServedResource;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

export const objectPath = (r: ServedResource, namespace: string | undefined, name: string): string =>
  r.namespaced ? `${r.base}/namespaces/${namespace}/${r.plural}/${name}` : `${r.base}/${r.plural}/${name}`;

const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409;

/** Being deleted, and waiting for its dependents to go first. */
export const isDeletingDependents = (n: GraphNode | undefined): boolean => !!n?.deleting && n.finalizers.includes(FOREGROUND_FINALIZER);

export type OwnerState = 'solid' | 'dangling' | 'waiting';

/**
 * What a dependent does, given the state of each of its owners (upstream's attemptToDeleteItem):
 * keep it and drop references to owners that are gone or waiting when a solid owner remains;
 * delete it in the foreground when an owner waits on it and it has dependents of its own;
 * otherwise delete it.
 */
export function decide(states: Map<OwnerReference, OwnerState>, hasDependents: boolean):
  { action: 'none' } | { action: 'removeRefs'; uids: string[] } | { action: 'delete'; foreground: boolean } {
  const solid = [...states].filter(([, s]) => s === 'solid');
  const others = [...states].filter(([, s]) => s !== 'solid');
  if (!states.size) return { action: 'none' };
  if (solid.length) return others.length ? { action: 'removeRefs', uids: others.map(([r]) => r.uid) } : { action: 'none' };
  const waiting = others.some(([, s]) => s === 'waiting');
  return { action: 'delete', foreground: waiting && hasDependents };
}

export class GarbageCollector {
  private readonly resources = new Map<string, ServedResource>();
  private readonly informers = new Map<string, Informer>();
  readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly absent = new Set<string>();
  private readonly attemptToDelete = new WorkQueue();
  private readonly attemptToOrphan = new WorkQueue();
  private rediscover?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly client: RestClient) {}

  async start(): Promise<void> {
    await this.sync();
    void this.attemptToDelete.run((uid) => this.processAttemptToDelete(uid), 4);
    void this.attemptToOrphan.run((uid) => this.processAttemptToOrphan(uid), 2);
    this.rediscover = setInterval(() => { void this.sync().catch(() => {}); }, REDISCOVER_MS);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.rediscover);
    for (const i of this.informers.values()) i.stop();
    this.attemptToDelete.stop();
    this.attemptToOrphan.stop();
  }

  /** Finds the served resources and starts an informer for each one not watched yet. */
  private async sync(): Promise<void> {
    const found = await this.discover();
    const started: Promise<void>[] = [];
    for (const r of found) {
      const id = `${r.group}/${r.plural}`;
      this.resources.set(`${r.group}/${r.kind}`, r);
      if (this.informers.has(id) || IGNORED.has(id) || this.stopped) continue;
      const informer = new Informer(this.client, `${r.base}/${r.plural}`, (type, obj) => this.onChange(r, type, obj));
      this.informers.set(id, informer);
      started.push(informer.start());
    }
    await Promise.all(started);
  }

  /** Every listable, watchable resource, preferred version of each group. */
  private async discover(): Promise<ServedResource[]> {
    const groups = await this.client.get<{ groups: { name: string; preferredVersion: { groupVersion: string; version: string } }[] }>('/apis');
    const gvs = [{ group: '', version: 'v1', base: '/api/v1' }, ...groups.groups.map((g) => ({ group: g.name, version: g.preferredVersion.version, base: `/apis/${g.preferredVersion.groupVersion}` }))];
    const out: ServedResource[] = [];
    for (const gv of gvs) {
      const list = await this.client.get<{ resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] }>(gv.base);
      for (const r of list.resources) {
        if (r.name.includes('/') || !r.verbs.includes('list') || !r.verbs.includes('watch')) continue;
        out.push({ group: gv.group, version: gv.version, kind: r.kind, plural: r.name, namespaced: r.namespaced, base: gv.base });
      }
    }
    return out;
  }

  /** The served resource of an owner reference's apiVersion and kind (any version of the group). */
  resourceFor(ref: { apiVersion?: string; kind?: string }): ServedResource | undefined {
    return this.resources.get(`${parseApiVersion(ref.apiVersion ?? '').group}/${ref.kind}`);
  }

  // ---------- the graph ----------

  private dependentsOf(uid: string): GraphNode[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.nodes.get(d)).filter((n): n is GraphNode => !!n);
  }

  private markAbsent(uid: string): void {
    if (this.absent.size >= MAX_ABSENT) this.absent.delete(this.absent.values().next().value!);
    this.absent.add(uid);
  }

  private onChange(resource: ServedResource, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const prev = this.nodes.get(uid);
    if (type === 'DELETED') {
      this.nodes.delete(uid);
      this.markAbsent(uid);
      for (const o of prev?.owners ?? []) {
        this.dependents.get(o.uid)?.delete(uid);
        if (isDeletingDependents(this.nodes.get(o.uid))) this.attemptToDelete.add(o.uid);
      }
      // Its dependents have lost an owner.
      for (const dep of this.dependents.get(uid) ?? []) this.attemptToDelete.add(dep);
      return;
    }
    const node: GraphNode = {
      uid, name: obj.metadata.name!, namespace: obj.metadata.namespace, resource,
      owners: [...(obj.metadata.ownerReferences ?? [])], deleting: !!obj.metadata.deletionTimestamp, finalizers: [...(obj.metadata.finalizers ?? [])],
    };
    this.nodes.set(uid, node);
    const now = new Set(node.owners.map((o) => o.uid));
    for (const o of prev?.owners ?? []) {
      if (now.has(o.uid)) continue;
      this.dependents.get(o.uid)?.delete(uid);
      // A reference removed may be what a foreground deletion of that owner waits for.
      if (isDeletingDependents(this.nodes.get(o.uid))) this.attemptToDelete.add(o.uid);
    }
    let check = false;
    for (const o of node.owners) {
      let set = this.dependents.get(o.uid);
      if (!set) this.dependents.set(o.uid, (set = new Set()));
      set.add(uid);
      const owner = this.nodes.get(o.uid);
      if (!owner || isDeletingDependents(owner)) check = true;
      if (isDeletingDependents(owner)) this.attemptToDelete.add(o.uid);
    }
    if (check) this.attemptToDelete.add(uid);
    if (node.deleting) {
      if (node.finalizers.includes(ORPHAN_FINALIZER)) this.attemptToOrphan.add(uid);
      if (node.finalizers.includes(FOREGROUND_FINALIZER)) {
        this.attemptToDelete.add(uid);
        for (const dep of this.dependents.get(uid) ?? []) this.attemptToDelete.add(dep);
      }
    }
  }

  // ---------- attempt to delete ----------

  private async processAttemptToDelete(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    if (node.deleting) {
      if (node.finalizers.includes(FOREGROUND_FINALIZER)) await this.processDeletingDependents(node);
      return;
    }
    if (!node.owners.length) return;
    // Decide on the object as it is now, not as the informer last saw it.
    let latest: KubeObject;
    try {
      latest = await this.client.get<KubeObject>(objectPath(node.resource, node.namespace, node.name));
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (latest.metadata.uid !== uid || latest.metadata.deletionTimestamp) return;
    const owners = latest.metadata.ownerReferences ?? [];
    const states = new Map<OwnerReference, OwnerState>();
    for (const ref of owners) states.set(ref, await this.ownerState(ref, node.namespace));
    const decision = decide(states, this.dependentsOf(uid).length > 0);
    if (decision.action === 'removeRefs') {
      await this.updateList(node, 'ownerReferences', (refs) => (refs as OwnerReference[]).filter((r) => !decision.uids.includes(r.uid)));
    } else if (decision.action === 'delete') {
      const finalizers = latest.metadata.finalizers ?? [];
      const policy = decision.foreground || finalizers.includes(FOREGROUND_FINALIZER) ? 'Foreground'
        : finalizers.includes(ORPHAN_FINALIZER) ? 'Orphan' : 'Background';
      await this.client.delete(objectPath(node.resource, node.namespace, node.name), {
        propagationPolicy: policy, preconditions: { uid, resourceVersion: latest.metadata.resourceVersion },
      }).catch((e) => { if (!isNotFound(e)) throw e; });
    }
  }

  /** solid (exists), dangling (gone, or a different object now has its name) or waiting (deleting in the foreground). */
  private async ownerState(ref: OwnerReference, namespace: string | undefined): Promise<OwnerState> {
    if (this.absent.has(ref.uid)) return 'dangling';
    const resource = this.resourceFor(ref);
    // A kind the server does not serve cannot be checked: never delete on a guess.
    if (!resource) return 'solid';
    // A cluster-scoped object cannot be owned by a namespaced one.
    if (resource.namespaced && !namespace) return 'dangling';
    const known = this.nodes.get(ref.uid);
    if (known) return isDeletingDependents(known) ? 'waiting' : 'solid';
    try {
      const owner = await this.client.get<KubeObject>(objectPath(resource, namespace, ref.name));
      if (owner.metadata.uid !== ref.uid) { this.markAbsent(ref.uid); return 'dangling'; }
      return owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER) ? 'waiting' : 'solid';
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.markAbsent(ref.uid);
      return 'dangling';
    }
  }

  /** An owner in foreground deletion: done when no dependent blocks it; until then its dependents are deleted. */
  private async processDeletingDependents(node: GraphNode): Promise<void> {
    const blocking = this.dependentsOf(node.uid).filter((dep) => dep.owners.some((o) => o.uid === node.uid && o.blockOwnerDeletion === true));
    if (!blocking.length) {
      await this.updateList(node, 'finalizers', (list) => (list as string[]).filter((f) => f !== FOREGROUND_FINALIZER));
      return;
    }
    for (const dep of blocking) if (!isDeletingDependents(dep)) this.attemptToDelete.add(dep.uid);
  }

  // ---------- orphan ----------

  private async processAttemptToOrphan(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node?.deleting || !node.finalizers.includes(ORPHAN_FINALIZER)) return;
    for (const dep of this.dependentsOf(uid)) {
      await this.updateList(dep, 'ownerReferences', (refs) => (refs as OwnerReference[]).filter((r) => r.uid !== uid));
    }
    await this.updateList(node, 'finalizers', (list) => (list as string[]).filter((f) => f !== ORPHAN_FINALIZER));
  }

  // ---------- writes ----------

  /**
   * Read-modify-write of metadata.ownerReferences or metadata.finalizers: a JSON merge patch that
   * carries the resourceVersion it was computed from, retried on conflicts. Works for any kind.
   */
  private async updateList(node: GraphNode, field: 'ownerReferences' | 'finalizers', change: (list: unknown[]) => unknown[]): Promise<void> {
    const path = objectPath(node.resource, node.namespace, node.name);
    for (let attempt = 0; ; attempt++) {
      let obj: KubeObject;
      try {
        obj = await this.client.get<KubeObject>(path);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      if (obj.metadata.uid !== node.uid) return;
      const before = (obj.metadata[field] ?? []) as unknown[];
      const after = change(before);
      if (after.length === before.length) return;
      try {
        await this.client.patch(path, { metadata: { [field]: after.length ? after : null, resourceVersion: obj.metadata.resourceVersion } });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= UPDATE_ATTEMPTS) throw e;
      }
    }
  }
}
