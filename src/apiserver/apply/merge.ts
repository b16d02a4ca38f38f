// The structured merge of server-side apply: an applied configuration laid over the live object
// (objects and maps field by field, lists with map keys item by item, sets as a union, anything
// atomic replaced), and the removal of fields a manager stopped applying.
import { cloneJson, isJsonObject, type JsonObject } from '../patch/json.js';
import type { PatchSchema } from '../patch/strategic.js';
import { child, childSchema, keyElement, listKind, setElement, splitPath } from './fieldset.js';

/** `live` with `applied` merged in; neither input is modified. */
export function mergeApplied(live: unknown, applied: unknown, schema: PatchSchema | undefined): unknown {
  if (isJsonObject(applied) && isJsonObject(live) && schema?.mapType !== 'atomic' && schema?.type !== 'primitive') {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(live[k], v, schema?.field(k));
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && schema?.type === 'list') {
    const kind = listKind(schema);
    if (kind === 'set') return [...live, ...applied.filter((v) => !live.some((l) => setElement(l) === setElement(v)))];
    if (kind === 'map') {
      const key = (item: unknown) => keyElement(item, schema.mapKeys!);
      const byKey = new Map(applied.map((item) => [key(item), item]));
      const merged = live.map((item) => (byKey.has(key(item)) ? mergeApplied(item, byKey.get(key(item)), schema.items) : item));
      return [...merged, ...applied.filter((item) => !live.some((l) => key(l) === key(item)))];
    }
  }
  return cloneJson(applied);
}

/** `obj` without the fields `paths` name (deepest first, so a list item goes after its fields). */
export function removePaths(obj: unknown, paths: Iterable<string>, schema: PatchSchema | undefined): unknown {
  let out = cloneJson(obj);
  for (const path of [...paths].sort((a, b) => b.length - a.length)) out = removePath(out, splitPath(path), schema);
  return out;
}

function removePath(value: unknown, elements: string[], schema: PatchSchema | undefined): unknown {
  const [element, ...rest] = elements;
  if (element === undefined) return value;
  const target = child(value, element, schema);
  if (target === undefined) return value;
  if (rest.length) {
    const updated = removePath(target, rest, childSchema(schema, element));
    if (element.startsWith('f:')) (value as JsonObject)[element.slice(2)] = updated;
    else (value as unknown[])[(value as unknown[]).indexOf(target)] = updated;
    return value;
  }
  if (element.startsWith('f:')) delete (value as JsonObject)[element.slice(2)];
  else (value as unknown[]).splice((value as unknown[]).indexOf(target), 1);
  return value;
}
