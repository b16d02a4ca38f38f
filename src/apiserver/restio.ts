// Request and response pieces the verbs (rest.ts) and the subresource handlers share: response
// negotiation, writing an object, dry run, the patch type and its errors, the options of a write.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as yamlStringify } from 'yaml';
import { ApiError, badRequest, notAcceptable, unsupportedMediaType } from '../api/errors.js';
import type { KubeObject, Strategy } from '../api/strategy.js';
import type { Cached } from '../storage/watchcache.js';
import { managerOf } from './apply/managedfields.js';
import { sendJson } from './http.js';
import { chooseView, parseAccept, wantsYaml, type ObjectView } from './negotiation.js';
import { applyPatch, PatchError, UnsupportedPatchError } from './patch/index.js';
import type { WriteOptions } from './registry.js';
import { toTable, type IncludeObject } from './tableview.js';

export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', APPLY_PATCH_TYPE];

/** What the client accepts back: the view of the object and whether as YAML. */
export interface Negotiated { view: ObjectView; yaml: boolean }

/** The response shape the Accept header asks for; 406 when none is served. */
export function negotiate(req: IncomingMessage): Negotiated {
  const accept = parseAccept(req.headers.accept);
  const view = chooseView(accept);
  if (!view) throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io');
  return { view, yaml: wantsYaml(accept) };
}

/** `?dryRun=All` (the only value there is): true when the write is to be checked but not stored. */
export function parseDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${JSON.stringify(v)}. Valid values are "All".`);
  return values.length > 0;
}

export function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw badRequest(`includeObject must be one of None, Metadata, Object; got ${JSON.stringify(v)}`);
  return v;
}

export function partialMetadata(c: Cached) {
  const o = c.obj as KubeObject;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** Field validation warnings as `Warning` headers (299, as upstream). */
export function warningHeaders(warnings: readonly string[]): Record<string, string> {
  return warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : {};
}

/** A body that is not a stored object (a Scale, a Status): JSON, or YAML when asked. */
export function sendBody(res: ServerResponse, code: number, body: unknown, yaml: boolean, warnings: readonly string[] = []): void {
  if (yaml) return sendJson(res, code, yamlStringify(body), 'application/yaml', warningHeaders(warnings));
  sendJson(res, code, body, 'application/json', warningHeaders(warnings));
}

/** A stored object in the negotiated view: as is (its cached JSON), YAML, a one-row Table or its metadata. */
export function sendObject(res: ServerResponse, to: Negotiated & { strategy: Strategy; query: URLSearchParams }, code: number, c: Cached, warnings: readonly string[] = []): void {
  const headers = warningHeaders(warnings);
  if (to.view === 'Table') {
    const table = toTable(to.strategy, [c], String(c.rev), includeObject(to.query));
    return sendJson(res, code, table, 'application/json;as=Table;v=v1;g=meta.k8s.io', headers);
  }
  if (to.view === 'PartialObjectMetadata') return sendJson(res, code, partialMetadata(c), 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', headers);
  if (to.yaml) return sendJson(res, code, yamlStringify(c.obj), 'application/yaml', headers);
  sendJson(res, code, c.json, 'application/json', headers);
}

/** The patch type of a PATCH (its Content-Type); 415 for one not served (apply only where `apply`). */
export function patchTypeOf(req: IncomingMessage, apply = true): string {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!PATCH_TYPES.includes(type) || (!apply && type === APPLY_PATCH_TYPE)) throw unsupportedMediaType(type);
  return type;
}

/** `applyPatch`, its failures as the Status upstream answers with: 422 Invalid for a JSON patch, else 400. */
export function patchOrStatus(...args: Parameters<typeof applyPatch>): unknown {
  const type = args[0];
  try {
    return applyPatch(...args);
  } catch (e) {
    if (e instanceof UnsupportedPatchError) throw unsupportedMediaType(type);
    if (!(e instanceof PatchError)) throw e;
    throw type === 'application/json-patch+json' ? new ApiError(422, 'Invalid', e.message) : new ApiError(400, 'BadRequest', e.message);
  }
}

/** The options of a write: dry run, and the field manager (`?fieldManager=`, else the client's name). */
export function writeOptions(req: IncomingMessage, query: URLSearchParams, dryRun: boolean): WriteOptions {
  return { dryRun, fieldManager: managerOf(query.get('fieldManager'), req.headers['user-agent']) };
}
