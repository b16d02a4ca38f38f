// Request-body decoding with upstream's field validation (Strict / Warn / Ignore): unknown or
// mistyped fields are reported the way kube-apiserver's strict decoder reports them. JSON, YAML
// and Kubernetes protobuf bodies all decode to the same JSON object.
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType } from '../api/errors.js';
import type { ResourceInfo } from '../api/resource.js';
import { checkObject } from '../api/schema/index.js';
import { PROTOBUF_MEDIA_TYPE, ProtobufError, protobufDecoder } from './protobuf/decode.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(v: string | null): FieldValidation {
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(v)}`);
}

const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** The media types an object body (create, update, subresources, delete options) may have. */
export const OBJECT_BODY_TYPES = ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE, ''];

/** The kind an endpoint takes: what a protobuf envelope without type information is decoded as. */
export interface ExpectedKind {
  apiVersion: string;
  kind: string;
}

/**
 * Parses a JSON, YAML or Kubernetes protobuf body into a value; anything undecodable is a 400.
 * `expected` names the endpoint's kind, for protobuf envelopes that leave apiVersion or kind out
 * and for the error message (upstream's "<kind> in version ... cannot be handled as a <kind>").
 */
export function parseBody(body: Buffer, contentType: string | undefined, allowed = OBJECT_BODY_TYPES, expected?: ExpectedKind): unknown {
  const type = mediaType(contentType);
  if (!allowed.includes(type)) throw unsupportedMediaType(type);
  if (type === PROTOBUF_MEDIA_TYPE) {
    try {
      return protobufDecoder.decodeBody(body, expected);
    } catch (e) {
      if (!(e instanceof ProtobufError)) throw e;
      if (!expected) throw badRequest(`error decoding request body: ${e.message}`);
      const version = expected.apiVersion.slice(expected.apiVersion.indexOf('/') + 1);
      throw badRequest(`${expected.kind} in version ${JSON.stringify(version)} cannot be handled as a ${expected.kind}: ${e.message}`);
    }
  }
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
