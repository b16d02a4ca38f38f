// The OpenAPI v2 (Swagger 2.0) document served at /openapi/v2: every path of the served resources
// and the definitions they reach.
import type { ResourceInfo } from '../../api/resource.js';
import type { Schema } from '../../api/schema/index.js';
import { BEARER_TOKEN, INFO, reachableDefinitions, STATUS_TEXT } from './common.js';
import { servedPaths, type Operation, type Param } from './operations.js';

export interface SwaggerDocument {
  swagger: '2.0';
  info: typeof INFO;
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, Schema>;
  securityDefinitions: Record<string, typeof BEARER_TOKEN>;
  security: Array<Record<string, string[]>>;
}

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

function parameter(p: Param): Record<string, unknown> {
  return { description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}), type: p.type, uniqueItems: true };
}

function operation(op: Operation): Record<string, unknown> {
  const params: Array<Record<string, unknown>> = [];
  if (op.body) params.push({ in: 'body', name: 'body', required: op.method !== 'delete', schema: ref(op.body) });
  params.push(...op.params.map(parameter));
  const responses: Record<string, unknown> = {};
  for (const [code, def] of Object.entries(op.responses)) {
    responses[code] = code === '401' ? { description: STATUS_TEXT[code] } : { description: STATUS_TEXT[code], schema: def ? ref(def) : { type: 'string' } };
  }
  return {
    consumes: op.consumes,
    description: op.description,
    operationId: op.operationId,
    ...(params.length ? { parameters: params } : {}),
    produces: op.produces,
    responses,
    schemes: ['https'],
    tags: [op.tag],
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

/** The operations' body and response definitions: the roots of the definitions a document carries. */
export function operationDefinitions(ops: Iterable<Operation>): Set<string> {
  const roots = new Set<string>();
  for (const op of ops) {
    if (op.body) roots.add(op.body);
    for (const def of Object.values(op.responses)) if (def) roots.add(def);
  }
  return roots;
}

export function buildSwagger(resources: readonly ResourceInfo[]): SwaggerDocument {
  const entries = servedPaths(resources);
  const paths: SwaggerDocument['paths'] = {};
  for (const entry of entries) {
    const item: Record<string, unknown> = {};
    for (const op of [...entry.operations].sort((a, b) => (a.method < b.method ? -1 : 1))) item[op.method] = operation(op);
    item.parameters = entry.params.map(parameter);
    paths[entry.path] = item;
  }
  const roots = operationDefinitions(entries.flatMap((e) => e.operations));
  return {
    swagger: '2.0',
    info: INFO,
    paths,
    definitions: Object.fromEntries(reachableDefinitions(roots)),
    securityDefinitions: { BearerToken: BEARER_TOKEN },
    security: [{ BearerToken: [] }],
  };
}
