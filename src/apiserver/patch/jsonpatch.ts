// JSON patch (RFC 6902) addressed by JSON pointers (RFC 6901). Operations run in order on a
// private copy of the target, so a failing operation leaves the caller's object untouched.
import { PatchError } from './errors.js';
import { cloneJson, isJsonObject, jsonEqual, setMember, type JsonObject } from './json.js';

export { PatchError } from './errors.js';

/** Applies an RFC 6902 operation list; throws PatchError naming the first operation that fails. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a JSON array of operations');
  let doc = cloneJson(target);
  for (const [i, operation] of ops.entries()) {
    try {
      doc = applyOperation(doc, operation);
    } catch (e) {
      throw e instanceof PatchError ? new PatchError(`JSON patch operation ${i}: ${e.message}`) : e;
    }
  }
  return doc;
}

/** Applies one operation, mutating `doc` where it can; returns the new document (differs only for root targets). */
function applyOperation(doc: unknown, operation: unknown): unknown {
  if (!isJsonObject(operation)) throw new PatchError('an operation must be a JSON object');
  const path = pointerMember(operation, 'path');
  switch (operation.op) {
    case 'add':
      return add(doc, path, valueMember(operation));
    case 'remove':
      remove(doc, path);
      return doc;
    case 'replace':
      return replace(doc, path, valueMember(operation));
    case 'move':
      return move(doc, pointerMember(operation, 'from'), path);
    case 'copy':
      return add(doc, path, cloneJson(get(doc, pointerMember(operation, 'from'))));
    case 'test':
      if (!jsonEqual(get(doc, path), valueMember(operation))) throw new PatchError(`test failed: the value at "${path}" is not the expected value`);
      return doc;
    case undefined:
      throw new PatchError('missing "op"');
    default:
      throw new PatchError(`unknown op ${JSON.stringify(operation.op)}`);
  }
}

function pointerMember(operation: JsonObject, name: 'path' | 'from'): string {
  const pointer = operation[name];
  if (typeof pointer !== 'string') throw new PatchError(`missing or non-string "${name}"`);
  return pointer;
}

function valueMember(operation: JsonObject): unknown {
  if (!Object.hasOwn(operation, 'value')) throw new PatchError('missing "value"');
  return cloneJson(operation.value);
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const slot = locate(doc, pointer);
  if (!slot) return value;
  const { parent, key } = slot;
  if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : arrayIndex(key, parent.length, pointer), 0, value);
  else setMember(parent, key, value);
  return doc;
}

/** Removes and returns the value at `pointer`. */
function remove(doc: unknown, pointer: string): unknown {
  const slot = locate(doc, pointer);
  if (!slot) throw new PatchError('cannot remove the whole document');
  const { parent, key } = slot;
  if (Array.isArray(parent)) return parent.splice(arrayIndex(key, parent.length - 1, pointer), 1)[0];
  if (!Object.hasOwn(parent, key)) throw missing(pointer);
  const value = parent[key];
  delete parent[key];
  return value;
}

// RFC 6902 defines replace as remove-then-add at the same location, and move likewise.
function replace(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  remove(doc, pointer);
  return add(doc, pointer, value);
}

function move(doc: unknown, from: string, pointer: string): unknown {
  if (from === pointer) {
    get(doc, from);
    return doc;
  }
  if (pointer.startsWith(`${from}/`)) throw new PatchError(`cannot move "${from}" into its own child "${pointer}"`);
  return add(doc, pointer, remove(doc, from));
}

function get(doc: unknown, pointer: string): unknown {
  return parsePointer(pointer).reduce((node: unknown, token) => child(node, token, pointer), doc);
}

/** The container that holds (or will hold) the pointer's target and the target's key in it; undefined for the root. */
function locate(doc: unknown, pointer: string): { parent: unknown[] | JsonObject; key: string } | undefined {
  const tokens = parsePointer(pointer);
  const key = tokens.pop();
  if (key === undefined) return undefined;
  const parent = tokens.reduce((node: unknown, token) => child(node, token, pointer), doc);
  if (!Array.isArray(parent) && !isJsonObject(parent)) throw missing(pointer);
  return { parent, key };
}

function child(node: unknown, token: string, pointer: string): unknown {
  if (Array.isArray(node)) return node[arrayIndex(token, node.length - 1, pointer)];
  if (isJsonObject(node) && Object.hasOwn(node, token)) return node[token];
  throw missing(pointer);
}

/** A decimal array index without leading zeros, at most `max`. */
function arrayIndex(token: string, max: number, pointer: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index "${token}" in path "${pointer}"`);
  const index = Number(token);
  if (index > max) throw new PatchError(`array index ${index} is out of bounds in path "${pointer}"`);
  return index;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}": it must be empty or start with "/"`);
  return pointer.slice(1).split('/').map((token) => {
    if (/~([^01]|$)/.test(token)) throw new PatchError(`invalid JSON pointer "${pointer}": "~" must be followed by "0" or "1"`);
    // ~1 before ~0, so "~01" decodes to "~1" rather than "/".
    return token.replaceAll('~1', '/').replaceAll('~0', '~');
  });
}

function missing(pointer: string): PatchError {
  return new PatchError(`path "${pointer}" does not exist`);
}
