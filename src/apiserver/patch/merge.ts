// JSON merge patch (RFC 7386): objects merge member by member, null removes a member, and any other
// value (arrays included) replaces the target wholesale.
import { cloneJson, getMember, isJsonObject, setMember, type JsonObject } from './json.js';

/** Applies an RFC 7386 merge patch; neither input is modified. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  return cloneJson(mergeValue(target, patch));
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return patch;
  // Only the objects on the patch's path are copied; cloning the final result unshares the rest.
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setMember(result, key, mergeValue(getMember(result, key), value));
  }
  return result;
}
