// Field sets of server-side apply: which fields of an object a manager set, as upstream's
// structured-merge-diff sees them. A path is a list of elements in FieldsV1's spelling — `f:name`
// (a field or map key), `k:{"name":"web"}` (an item of a list with map keys), `v:"x"` (an item of a
// set) — joined by newlines (never inside an element: JSON escapes them). Objects and maps are
// granular (their fields are members), lists follow their list type (untagged = atomic, a member
// as a whole), everything else is a leaf.
import { isJsonObject, jsonEqual, type JsonObject } from '../patch/json.js';
import type { PatchSchema } from '../patch/strategic.js';

export type FieldSet = Set<string>;

const SEP = '\n';
/** Defaults of map-key fields that a client may leave out (containerPort + protocol). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

export const joinPath = (elements: string[]): string => elements.join(SEP);
export const splitPath = (path: string): string[] => (path ? path.split(SEP) : []);

const granular = (value: unknown, schema: PatchSchema | undefined): value is JsonObject =>
  isJsonObject(value) && schema?.mapType !== 'atomic' && schema?.type !== 'primitive';

/** The key element (`k:{…}`, keys in name order) of an item of a list with map keys. */
export function keyElement(item: unknown, keys: string[]): string {
  const obj = isJsonObject(item) ? item : {};
  const key: JsonObject = {};
  for (const k of [...keys].sort()) key[k] = obj[k] ?? KEY_DEFAULTS[k] ?? null;
  return `k:${JSON.stringify(key)}`;
}

export const setElement = (value: unknown): string => `v:${JSON.stringify(value)}`;

/** What kind of list a schema node describes, for walking: keyed items, set values, or atomic. */
export function listKind(schema: PatchSchema | undefined): 'map' | 'set' | 'atomic' {
  if (schema?.listType === 'map' && schema.mapKeys?.length) return 'map';
  if (schema?.listType === 'set') return 'set';
  return 'atomic';
}

/** Every field `value` sets, each leaf and each keyed list item, below `prefix`. */
export function fieldSetOf(value: unknown, schema: PatchSchema | undefined, prefix: string[] = [], out: FieldSet = new Set()): FieldSet {
  if (granular(value, schema)) {
    const entries = Object.entries(value);
    if (!entries.length && prefix.length) out.add(joinPath(prefix));
    for (const [k, v] of entries) fieldSetOf(v, schema?.field(k), [...prefix, `f:${k}`], out);
    return out;
  }
  if (Array.isArray(value) && schema?.type === 'list' && listKind(schema) !== 'atomic' && value.length) {
    for (const item of value) {
      if (listKind(schema) === 'set') {
        out.add(joinPath([...prefix, setElement(item)]));
        continue;
      }
      const at = [...prefix, keyElement(item, schema.mapKeys!)];
      out.add(joinPath(at));
      fieldSetOf(item, schema.items, at, out);
    }
    return out;
  }
  if (prefix.length) out.add(joinPath(prefix));
  return out;
}

/** The value at one path element of `value` (undefined when absent). */
export function child(value: unknown, element: string, schema: PatchSchema | undefined): unknown {
  if (element.startsWith('f:')) return isJsonObject(value) ? value[element.slice(2)] : undefined;
  if (!Array.isArray(value)) return undefined;
  if (element.startsWith('k:')) return value.find((item) => keyElement(item, schema?.mapKeys ?? []) === element);
  if (element.startsWith('v:')) return value.find((item) => setElement(item) === element);
  return undefined;
}

/** The schema node below one path element. */
export const childSchema = (schema: PatchSchema | undefined, element: string): PatchSchema | undefined =>
  element.startsWith('f:') ? schema?.field(element.slice(2)) : schema?.items;

/** The value a path names in `obj`, or undefined. */
export function valueAt(obj: unknown, path: string, schema: PatchSchema | undefined): unknown {
  let value = obj;
  for (const element of splitPath(path)) {
    value = child(value, element, schema);
    schema = childSchema(schema, element);
    if (value === undefined) return undefined;
  }
  return value;
}

/**
 * The paths whose value differs between `before` and `after`: set or changed in `after`, and those
 * of `before` that `after` no longer has.
 */
export function changedPaths(before: unknown, after: unknown, schema: PatchSchema | undefined): { changed: FieldSet; removed: FieldSet } {
  const was = fieldSetOf(before, schema);
  const now = fieldSetOf(after, schema);
  const changed: FieldSet = new Set();
  for (const p of now) {
    // A keyed item "changes" only by coming or going; what changes inside it are its fields.
    const item = splitPath(p).at(-1)!.startsWith('k:');
    if (!was.has(p) || (!item && !jsonEqual(valueAt(before, p, schema), valueAt(after, p, schema)))) changed.add(p);
  }
  const removed: FieldSet = new Set([...was].filter((p) => !now.has(p)));
  return { changed, removed };
}

/** Whether `path` is `ancestor` or lies below it. */
export const within = (path: string, ancestor: string): boolean => path === ancestor || path.startsWith(ancestor + SEP);

// ---------- FieldsV1 ----------

/** A set as FieldsV1 JSON: nested objects keyed by element; `.` marks a member that also has children. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const path of [...set].sort()) {
    let node = root;
    for (const element of splitPath(path)) node = (node[element] ??= {}) as JsonObject;
  }
  const mark = (node: JsonObject, prefix: string): void => {
    for (const [element, sub] of Object.entries(node)) {
      const path = prefix ? prefix + SEP + element : element;
      const children = sub as JsonObject;
      if (Object.keys(children).length) {
        mark(children, path);
        if (set.has(path)) children['.'] = {};
      }
    }
  };
  mark(root, '');
  return root;
}

export function fromFieldsV1(fields: unknown, prefix: string[] = [], out: FieldSet = new Set()): FieldSet {
  if (!isJsonObject(fields)) return out;
  const entries = Object.entries(fields);
  if (!entries.length && prefix.length) out.add(joinPath(prefix));
  for (const [element, sub] of entries) {
    if (element === '.') out.add(joinPath(prefix));
    else fromFieldsV1(sub, [...prefix, element], out);
  }
  return out;
}
