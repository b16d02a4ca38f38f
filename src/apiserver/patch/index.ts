// Entry point for PATCH requests: picks the algorithm from the request's content type.
import { PatchError, UnsupportedPatchError } from './errors.js';
import { jsonPatch } from './jsonpatch.js';
import { jsonMergePatch } from './merge.js';
import { strategicMergePatch, type PatchSchema } from './strategic.js';

export { PatchError, UnsupportedPatchError, jsonPatch, jsonMergePatch, strategicMergePatch, type PatchSchema };

/**
 * Applies `patchBody` (already parsed JSON) to `original` as the given patch content type says;
 * parameters such as "; charset=utf-8" are ignored. `schema` only matters to strategic merge patch.
 * Throws PatchError for a bad patch or unknown type, UnsupportedPatchError for server-side apply.
 */
export function applyPatch(contentType: string, original: unknown, patchBody: unknown, schema?: PatchSchema): unknown {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  switch (mediaType) {
    case 'application/json-patch+json':
      return jsonPatch(original, patchBody);
    case 'application/merge-patch+json':
      return jsonMergePatch(original, patchBody);
    case 'application/strategic-merge-patch+json':
      return strategicMergePatch(original, patchBody, schema);
    case 'application/apply-patch+yaml':
      throw new UnsupportedPatchError('server-side apply (application/apply-patch+yaml) is not supported');
    default:
      throw new PatchError(`unsupported patch type ${JSON.stringify(contentType)}`);
  }
}
