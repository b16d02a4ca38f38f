// Upstream-shaped API errors: every failure leaves the server as a meta/v1 Status body, so kubectl
// prints `Error from server (Reason): message` exactly as against kube-apiserver.
import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js';

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Gone'
  | 'Invalid' | 'MethodNotAllowed' | 'NotAcceptable' | 'UnsupportedMediaType' | 'RequestEntityTooLarge'
  | 'TooManyRequests' | 'InternalError' | 'Timeout' | 'Expired' | 'ServiceUnavailable';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
  }

  toStatus(): Status {
    const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Upstream's apierrors predicates: what an error from the API (server or client) means. */
const isApiError = (e: unknown, code: number, reason?: StatusReason): e is ApiError => e instanceof ApiError && e.code === code && (reason === undefined || e.reason === reason);
export const isNotFound = (e: unknown): e is ApiError => isApiError(e, 404);
/** A write lost to another (409 Conflict); an AlreadyExists, also a 409, is not one. */
export const isConflict = (e: unknown): e is ApiError => isApiError(e, 409, 'Conflict');
export const isAlreadyExists = (e: unknown): e is ApiError => isApiError(e, 409, 'AlreadyExists');
/** A watch or list resourceVersion too old to serve (410). */
export const isGone = (e: unknown): e is ApiError => isApiError(e, 410);
export const isInvalid = (e: unknown): e is ApiError => isApiError(e, 422);

/** What a resource is called in messages: `pods`, or `deployments.apps` for a named group. */
export interface Qualified {
  group: string;
  plural: string;
}
const qualified = (r: Qualified): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

export const notFound = (r: Qualified, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, group: r.group || undefined, kind: r.plural });

export const alreadyExists = (r: Qualified, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, { name, group: r.group || undefined, kind: r.plural });

export const conflict = (r: Qualified, name: string, why: string): ApiError =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, { name, group: r.group || undefined, kind: r.plural });

export const staleObject = (r: Qualified, name: string): ApiError =>
  conflict(r, name, 'the object has been modified; please apply your changes to the latest version and try again');

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);
export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource'): ApiError =>
  new ApiError(405, 'MethodNotAllowed', message);
export const gone = (message: string): ApiError => new ApiError(410, 'Expired', message);
export const tooLarge = (message = 'the request is too large'): ApiError => new ApiError(413, 'RequestEntityTooLarge', message);
export const unsupportedMediaType = (type: string, note = ''): ApiError =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json (got ${JSON.stringify(type)})${note}`);
export const notAcceptable = (message: string): ApiError => new ApiError(406, 'NotAcceptable', message);
export const unauthorized = (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized');
export const forbidden = (message: string): ApiError => new ApiError(403, 'Forbidden', message);
export const internalError = (err: unknown): ApiError =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);

// ---- field errors (upstream's field.ErrorList) ----

export type FieldErrorType = 'Required' | 'Invalid' | 'NotSupported' | 'Forbidden' | 'Duplicate' | 'TooLong' | 'TooMany' | 'NotFound' | 'TypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

const causeReason: Record<FieldErrorType, string> = {
  Required: 'FieldValueRequired', Invalid: 'FieldValueInvalid', NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden', Duplicate: 'FieldValueDuplicate', TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany', NotFound: 'FieldValueNotFound', TypeInvalid: 'FieldValueTypeInvalid',
};

/** A value printed as-is in a field error, where upstream prints a Go literal such as `0x0`. */
export class Literal {
  constructor(readonly text: string) {}
}

const show = (v: unknown): string => (v instanceof Literal ? v.text : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** The part of the message after `field: `, as upstream's ErrorBody. */
export function fieldErrorBody(e: FieldError): string {
  const withDetail = (s: string) => (e.detail ? `${s}: ${e.detail}` : s);
  switch (e.type) {
    case 'Required': return withDetail('Required value');
    case 'Forbidden': return withDetail('Forbidden');
    case 'TooLong': return withDetail('Too long');
    case 'TooMany': return withDetail('Too many');
    case 'NotFound': return withDetail(`Not found: ${show(e.value)}`);
    case 'Duplicate': return withDetail(`Duplicate value: ${show(e.value)}`);
    case 'NotSupported': return withDetail(`Unsupported value: ${show(e.value)}`);
    case 'TypeInvalid': return withDetail(`Invalid value: ${show(e.value)}`);
    case 'Invalid': return withDetail(`Invalid value: ${show(e.value)}`);
  }
}

export const fieldErrorString = (e: FieldError): string => `${e.field}: ${fieldErrorBody(e)}`;

export const required = (field: string, detail?: string): FieldError => ({ type: 'Required', field, detail });
export const invalid = (field: string, value: unknown, detail?: string): FieldError => ({ type: 'Invalid', field, value, detail });
export const notSupported = (field: string, value: unknown, valid: string[]): FieldError =>
  ({ type: 'NotSupported', field, value, detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` });
export const forbiddenField = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'Duplicate', field, value });
export const tooLong = (field: string, max: number): FieldError => ({ type: 'TooLong', field, detail: `may not be more than ${max} bytes` });

/** 422 Invalid, e.g. `Pod "x" is invalid: spec.containers[0].name: Required value`. */
export function invalidObject(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const parts = errors.map(fieldErrorString);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const causes: StatusCause[] = errors.map((e) => ({ reason: causeReason[e.type], message: fieldErrorBody(e), field: e.field }));
  return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, { name, group: group || undefined, kind, causes });
}
