// Request-body decoding with upstream's field validation (Strict / Warn / Ignore): unknown or
// mistyped fields are reported the way kube-apiserver's strict decoder reports them.
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from '../api/errors.js';
import type { ResourceInfo } from '../api/resource.js';
import { checkObject } from '../api/schema/index.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(v: string | null): FieldValidation {
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(v)}`);
}

const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** Parses a JSON or YAML body into a value; anything unparsable is a 400. */
export function parseBody(body: Buffer, contentType: string | undefined, allowed = ['application/json', 'application/yaml', '']): unknown {
  const type = mediaType(contentType);
  if (!allowed.includes(type)) throw unsupportedMediaType(type);
  const text = body.toString('utf8');
  if (!text.trim()) throw badRequest('the body of the request was empty');
  try {
    if (type === 'application/yaml') return parseYaml(text, { maxAliasCount: 100 });
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Checks an object for the resource's kind: throws on type errors (always) and unknown fields (Strict); returns warnings (Warn). */
export function validateFields(obj: unknown, r: ResourceInfo, kind: string, mode: FieldValidation): string[] {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    throw badRequest(`${kind} in version "${r.version}" cannot be handled as a ${kind}: the object provided is not a JSON object`);
  }
  const { unknownFields, typeErrors } = checkObject(r.group, r.version, kind, obj);
  if (typeErrors.length) throw badRequest(`${kind} in version "${r.version}" cannot be handled as a ${kind}: ${typeErrors.join(', ')}`);
  if (mode === 'Ignore' || !unknownFields.length) return [];
  const messages = unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`);
  if (mode === 'Strict') throw new ApiError(400, 'BadRequest', `${kind} in version "${r.version}" cannot be handled as a ${kind}: strict decoding error: ${messages.join(', ')}`);
  return messages;
}
