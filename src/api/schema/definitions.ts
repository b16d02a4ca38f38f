// The generated definitions (./definitions.json, see scripts/gen-schema.mjs) and lookups over them.
import generated from './definitions.json' with { type: 'json' };

/** The subset of an OpenAPI v2 schema that our definitions use. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  required?: string[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  [extension: `x-${string}`]: unknown;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export const REF_PREFIX = '#/definitions/';

/** Every definition, keyed by upstream's name (io.k8s.api.core.v1.Pod). Shared: never mutate. */
export const definitions: Readonly<Record<string, Schema>> = generated as unknown as Record<string, Schema>;

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

/** The definition a $ref points at (undefined for anything that is not a local definition). */
export const refName = (schema: Schema): string | undefined =>
  schema.$ref?.startsWith(REF_PREFIX) ? schema.$ref.slice(REF_PREFIX.length) : undefined;

const gvkKey = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`;

let byGvk: Map<string, string> | undefined;

/** The definition name of a kind, e.g. ('', 'v1', 'Pod') -> 'io.k8s.api.core.v1.Pod'. */
export function definitionName(group: string, version: string, kind: string): string | undefined {
  if (!byGvk) {
    byGvk = new Map();
    for (const [name, def] of Object.entries(definitions)) {
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) byGvk.set(gvkKey(gvk.group, gvk.version, gvk.kind), name);
    }
  }
  return byGvk.get(gvkKey(group, version, kind));
}

/** The last segment of a definition's Go package plus its type name, as Go prints it: 'v1.PodSpec'. */
export function goTypeName(definition: string): string {
  const parts = definition.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

/** The short type name of a definition: 'PodSpec'. */
export const shortName = (definition: string): string => definition.slice(definition.lastIndexOf('.') + 1);
