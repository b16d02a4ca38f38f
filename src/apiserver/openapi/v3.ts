// OpenAPI v3 documents: one per group version (/openapi/v3/api/v1, /openapi/v3/apis/apps/v1), each
// with only the schemas its operations reach, and the root (/openapi/v3) naming them with a hash of
// their content so clients can cache them for good.
import { createHash } from 'node:crypto';
import type { ResourceInfo } from '../../api/resource.js';
import type { Schema } from '../../api/schema/index.js';
import { BEARER_TOKEN, INFO, reachableDefinitions, STATUS_TEXT } from './common.js';
import { servedPaths, type Operation, type Param, type PathEntry } from './operations.js';
import { operationDefinitions } from './v2.js';

type Json = Record<string, unknown>;

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** v3 describes the two scalar unions as oneOf, as upstream does; v2 can only say "string". */
const V3_SCALARS: Record<string, Json> = {
  [QUANTITY]: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  [INT_OR_STRING]: { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
};

const V2_REF = '#/definitions/';
const v3Ref = (ref: string) => ({ $ref: `#/components/schemas/${ref.startsWith(V2_REF) ? ref.slice(V2_REF.length) : ref}` });

/** A schema in v3 form. A $ref with siblings (a property's description) becomes allOf: [$ref]. */
function convert(s: Schema): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, convert(v)]));
    else if (key === 'items' || key === 'additionalProperties') out[key] = convert(value as Schema);
    else if (key !== '$ref') out[key] = value;
  }
  if (!s.$ref) return out;
  return Object.keys(out).length ? { allOf: [v3Ref(s.$ref)], ...out } : v3Ref(s.$ref);
}

function component(name: string, def: Schema): Json {
  const scalar = V3_SCALARS[name];
  if (!scalar) return convert(def);
  return def.description ? { description: def.description, ...scalar } : scalar;
}

function parameter(p: Param): Json {
  return { description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}), schema: { type: p.type, uniqueItems: true } };
}

const content = (types: string[], schema: Json): Json => Object.fromEntries(types.map((t) => [t, { schema }]));

function operation(op: Operation): Json {
  const out: Json = { description: op.description, operationId: op.operationId };
  if (op.params.length) out.parameters = op.params.map(parameter);
  if (op.body) out.requestBody = { content: content(op.consumes, v3Ref(op.body)), ...(op.method !== 'delete' ? { required: true } : {}) };
  const responses: Json = {};
  for (const [code, def] of Object.entries(op.responses)) {
    responses[code] = code === '401'
      ? { description: STATUS_TEXT[code] }
      : { content: content(op.produces, def ? v3Ref(def) : { type: 'string' }), description: STATUS_TEXT[code] };
  }
  out.responses = responses;
  out.tags = [op.tag];
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = op.gvk;
  return out;
}

function pathItem(entry: PathEntry): Json {
  const item: Json = {};
  for (const op of [...entry.operations].sort((a, b) => (a.method < b.method ? -1 : 1))) item[op.method] = operation(op);
  item.parameters = entry.params.map(parameter);
  return item;
}

/** The v3 document of one group version ('api/v1', 'apis/apps/v1'), or undefined if none is served. */
export function buildV3Document(resources: readonly ResourceInfo[], groupVersion: string): Json | undefined {
  const entries = servedPaths(resources).filter((e) => e.groupVersion === groupVersion);
  if (!entries.length) return undefined;
  const schemas = reachableDefinitions(operationDefinitions(entries.flatMap((e) => e.operations)));
  return {
    openapi: '3.0.0',
    info: INFO,
    paths: Object.fromEntries(entries.map((e) => [e.path, pathItem(e)])),
    components: {
      schemas: Object.fromEntries(schemas.map(([name, def]) => [name, component(name, def)])),
      securitySchemes: { BearerToken: BEARER_TOKEN },
    },
    security: [{ BearerToken: [] }],
  };
}

/** Upstream's content hash of a served document: SHA-512, upper-case hex. */
export const contentHash = (body: Buffer | string): string => createHash('sha512').update(body).digest('hex').toUpperCase();
