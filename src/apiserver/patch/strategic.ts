// Kubernetes strategic merge patch, as kube-apiserver applies it to built-in types. It is JSON
// merge patch except that lists whose schema says patchStrategy "merge" are merged rather than
// replaced (objects by their patchMergeKey, primitives as a set), and that the patch may carry
// directives: $patch, $retainKeys, $setElementOrder/<field> and $deleteFromPrimitiveList/<field>.
// Semantics follow k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch).
import type { PatchSchema } from '../../api/schema/patchschema.js';
import { PatchError } from './errors.js';
import { cloneJson, getMember, isJsonObject, setMember, type JsonObject } from './json.js';

export type { PatchSchema };

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/**
 * Applies a strategic merge patch to `original`; neither input is modified. Where `schema` (or a
 * node below it) is undefined, maps merge and lists are replaced, as in JSON merge patch.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: PatchSchema | undefined): unknown {
  if (!isJsonObject(patch)) throw new PatchError(`a strategic merge patch must be a JSON object, not ${describe(patch)}`);
  // Merging copies only what the patch touches; cloning the result unshares the rest.
  return cloneJson(mergeObject(isJsonObject(original) ? original : undefined, patch, schema, ''));
}

/** A map patch split into its directives and its ordinary fields. */
interface MapPatch {
  directive?: 'replace' | 'delete' | 'merge';
  retainKeys?: string[];
  /** $setElementOrder/<field>: field → the desired order of its elements. */
  elementOrders: Map<string, unknown[]>;
  /** $deleteFromPrimitiveList/<field>: field → the values to remove from it. */
  primitiveDeletions: Map<string, unknown[]>;
  fields: [string, unknown][];
}

function parseMapPatch(patch: JsonObject, path: string): MapPatch {
  const parsed: MapPatch = { elementOrders: new Map(), primitiveDeletions: new Map(), fields: [] };
  for (const [key, value] of Object.entries(patch)) {
    if (key === PATCH) {
      // "merge" is the default; upstream rejects it as unknown, but the design doc lists it.
      if (value !== 'replace' && value !== 'delete' && value !== 'merge') {
        throw fail(path, `unknown ${PATCH} directive ${JSON.stringify(value)}: expected "replace", "delete" or "merge"`);
      }
      parsed.directive = value;
    } else if (key === RETAIN_KEYS) {
      if (!Array.isArray(value) || !value.every((k) => typeof k === 'string')) throw fail(path, `${RETAIN_KEYS} must be a list of field names`);
      parsed.retainKeys = value;
    } else if (key.startsWith(SET_ELEMENT_ORDER)) {
      parsed.elementOrders.set(directiveField(key, SET_ELEMENT_ORDER, path), directiveList(key, value, path));
    } else if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      parsed.primitiveDeletions.set(directiveField(key, DELETE_FROM_PRIMITIVE_LIST, path), directiveList(key, value, path));
    } else {
      parsed.fields.push([key, value]);
    }
  }
  return parsed;
}

/** The field a "<prefix>/<field>" directive key applies to. */
function directiveField(key: string, prefix: string, path: string): string {
  const field = key.slice(prefix.length + 1);
  if (key[prefix.length] !== '/' || field === '') throw fail(path, `malformed directive "${key}": expected "${prefix}/<field>"`);
  return field;
}

function directiveList(key: string, value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw fail(path, `"${key}" must be a list, not ${describe(value)}`);
  return value;
}

/** Merges a patch value into the original one; `original` is undefined where the field is absent. */
function mergeValue(original: unknown, patch: unknown, schema: PatchSchema | undefined, path: string): unknown {
  checkShape(patch, schema, path);
  if (isJsonObject(patch)) {
    // A map with the "replace" strategy, or one replacing a non-map, is built from the patch alone.
    const base = isJsonObject(original) && !hasStrategy(schema, 'replace') ? original : undefined;
    return mergeObject(base, patch, schema, path);
  }
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : undefined, patch, schema, path);
  return patch;
}

/**
 * Merges a map patch. With no original (a new field, or a replaced one) the patch still goes
 * through here, so its nulls are dropped and its directives obeyed rather than copied.
 */
function mergeObject(original: JsonObject | undefined, patch: JsonObject, schema: PatchSchema | undefined, path: string): JsonObject {
  const parsed = parseMapPatch(patch, path);
  // Upstream turns "$patch: delete" on a map into an empty map, not a missing field.
  if (parsed.directive === 'delete') return {};
  const result: JsonObject = original && parsed.directive !== 'replace' ? { ...original } : {};
  if (parsed.retainKeys) retainOnly(result, parsed.retainKeys, parsed.fields, path);
  for (const [field, order] of parsed.elementOrders) {
    applyElementOrder(result, field, order, getMember(patch, field), schema?.field(field), join(path, field));
  }
  for (const [field, value] of parsed.fields) {
    if (parsed.elementOrders.has(field)) continue;
    if (value === null) delete result[field];
    else setMember(result, field, mergeValue(getMember(result, field), value, schema?.field(field), join(path, field)));
  }
  for (const [field, doomed] of parsed.primitiveDeletions) {
    const list = getMember(result, field);
    if (Array.isArray(list)) setMember(result, field, list.filter((item) => !doomed.includes(item)));
  }
  return result;
}

/** $retainKeys: fields of the original not in the list are cleared; every field the patch sets must be listed. */
function retainOnly(result: JsonObject, retain: string[], fields: [string, unknown][], path: string): void {
  const unlisted = fields.find(([field, value]) => value !== null && !retain.includes(field));
  if (unlisted) throw fail(path, `field "${unlisted[0]}" is set by the patch but missing from its ${RETAIN_KEYS} list`);
  for (const field of Object.keys(result)) {
    if (!retain.includes(field)) delete result[field];
  }
}

/** $setElementOrder/<field>: merges the field's patch list, if any, then orders the merged list as given. */
function applyElementOrder(result: JsonObject, field: string, order: unknown[], patchList: unknown, schema: PatchSchema | undefined, path: string): void {
  if (patchList !== undefined && !Array.isArray(patchList)) {
    throw fail(path, `must be a list to go with ${SET_ELEMENT_ORDER}/${field}, not ${describe(patchList)}`);
  }
  const originalList = getMember(result, field);
  const original = Array.isArray(originalList) ? originalList : undefined;
  if (patchList) setMember(result, field, mergeList(original, patchList, schema, path, order));
  // With no patch list only the order changes, and only merged lists keep an order of their own.
  else if (original && hasStrategy(schema, 'merge')) setMember(result, field, mergeList(original, [], schema, path, order));
}

/** Merges a list patch; `order` ($setElementOrder) overrides the patch's own order for merged lists. */
function mergeList(original: unknown[] | undefined, patch: unknown[], schema: PatchSchema | undefined, path: string, order?: unknown[]): unknown[] {
  if (!schema || !hasStrategy(schema, 'merge')) {
    return patch.map((item, i) => mergeValue(undefined, item, schema?.items, `${path}[${i}]`));
  }
  const base = original ?? [];
  return holdsObjects([...base, ...patch], path)
    ? mergeObjectList(base as JsonObject[], patch as JsonObject[], schema, path, order)
    : mergePrimitiveList(base, patch, path, order);
}

/** Whether a merged list holds objects (merged by key) rather than primitives (merged as a set). */
function holdsObjects(items: unknown[], path: string): boolean {
  if (items.some(Array.isArray)) throw fail(path, 'lists of lists cannot be merged');
  const objects = items.filter(isJsonObject).length;
  if (objects > 0 && objects < items.length) throw fail(path, 'a merged list cannot mix objects with other values');
  return objects > 0;
}

/** A list element and its place in the original list's order (-1 for elements the patch added). */
interface Entry<T> {
  value: T;
  originalIndex: number;
}

/** A merge-list patch split into its directive elements and the elements to merge. */
interface ListPatch {
  /** "$patch: replace" anywhere in the list discards the original list. */
  replaceAll: boolean;
  /** "$patch: delete" drops every element with that merge key value. */
  deletedIds: unknown[];
  merges: { item: JsonObject; id: unknown; path: string }[];
}

function parseListPatch(patch: JsonObject[], mergeKey: string, path: string): ListPatch {
  const parsed: ListPatch = { replaceAll: false, deletedIds: [], merges: [] };
  patch.forEach((item, i) => {
    const itemPath = `${path}[${i}]`;
    // Upstream refuses "$patch: merge" on an element; it is the default, so it merges like any other.
    const directive = getMember(item, PATCH);
    if (directive === 'replace') parsed.replaceAll = true;
    else if (directive === 'delete') parsed.deletedIds.push(mergeIdOf(item, mergeKey, itemPath));
    else parsed.merges.push({ item, id: mergeIdOf(item, mergeKey, itemPath), path: itemPath });
  });
  return parsed;
}

function mergeObjectList(original: JsonObject[], patch: JsonObject[], schema: PatchSchema, path: string, order?: unknown[]): JsonObject[] {
  const mergeKey = schema.patchMergeKey;
  if (!mergeKey) throw fail(path, 'the schema gives this merged list no merge key');
  const { replaceAll, deletedIds, merges } = parseListPatch(patch, mergeKey, path);
  const entries: Entry<JsonObject>[] = replaceAll ? [] : original
    .map((value, originalIndex) => ({ value, originalIndex }))
    .filter(({ value }) => !deletedIds.some((id) => hasMergeId(value, mergeKey, id)));
  const deletions = original.length - entries.length;
  for (const { item, id, path: itemPath } of merges) {
    const match = entries.find(({ value }) => hasMergeId(value, mergeKey, id));
    if (match) match.value = mergeObject(match.value, item, schema.items, itemPath);
    else entries.push({ value: mergeObject(undefined, item, schema.items, itemPath), originalIndex: -1 });
  }

  const patchIds = merges.map(({ id }) => id);
  let orderIds = patchIds;
  if (order) {
    orderIds = order.map((item, i) => mergeIdOf(item, mergeKey, `${path}: ${SET_ELEMENT_ORDER}[${i}]`));
    checkFollowsOrder(patchIds, orderIds, path);
    // Upstream quirk, kept so results match: under $setElementOrder the first elements the patch
    // adds take over the places its deletions freed at the end of the original order (one each),
    // so they follow the server-only elements instead of preceding them.
    entries.filter((e) => e.originalIndex < 0).slice(0, deletions).forEach((e, k) => { e.originalIndex = original.length + k; });
  }
  return arrange(entries, (value) => orderIds.findIndex((id) => hasMergeId(value, mergeKey, id)));
}

function mergeIdOf(item: unknown, mergeKey: string, path: string): unknown {
  if (!isJsonObject(item) || !Object.hasOwn(item, mergeKey)) throw fail(path, `element has no "${mergeKey}", the merge key of this list`);
  return item[mergeKey];
}

function hasMergeId(value: JsonObject, mergeKey: string, id: unknown): boolean {
  return Object.hasOwn(value, mergeKey) && value[mergeKey] === id;
}

function mergePrimitiveList(original: unknown[], patch: unknown[], path: string, order?: unknown[]): unknown[] {
  if (order) checkFollowsOrder(patch, order, path);
  const orderValues = order ?? patch;
  const added = [...new Set(patch)].filter((value) => !original.includes(value));
  const entries = [...original, ...added].map((value, i) => ({ value, originalIndex: i < original.length ? i : -1 }));
  return arrange(entries, (value) => orderValues.indexOf(value));
}

/** The patch list must list its elements in the same relative order as its $setElementOrder list. */
function checkFollowsOrder(patchKeys: unknown[], orderKeys: unknown[], path: string): void {
  let next = 0;
  for (const k of patchKeys) {
    next = orderKeys.indexOf(k, next) + 1;
    if (next === 0) throw fail(path, `the order of the patch list doesn't match its ${SET_ELEMENT_ORDER} list`);
  }
}

/**
 * Orders a merged list the way upstream does. Elements the patch names (`rank` ≥ 0) come in the
 * patch's order. The rest ("server-only") keep their original relative order, and each is placed
 * as soon as the next named element is one that came after it in the original list; elements new
 * to the list hold no such position, so they come before any server-only element not yet placed.
 */
function arrange<T>(entries: Entry<T>[], rank: (value: T) => number): T[] {
  const ranked = entries.map((entry) => ({ ...entry, rank: rank(entry.value) }));
  const named = ranked.filter((e) => e.rank >= 0).sort((a, b) => a.rank - b.rank);
  const serverOnly = ranked.filter((e) => e.rank < 0).sort((a, b) => a.originalIndex - b.originalIndex);
  const result: T[] = [];
  let n = 0;
  for (const entry of serverOnly) {
    while (n < named.length && !(named[n].originalIndex >= 0 && entry.originalIndex < named[n].originalIndex)) result.push(named[n++].value);
    result.push(entry.value);
  }
  return result.concat(named.slice(n).map((e) => e.value));
}

/** A patch value whose JSON type contradicts a known schema would only fail later, when decoded. */
function checkShape(value: unknown, schema: PatchSchema | undefined, path: string): void {
  if (!schema || schema.type === 'primitive') return;
  const isList = schema.type === 'list';
  if (isList ? !Array.isArray(value) : !isJsonObject(value)) throw fail(path, `expected ${isList ? 'a list' : 'an object'}, not ${describe(value)}`);
}

function hasStrategy(schema: PatchSchema | undefined, strategy: string): boolean {
  return schema?.patchStrategy?.split(',').some((s) => s.trim() === strategy) ?? false;
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function fail(path: string, message: string): PatchError {
  return new PatchError(path ? `${path}: ${message}` : message);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return isJsonObject(value) ? 'an object' : `a ${typeof value}`;
}
