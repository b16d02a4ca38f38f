// defineStrategy: a resource's Strategy from only what sets it apart; everything else gets
// upstream's defaults (stored verbs, subdomain names, unconditional updates, a status subresource
// that keeps the spec, main updates that keep the status, generation bumps on spec changes).
import { isDeepStrictEqual } from 'node:util';
import type { FieldError } from './errors.js';
import type { ResourceInfo, Subresource } from './resource.js';
import {
  STORED_VERBS, noFieldErrors, type GracefulDeletion, type KubeObject, type Mutable, type ScaleAccessor, type Strategy, type SubresourceUpdate,
} from './strategy.js';
import { tableOf, type Column } from './table.js';

/** A stored object seen as its kubernetes-types kind, editable in place. */
export type Obj<T> = Mutable<T> & KubeObject;

/** The resource block; listKind, singular, namespaced and verbs follow upstream's usual choices unless given. */
export type ResourceNames = Omit<ResourceInfo, 'listKind' | 'singular' | 'namespaced' | 'verbs' | 'subresources'> & Partial<Pick<ResourceInfo, 'listKind' | 'singular' | 'namespaced' | 'verbs'>>;

export type MetaField = 'generation' | 'labels' | 'ownerReferences' | 'finalizers';

/** How the status subresource works for a resource. */
export interface StatusRules<O> {
  /** The status a create starts from (clients may not set it); without it a create keeps what was sent. */
  initial?(obj: O): object;
  /** Metadata `/status` keeps from the old object besides the spec; annotations stay writable. */
  keepMetadata?: readonly MetaField[];
  validate?(obj: O, old: O): FieldError[];
}

/** A subresource update, on the resource's own view of its objects. */
export interface SubresourceRules<O> {
  prepare(obj: O, old: O): void;
  validate?(obj: O, old: O): FieldError[];
}

export interface StrategyDef<O extends KubeObject> extends Pick<Strategy, 'garbageCollectionPolicy' | 'review' | 'allocator'> {
  resource: ResourceNames;
  /** Default true; pods need a resourceVersion on PUT. */
  allowUnconditionalUpdate?: boolean;
  /** Default 'subdomain'. */
  nameRule?: Strategy['nameRule'];
  /** Defaults filled on create and on every main update, before the other preparations. */
  defaults?(obj: O): void;
  prepareForCreate?(obj: O): void;
  prepareForUpdate?(obj: O, old: O): void;
  validate?(obj: O): FieldError[];
  /** Default: `validate` on the new object. */
  validateUpdate?(obj: O, old: O): FieldError[];
  /** A status subresource: a create starts from `initial`, a main update keeps the old status, `/status` keeps the spec. */
  status?: StatusRules<O>;
  /** metadata.generation: 1 on create, one more on each spec change (or when the function says so too). */
  generation?: true | ((obj: O, old: O) => boolean);
  /** The `scale` subresource. */
  scale?: ScaleAccessor;
  /** Subresources beyond scale and status (their discovery entries), and the update rules of those that update. */
  subresources?: Subresource[];
  subresourceUpdates?: Record<string, SubresourceRules<O>>;
  selectableFields?(obj: O): Record<string, string>;
  gracefulDeletion?(obj: O, requestedSeconds: number | undefined): GracefulDeletion | undefined;
  pendingFinalizers?(obj: O): boolean;
  prepareForDeletion?(obj: O): void;
  columns: Column<O>[];
}

const SCALE: Subresource = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

export function defineStrategy<O extends KubeObject>(def: StrategyDef<O>): Strategy {
  const { resource: r, status, generation, scale } = def;
  // O is only a typed view of the KubeObject the registry passes in, so the resource's hooks serve as the Strategy's.
  const as = (obj: KubeObject): O => obj as O;
  const validate = def.validate ?? noFieldErrors;
  const validateUpdate = def.validateUpdate ?? ((obj: O) => validate(obj));
  const subresources = [
    ...(scale ? [SCALE] : []),
    ...(status ? [{ name: 'status', kind: r.kind, verbs: ['get', 'patch', 'update'] }] : []),
    ...(def.subresources ?? []),
  ];
  const subresourceUpdates = {
    ...(status ? { status: statusSubresource(status.keepMetadata ?? [], status.validate as SubresourceUpdate['validate']) } : {}),
    ...(def.subresourceUpdates as Record<string, SubresourceUpdate> | undefined),
  };
  const strategy: Strategy = {
    resource: {
      ...r, listKind: r.listKind ?? `${r.kind}List`, singular: r.singular ?? r.kind.toLowerCase(), namespaced: r.namespaced ?? true,
      verbs: r.verbs ?? [...STORED_VERBS],
      ...(subresources.length ? { subresources } : {}),
    },
    allowUnconditionalUpdate: def.allowUnconditionalUpdate ?? true,
    nameRule: def.nameRule ?? 'subdomain',
    prepareForCreate(obj) {
      def.defaults?.(as(obj));
      def.prepareForCreate?.(as(obj));
      if (status?.initial) obj.status = status.initial(as(obj));
      if (generation) obj.metadata.generation = 1;
    },
    validate: (obj) => validate(as(obj)),
    prepareForUpdate(obj, old) {
      def.defaults?.(as(obj));
      if (status) obj.status = old.status;
      def.prepareForUpdate?.(as(obj), as(old));
      if (generation) bumpGeneration(obj, old, generation !== true && generation(as(obj), as(old)));
    },
    validateUpdate: (obj, old) => validateUpdate(as(obj), as(old)),
    table: tableOf(def.columns),
  };
  if (Object.keys(subresourceUpdates).length) strategy.subresourceUpdates = subresourceUpdates;
  if (scale) strategy.scale = scale;
  for (const k of ['selectableFields', 'gracefulDeletion', 'pendingFinalizers', 'prepareForDeletion', 'garbageCollectionPolicy', 'review', 'allocator'] as const) {
    if (def[k] !== undefined) (strategy as unknown as Record<string, unknown>)[k] = def[k];
  }
  return strategy;
}

/**
 * A `status` subresource update: the spec and the named metadata stay as they were (the
 * deployment controller, for one, records revisions in annotations, which stay writable).
 */
export function statusSubresource(keepMetadata: readonly MetaField[], validate?: SubresourceUpdate['validate']): SubresourceUpdate {
  return {
    prepare(obj, old) {
      obj.spec = old.spec;
      const m = obj.metadata as Record<string, unknown>;
      for (const k of keepMetadata) {
        m[k] = old.metadata[k];
        if (m[k] === undefined) delete m[k];
      }
    },
    validate,
  };
}

/** JSON-equal, after dropping what JSON cannot tell apart from missing (null). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(stripNulls(a), stripNulls(b));
}

function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = stripNulls(x);
  return out;
}

/** Generation starts at 1 and grows by one with each change to the spec (and `alsoWhen`, if true). */
export function bumpGeneration(obj: KubeObject, old: KubeObject, alsoWhen = false): void {
  const prev = old.metadata.generation ?? 1;
  obj.metadata.generation = !semanticEqual(obj.spec, old.spec) || alsoWhen ? prev + 1 : prev;
}
