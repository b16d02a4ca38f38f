// metadata.managedFields: who set which field. Server-side apply merges a manager's applied
// configuration into the live object, removes the fields it stopped applying (unless another
// manager owns them), and refuses to change a field another manager owns (409 Conflict with one
// cause per field) unless forced, which moves the field to the applier. Ordinary writes (PUT,
// PATCH, scale) of an object that has managed fields take the fields they change from the other
// managers, under an `Update` entry for their manager. Objects that were never applied carry no
// managed fields, so writes to them pay nothing for this (upstream tracks every object).
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/strategy.js';
import { isJsonObject, type JsonObject } from '../patch/json.js';
import type { PatchSchema } from '../patch/strategic.js';
import { changedPaths, fieldSetOf, fromFieldsV1, splitPath, toFieldsV1, within, type FieldSet } from './fieldset.js';
import { mergeApplied, removePaths } from './merge.js';
import { metaTime } from '../../api/time.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface ManagerContext {
  schema: PatchSchema | undefined;
  manager: string;
  /** The group/version of the request, recorded with the entry. */
  apiVersion: string;
  subresource?: string;
  now?: Date;
}

interface Owner { entry: ManagedFieldsEntry; set: FieldSet }

/** The metadata fields a manager can own; the rest is identity and the server's. */
const OWNABLE_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/** The part of an object whose fields are owned through the main resource (status only through /status). */
function ownable(obj: unknown, subresource: string | undefined): JsonObject {
  if (!isJsonObject(obj)) return {};
  const { apiVersion: _a, kind: _k, metadata, status, ...rest } = obj;
  const out: JsonObject = subresource === 'status' ? {} : rest;
  if (subresource === 'status' && status !== undefined) out.status = status;
  if (isJsonObject(metadata)) {
    const meta = Object.fromEntries(OWNABLE_METADATA.filter((k) => metadata[k] !== undefined).map((k) => [k, metadata[k]]));
    if (Object.keys(meta).length) out.metadata = meta;
  }
  return out;
}

const owners = (obj: KubeObject | undefined): Owner[] =>
  ((obj?.metadata?.managedFields ?? []) as ManagedFieldsEntry[]).map((entry) => ({ entry, set: fromFieldsV1(entry.fieldsV1) }));

const sameEntry = (e: ManagedFieldsEntry, manager: string, operation: string, subresource: string | undefined) =>
  e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');

/** The entries back in metadata form; managers left with nothing go. */
function encode(list: Owner[]): ManagedFieldsEntry[] {
  return list.filter((o) => o.set.size).map((o) => ({ ...o.entry, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(o.set) }));
}

/** The entry of `manager` for `operation`, made if missing, with its time and version renewed. */
function ownerFor(list: Owner[], ctx: ManagerContext, operation: 'Apply' | 'Update'): Owner {
  let owner = list.find((o) => sameEntry(o.entry, ctx.manager, operation, ctx.subresource));
  if (!owner) {
    owner = { entry: { manager: ctx.manager, operation, apiVersion: ctx.apiVersion, time: '', fieldsType: 'FieldsV1', fieldsV1: {} }, set: new Set() };
    if (ctx.subresource) owner.entry.subresource = ctx.subresource;
    list.push(owner);
  }
  owner.entry = { ...owner.entry, apiVersion: ctx.apiVersion, time: metaTime(ctx.now) };
  return owner;
}

/** `.spec.replicas`, `.spec.containers[name="web"].image`: a path as upstream's conflict messages spell it. */
export function describePath(path: string): string {
  return splitPath(path).map((e) => {
    if (e.startsWith('f:')) return `.${e.slice(2)}`;
    if (e.startsWith('k:')) return `[${Object.entries(JSON.parse(e.slice(2)) as JsonObject).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    return `[=${e.slice(2)}]`;
  }).join('');
}

export interface Conflict { manager: string; apiVersion: string; path: string }

/** 409 Conflict, as kube-apiserver words an apply that would change other managers' fields. */
export function conflictError(conflicts: Conflict[]): ApiError {
  const causes = conflicts.map((c) => ({ type: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: describePath(c.path) }));
  const list = causes.map((c) => `- ${c.message}: ${c.field}`).join('\n');
  const message = conflicts.length === 1
    ? `Apply failed with 1 conflict: ${causes[0].message}: ${causes[0].field}`
    : `Apply failed with ${conflicts.length} conflicts: conflicts with ${[...new Set(conflicts.map((c) => `"${c.manager}"`))].join(', ')}:\n${list}`;
  return new ApiError(409, 'Conflict', message, { causes });
}

/**
 * The object after `ctx.manager` applies `applied` to `live` (undefined: it does not exist yet).
 * Throws a 409 Conflict when the apply would change fields of other managers, unless `force`.
 */
export function applyConfiguration(live: KubeObject | undefined, applied: KubeObject, ctx: ManagerContext & { force: boolean }): KubeObject {
  const list = owners(live);
  const previous = list.find((o) => sameEntry(o.entry, ctx.manager, 'Apply', ctx.subresource))?.set ?? new Set<string>();
  const others = list.filter((o) => !sameEntry(o.entry, ctx.manager, 'Apply', ctx.subresource));
  const appliedSet = fieldSetOf(ownable(applied, ctx.subresource), ctx.schema);

  let merged = mergeApplied(live ?? {}, applied, ctx.schema) as KubeObject;
  // Fields this manager applied before and no longer does go, unless someone else also owns them.
  const dropped = [...previous].filter((p) => !appliedSet.has(p) && !others.some((o) => [...o.set].some((q) => within(q, p))));
  if (dropped.length) merged = removePaths(merged, dropped, ctx.schema) as KubeObject;

  const { changed, removed } = changedPaths(ownable(live, ctx.subresource), ownable(merged, ctx.subresource), ctx.schema);
  const conflicts: Conflict[] = [];
  for (const o of others) {
    for (const p of [...changed, ...removed]) if (o.set.has(p)) conflicts.push({ manager: o.entry.manager, apiVersion: o.entry.apiVersion, path: p });
  }
  if (conflicts.length && !ctx.force) throw conflictError(conflicts);

  for (const o of others) for (const p of [...changed, ...removed]) o.set.delete(p);
  ownerFor(list, ctx, 'Apply').set = appliedSet;
  merged.metadata = { ...merged.metadata, managedFields: encode(list) };
  return merged;
}

/**
 * Managed fields after an ordinary write by `ctx.manager` turned `old` into `next`: the fields it
 * changed become its own (an `Update` entry) and no one else's. `next` keeps `old`'s entries when
 * the client sent none; an object without entries is not tracked.
 */
export function trackUpdate(old: KubeObject, next: KubeObject, ctx: ManagerContext): void {
  if (next.metadata.managedFields === undefined && old.metadata.managedFields !== undefined) next.metadata.managedFields = old.metadata.managedFields;
  // Entries the client wrote itself (other than those it read) are taken as they are, as upstream.
  if (!next.metadata.managedFields?.length || !isDeepStrictEqual(next.metadata.managedFields, old.metadata.managedFields)) return;
  const { changed, removed } = changedPaths(ownable(old, ctx.subresource), ownable(next, ctx.subresource), ctx.schema);
  if (!changed.size && !removed.size) return;
  const list = owners(old);
  for (const o of list) {
    for (const p of changed) o.set.delete(p);
    for (const p of removed) for (const q of [...o.set]) if (within(q, p)) o.set.delete(q);
  }
  const mine = ownerFor(list, ctx, 'Update');
  for (const p of changed) mine.set.add(p);
  next.metadata.managedFields = encode(list);
}

/** The manager of an ordinary write: `?fieldManager=`, else the client's name from its User-Agent, as upstream. */
export function managerOf(fieldManager: string | null, userAgent: string | undefined): string {
  return fieldManager || (userAgent ?? '').split('/')[0].slice(0, 128) || 'unknown';
}
