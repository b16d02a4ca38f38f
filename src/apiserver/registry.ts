// The generic registry: one implementation of get/list/watch/create/update/delete for every
// resource, on top of the Store (writes) and a WatchCache (reads). Resource differences live in the
// Strategy. Every write is a single compare-and-swap on the store, so nothing is half-written.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import {
  ApiError, Literal, alreadyExists, badRequest, conflict, gone, internalError, invalid, invalidObject, isConflict, isNotFound, notFound, staleObject,
  type FieldError,
} from '../api/errors.js';
import { parseFieldSelector, type FieldSelector } from '../api/fieldselector.js';
import { parseSelector, type Selector } from '../api/labels.js';
import { validateObjectMeta } from '../api/validation.js';
import type { AllocationConfig, Allocator, KubeObject, Strategy, SubresourceUpdate } from '../api/strategy.js';
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError, type KeyValue, type Store } from '../storage/store.js';
import { TooOldError, WatchCache, decode, type Cached, type CacheEvent, type WatchEventType } from '../storage/watchcache.js';
import { apiVersionOf } from '../api/resource.js';
import { FieldManager, type ApplyRequest } from './apply/fieldmanager.js';
import { metaTime } from '../api/time.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: Cached[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** Who writes, for the managed fields of objects that have them (see ./apply/managedfields.ts), and through which subresource. */
  fieldManager?: string;
  managerSubresource?: string;
  /** The write is a server-side apply: its managed fields are already decided. */
  applied?: boolean;
}

/** An update through a subresource: its name, and the rules of a handler's own subresource (else the strategy's). */
export interface UpdateOptions extends WriteOptions {
  subresource?: string;
  subresourceRules?: SubresourceUpdate;
}

export interface DeleteResult {
  /** The object as it was deleted, or as it now is when deletion is pending. */
  object: Cached;
  deleted: boolean;
}

/** Checks that a namespace exists and accepts new objects; throws the upstream error otherwise. */
export type NamespaceGate = (namespace: string, resource: Strategy['resource'], name: string) => void;

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATE_ATTEMPTS = 8;

/** Upstream keeps generated names within 63 characters: the base is cut to 58 before the 5-character suffix. */
const MAX_GENERATED_BASE = 58;
const generatedName = (base: string): string => base.slice(0, MAX_GENERATED_BASE) + randomSuffix();

/** The garbage collector's finalizers (metav1.FinalizerOrphanDependents / FinalizerDeleteDependents). */
export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/**
 * The finalizers a delete leaves on the object for the garbage collector, as upstream's
 * deletionFinalizersForGarbageCollection: `orphan` when dependents are to be orphaned (policy
 * Orphan, orphanDependents: true, an existing orphan finalizer, or the kind's default),
 * `foregroundDeletion` for a foreground delete; Background removes both.
 */
export function deletionFinalizers(
  current: readonly string[] | undefined, options: DeleteOptions, defaultPolicy: 'DeleteDependents' | 'OrphanDependents' = 'DeleteDependents',
): { changed: boolean; finalizers: string[] } {
  const existing = current ?? [];
  const policy = options.propagationPolicy;
  const explicitOrphan = options.orphanDependents ?? undefined;
  let orphan: boolean;
  if (explicitOrphan !== undefined) orphan = explicitOrphan;
  else if (policy === 'Orphan') orphan = true;
  else if (policy === 'Background' || policy === 'Foreground') orphan = false;
  else if (existing.includes(ORPHAN_FINALIZER)) orphan = true;
  else if (existing.includes(FOREGROUND_FINALIZER)) orphan = false;
  else orphan = defaultPolicy === 'OrphanDependents';
  let foreground: boolean;
  if (explicitOrphan !== undefined) foreground = false;
  else if (policy === 'Foreground') foreground = true;
  else if (policy === 'Background' || policy === 'Orphan') foreground = false;
  else foreground = existing.includes(FOREGROUND_FINALIZER);
  const finalizers = existing.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) finalizers.push(ORPHAN_FINALIZER);
  if (foreground) finalizers.push(FOREGROUND_FINALIZER);
  const same = finalizers.length === new Set(existing).size && finalizers.every((f) => existing.includes(f));
  return { changed: !same, finalizers: same ? [...existing] : finalizers };
}

function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return s;
}

const clone = <T>(c: Cached): T => JSON.parse(c.json) as T;

interface ContinueToken { rv: number; start: string }

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString()) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

function parseRv(rv: string, field = 'resourceVersion'): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid ${field}: ${JSON.stringify(rv)}`);
  return Number(rv);
}

/** The ranges allocators use when the server is given none (upstream's defaults, k3s's service CIDR). */
export const DEFAULT_ALLOCATION_CONFIG: AllocationConfig = { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] };

export class Registry {
  readonly cache: WatchCache;
  private readonly prefix: string;
  private readonly allocator?: Allocator;
  private readonly fields: FieldManager;

  constructor(
    private readonly store: Store,
    readonly strategy: Strategy,
    private readonly namespaceGate: NamespaceGate,
    allocation: AllocationConfig = DEFAULT_ALLOCATION_CONFIG,
  ) {
    const r = strategy.resource;
    this.prefix = `/registry/${r.group ? `${r.plural}.${r.group}` : r.plural}/`;
    this.cache = new WatchCache(store, this.prefix);
    this.allocator = strategy.allocator?.(allocation);
    this.fields = new FieldManager(r);
  }

  /** Every stored object of this resource, for the allocator. */
  private readonly stored = (): KubeObject[] => this.all().map((c) => c.obj as KubeObject);

  get resource() {
    return this.strategy.resource;
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  /** The storage key of an object: the only place `/registry/…` keys are spelled. */
  key(namespace: string | undefined, name: string): string {
    return this.resource.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
  }

  /** Prefix for a list: one namespace, or all of them. */
  private listPrefix(namespace: string | undefined): string {
    return this.resource.namespaced && namespace ? `${this.prefix}${namespace}/` : this.prefix;
  }

  get(namespace: string | undefined, name: string): Cached {
    const c = this.find(namespace, name);
    if (!c) throw notFound(this.resource, name);
    return c;
  }

  /** The object if the cache has it: for callers to whom a missing object is no error. */
  find(namespace: string | undefined, name: string): Cached | undefined {
    return this.cache.get(this.key(namespace, name));
  }

  /** Every cached object of one namespace (or all), without selectors, paging or waiting. */
  all(namespace?: string): Cached[] {
    return this.cache.list(this.listPrefix(namespace));
  }

  // ---------- reads ----------

  private matcher(opts: ListOptions): (obj: KubeObject) => boolean {
    const labels: Selector | undefined = opts.labelSelector ? parseSelector(opts.labelSelector) : undefined;
    const fields: FieldSelector | undefined = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : undefined;
    if (fields) this.checkSelectableFields(fields);
    if (!labels && !fields) return () => true;
    return (obj) => (!labels || labels.matches(obj.metadata?.labels ?? {})) && (!fields || fields.matches(this.fieldsOf(obj)));
  }

  private fieldsOf(obj: KubeObject): Record<string, string> {
    const base: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
    if (this.resource.namespaced) base['metadata.namespace'] = obj.metadata?.namespace ?? '';
    return { ...base, ...(this.strategy.selectableFields?.(obj) ?? {}) };
  }

  private checkSelectableFields(sel: FieldSelector): void {
    const allowed = new Set(Object.keys(this.fieldsOf({ metadata: {} } as KubeObject)));
    for (const r of sel.requirements) {
      if (!allowed.has(r.field)) throw badRequest(`field label not supported: ${r.field}`);
    }
  }

  async list(namespace: string | undefined, opts: ListOptions): Promise<ListResult> {
    const match = this.matcher(opts);
    const prefix = this.listPrefix(namespace);
    let candidates: Cached[];
    let rv: number;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      try {
        candidates = this.cache.listAt(prefix, token.rv, token.start);
      } catch (e) {
        if (e instanceof TooOldError) {
          throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
        }
        throw e;
      }
      rv = token.rv;
    } else {
      await this.waitForRequested(opts.resourceVersion, opts.resourceVersionMatch);
      rv = await this.cache.sync();
      candidates = this.cache.list(prefix);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: Cached[] = [];
    let i = 0;
    for (; i < candidates.length && items.length < limit; i++) if (match(candidates[i].obj as KubeObject)) items.push(candidates[i]);
    // More pages only if something after the cut still matches.
    let more = false;
    for (let j = i; j < candidates.length && !more; j++) more = match(candidates[j].obj as KubeObject);
    const result: ListResult = { items, resourceVersion: String(rv) };
    if (more) {
      result.continue = encodeContinue({ rv, start: items[items.length - 1].key });
      if (!opts.labelSelector && !opts.fieldSelector) result.remainingItemCount = candidates.length - i;
    }
    return result;
  }

  private async waitForRequested(resourceVersion: string | undefined, match: string | undefined): Promise<void> {
    if (!resourceVersion || resourceVersion === '0') return;
    const rv = parseRv(resourceVersion);
    if (match === 'Exact' && rv !== this.cache.revision) {
      if (rv < this.cache.revision) throw gone(`too old resource version: ${rv} (${this.cache.revision})`);
    }
    try {
      await this.cache.waitFor(rv);
    } catch {
      throw new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${this.cache.revision}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    }
  }

  /**
   * Streams events for objects matching `opts` under `namespace`. With no resourceVersion (or "0")
   * the current objects come first as ADDED, as upstream does. Objects moving in or out of the
   * selection arrive as ADDED / DELETED.
   */
  async watch(namespace: string | undefined, opts: ListOptions, send: (type: WatchEventType, obj: Cached) => void): Promise<() => void> {
    const match = this.matcher(opts);
    const prefix = this.listPrefix(namespace);
    const deliver = (e: CacheEvent): void => {
      if (!e.key.startsWith(prefix)) return;
      const now = e.type !== 'DELETED' && match(e.object.obj as KubeObject);
      const before = e.prev !== undefined && match(e.prev.obj as KubeObject);
      if (e.type === 'DELETED') { if (before) send('DELETED', e.object); return; }
      if (now && before) send('MODIFIED', e.object);
      else if (now) send('ADDED', e.object);
      else if (before) send('DELETED', e.object);
    };
    let from: number;
    if (!opts.resourceVersion || opts.resourceVersion === '0') {
      from = this.cache.revision;
      for (const c of this.cache.list(prefix)) if (match(c.obj as KubeObject)) send('ADDED', c);
    } else {
      from = parseRv(opts.resourceVersion);
      await this.cache.waitFor(from).catch(() => {
        throw new ApiError(504, 'Timeout', `Too large resource version: ${from}, current: ${this.cache.revision}`);
      });
    }
    try {
      return this.cache.watch(from, deliver);
    } catch (e) {
      if (e instanceof TooOldError) throw gone(e.message);
      throw e;
    }
  }

  // ---------- writes ----------

  private invalid(obj: KubeObject, errors: FieldError[]): ApiError {
    return invalidObject(this.resource.kind, this.resource.group, obj.metadata?.name ?? obj.metadata?.generateName ?? '', errors);
  }

  private checkKind(obj: KubeObject): void {
    const want = apiVersionOf(this.resource);
    if (obj.kind !== undefined && obj.kind !== this.resource.kind) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want}) or kind ${JSON.stringify(obj.kind)} does not match ${JSON.stringify(this.resource.kind)}`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
    }
  }

  private stamp(obj: KubeObject): void {
    obj.apiVersion = apiVersionOf(this.resource);
    obj.kind = this.resource.kind;
  }

  private checkNamespace(obj: KubeObject, namespace: string | undefined): void {
    if (!this.resource.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (namespace) obj.metadata.namespace = namespace;
  }

  async create(namespace: string | undefined, input: KubeObject, opts: WriteOptions = {}): Promise<Cached> {
    const obj = input;
    if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
    this.checkKind(obj);
    this.checkNamespace(obj, namespace);
    const meta = obj.metadata;
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = generatedName(meta.generateName!);
    for (const field of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const) delete meta[field];
    meta.uid = randomUUID();
    meta.creationTimestamp = metaTime(Date.now());
    this.stamp(obj);
    this.strategy.prepareForCreate(obj);
    const errors = [
      ...validateObjectMeta(meta, { namespaced: this.resource.namespaced, nameValidator: this.strategy.nameRule }, 'metadata'),
      ...this.strategy.validate(obj),
    ];
    if (errors.length) throw this.invalid(obj, errors);
    if (this.resource.namespaced) this.namespaceGate(meta.namespace!, this.resource, meta.name!);
    const release = this.allocator?.allocate(obj, undefined, this.stored, !!opts.dryRun);
    try {
      for (let attempt = 0; ; attempt++) {
        const key = this.key(meta.namespace, meta.name!);
        if (opts.dryRun) {
          if (this.cache.get(key)) throw alreadyExists(this.resource, meta.name!);
          return { key, rev: this.cache.revision, obj, json: JSON.stringify(obj) };
        }
        try {
          const kv = await this.store.create(key, JSON.stringify(obj));
          return this.cached(kv);
        } catch (e) {
          if (!(e instanceof KeyExistsError)) throw internalError(e);
          // A generated name that collides gets a new suffix, as upstream retries.
          if (!generated || attempt >= MAX_GENERATE_ATTEMPTS) throw alreadyExists(this.resource, meta.name!);
          meta.name = generatedName(meta.generateName!);
        }
      }
    } catch (e) {
      release?.();
      throw e;
    }
  }

  /** The object as a write just stored it: the cache entry when it is still that revision. */
  private cached(kv: KeyValue): Cached {
    const c = this.cache.get(kv.key);
    return c && c.rev === kv.modRevision ? c : decode(kv);
  }

  /**
   * PUT: replaces the object (or only its status with `subresource: 'status'`), guarded by the
   * resourceVersion in the body.
   */
  async update(namespace: string | undefined, name: string, input: KubeObject, opts: UpdateOptions = {}): Promise<Cached> {
    if (!input.metadata || typeof input.metadata !== 'object') input.metadata = {};
    this.checkKind(input);
    if (input.metadata.name && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    this.checkNamespace(input, namespace);
    const current = this.get(namespace, name);
    const rv = input.metadata.resourceVersion;
    if (!rv && !this.strategy.allowUnconditionalUpdate) {
      throw this.invalid(input, [invalid('metadata.resourceVersion', new Literal('0x0'), 'must be specified for an update')]);
    }
    if (rv && parseRv(rv, 'resourceVersion') !== current.rev) throw staleObject(this.resource, name);
    return this.commitUpdate(current, input, opts);
  }

  /**
   * Read-modify-write with retries on conflict: for PATCH and subresources that change an object
   * in place. `mutate` receives a private copy of the current object.
   */
  async guaranteedUpdate(namespace: string | undefined, name: string, mutate: (obj: KubeObject) => KubeObject, opts: UpdateOptions = {}): Promise<Cached> {
    for (let attempt = 0; ; attempt++) {
      const current = this.get(namespace, name);
      const next = mutate(clone<KubeObject>(current));
      if (!next.metadata || typeof next.metadata !== 'object') next.metadata = {};
      this.checkKind(next);
      if (next.metadata.name !== undefined && next.metadata.name !== name) {
        throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
      }
      this.checkNamespace(next, namespace);
      const rv = next.metadata.resourceVersion;
      if (rv && rv !== String(current.rev)) throw staleObject(this.resource, name);
      try {
        return await this.commitUpdate(current, next, opts);
      } catch (e) {
        // The store had a newer object than the cache read (another writer won): mutate the newer
        // one. A caller's own precondition is not lost: the check above fails on the next attempt.
        if (isConflict(e) && attempt < 5) continue;
        throw e;
      }
    }
  }

  /**
   * Server-side apply: `request.manager`'s configuration merged into the object, which it creates
   * when missing (not through a subresource). Managed fields are decided by ./apply/fieldmanager.ts.
   */
  async apply(namespace: string | undefined, name: string, request: ApplyRequest, opts: WriteOptions = {}): Promise<{ object: Cached; created: boolean }> {
    this.fields.checkConfiguration(request.configuration);
    const write = { ...opts, subresource: request.subresource, applied: true };
    if (!request.subresource && !this.find(namespace, name)) {
      return { object: await this.create(namespace, this.fields.apply(undefined, name, request), write), created: true };
    }
    const object = await this.guaranteedUpdate(namespace, name, (live) => this.fields.apply(live, name, request), write);
    return { object, created: false };
  }

  private async commitUpdate(current: Cached, next: KubeObject, opts: UpdateOptions): Promise<Cached> {
    const old = current.obj as KubeObject;
    const meta = next.metadata;
    // Identity and lifecycle fields are the server's, whatever the client sent.
    meta.name = old.metadata.name;
    if (this.resource.namespaced) meta.namespace = old.metadata.namespace;
    if (meta.uid && meta.uid !== old.metadata.uid) {
      throw conflict(this.resource, old.metadata.name!, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    meta.deletionTimestamp = old.metadata.deletionTimestamp;
    meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    if (meta.generateName === undefined && old.metadata.generateName) meta.generateName = old.metadata.generateName;
    for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName'] as const) if (meta[k] === undefined) delete meta[k];
    delete meta.resourceVersion;
    if (!opts.applied) this.fields.update(old, next, opts.fieldManager ?? 'unknown', opts.managerSubresource ?? opts.subresource);
    this.stamp(next);
    let errors: FieldError[];
    if (opts.subresource) {
      const sub = opts.subresourceRules ?? this.strategy.subresourceUpdates?.[opts.subresource];
      if (!sub) throw notFound(this.resource, `${old.metadata.name}/${opts.subresource}`);
      sub.prepare(next, old);
      errors = sub.validate?.(next, old) ?? [];
    } else {
      this.strategy.prepareForUpdate(next, old);
      errors = this.strategy.validateUpdate(next, old);
    }
    errors = [...validateObjectMeta(meta, { namespaced: this.resource.namespaced, nameValidator: this.strategy.nameRule }, 'metadata'), ...errors];
    if (errors.length) throw this.invalid(next, errors);
    const release = opts.subresource ? undefined : this.allocator?.allocate(next, old, this.stored, !!opts.dryRun);
    try {
      return await this.writeUpdate(current, next, opts);
    } catch (e) {
      release?.();
      throw e;
    }
  }

  private async writeUpdate(current: Cached, next: KubeObject, opts: WriteOptions): Promise<Cached> {
    const old = current.obj as KubeObject;
    const meta = next.metadata;
    const { resourceVersion: _rv, ...oldMeta } = old.metadata;
    // A no-op update writes nothing and keeps the resourceVersion, as upstream does.
    if (isDeepStrictEqual({ ...old, metadata: oldMeta }, JSON.parse(JSON.stringify(next)))) return current;
    // The last finalizer gone from an object being deleted removes it, unless a grace period is
    // still running (a terminating pod): then the delete that ends the grace period removes it.
    if (meta.deletionTimestamp && this.finalized(next) && !(old.metadata.deletionGracePeriodSeconds ?? 0)) {
      return (await this.removeNow(current, opts)).object;
    }
    if (opts.dryRun) {
      // Nothing is written: the answer carries the resourceVersion the object still has, as upstream.
      const obj = { ...next, metadata: { ...meta, resourceVersion: String(current.rev) } };
      return { key: current.key, rev: current.rev, obj, json: JSON.stringify(obj) };
    }
    try {
      const kv = await this.store.update(current.key, JSON.stringify(next), current.rev);
      return this.cached(kv);
    } catch (e) {
      if (e instanceof RevisionMismatchError) {
        // Let the cache catch up with the write that won, so a retry reads it.
        await this.cache.waitFor(e.current.modRevision).catch(() => {});
        throw staleObject(this.resource, old.metadata.name!);
      }
      if (e instanceof KeyNotFoundError) throw notFound(this.resource, old.metadata.name!);
      throw internalError(e);
    }
  }

  private finalized(obj: KubeObject): boolean {
    return !(obj.metadata.finalizers?.length) && !(this.strategy.pendingFinalizers?.(obj));
  }

  // ---------- delete ----------

  async delete(namespace: string | undefined, name: string, options: DeleteOptions = {}, opts: WriteOptions = {}): Promise<DeleteResult> {
    for (let attempt = 0; ; attempt++) {
      const current = this.get(namespace, name);
      try {
        return await this.deleteOnce(current, options, opts);
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'Conflict' && !options.preconditions?.resourceVersion && attempt < 5) continue;
        throw e;
      }
    }
  }

  private async deleteOnce(current: Cached, options: DeleteOptions, opts: WriteOptions): Promise<DeleteResult> {
    const obj = current.obj as KubeObject;
    const name = obj.metadata.name!;
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw conflict(this.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== String(current.rev)) {
      throw conflict(this.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rev}`);
    }
    const requested = options.gracePeriodSeconds ?? undefined;
    const graceful = this.strategy.gracefulDeletion?.(obj, requested);
    const grace = graceful?.gracePeriodSeconds ?? 0;
    const gc = deletionFinalizers(obj.metadata.finalizers, options, this.strategy.garbageCollectionPolicy);
    const finalized = !gc.finalizers.length && !this.strategy.pendingFinalizers?.(obj);
    if (grace > 0 || !finalized) return this.markDeleting(current, grace, gc.changed ? gc.finalizers : undefined, opts);
    return this.removeNow(current, opts);
  }

  /**
   * Sets deletionTimestamp (or shortens a pending grace period) and keeps the object; `finalizers`,
   * when given, replace the object's (the garbage collector's orphan / foregroundDeletion).
   */
  private async markDeleting(current: Cached, grace: number, finalizers: string[] | undefined, opts: WriteOptions): Promise<DeleteResult> {
    const obj = clone<KubeObject>(current);
    const meta = obj.metadata;
    const due = Date.now() + grace * 1000;
    if (finalizers) {
      if (finalizers.length) meta.finalizers = finalizers;
      else delete meta.finalizers;
    }
    const shorten = !meta.deletionTimestamp || (meta.deletionGracePeriodSeconds !== undefined && grace < meta.deletionGracePeriodSeconds);
    // Already deleting: a delete may only shorten the grace period (or change the finalizers).
    if (!shorten && !finalizers) return { object: current, deleted: false };
    if (shorten) {
      meta.deletionTimestamp = metaTime(due);
      meta.deletionGracePeriodSeconds = grace;
    }
    this.strategy.prepareForDeletion?.(obj);
    delete meta.resourceVersion;
    if (opts.dryRun) return { object: { ...current, obj, json: JSON.stringify(obj) }, deleted: false };
    try {
      const kv = await this.store.update(current.key, JSON.stringify(obj), current.rev);
      return { object: this.cached(kv), deleted: false };
    } catch (e) {
      if (e instanceof RevisionMismatchError) throw staleObject(this.resource, meta.name!);
      if (e instanceof KeyNotFoundError) throw notFound(this.resource, meta.name!);
      throw internalError(e);
    }
  }

  private async removeNow(current: Cached, opts: WriteOptions): Promise<DeleteResult> {
    const name = (current.obj as KubeObject).metadata.name!;
    if (opts.dryRun) return { object: current, deleted: true };
    try {
      const kv = await this.store.delete(current.key, current.rev);
      return { object: decode(kv), deleted: true };
    } catch (e) {
      if (e instanceof RevisionMismatchError) throw staleObject(this.resource, name);
      if (e instanceof KeyNotFoundError) throw notFound(this.resource, name);
      throw e;
    }
  }

  /** DELETE on a collection: each matching object as a separate delete; returns those touched. */
  async deleteCollection(namespace: string | undefined, listOpts: ListOptions, options: DeleteOptions, opts: WriteOptions = {}): Promise<Cached[]> {
    const { items } = await this.list(namespace, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const out: Cached[] = [];
    for (const item of items) {
      const obj = item.obj as KubeObject;
      try {
        out.push((await this.delete(obj.metadata.namespace, obj.metadata.name!, options, opts)).object);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out;
  }
}
