// Strategic-merge-patch metadata for a kind: a lazily built tree over the definitions, carrying
// patch strategies and merge keys from ./patchmeta.ts (as upstream reads them from struct tags).
import { definitionName, definitions, refName, type Schema } from './definitions.js';
import { patchMeta, type FieldPatchMeta } from './patchmeta.js';

/** Patch metadata for one node of an object's schema; generated from OpenAPI for built-in types. */
export interface PatchSchema {
  /** 'object' (fixed fields), 'map' (string keys → one value schema), 'list', or 'primitive'. */
  type: 'object' | 'map' | 'list' | 'primitive';
  /** For 'object': the schema of a named field. For 'map': the value schema, whatever the key. */
  field(name: string): PatchSchema | undefined;
  /** For 'list': the element schema. */
  items?: PatchSchema;
  /**
   * For 'list': upstream's x-kubernetes-patch-strategy ('merge', 'replace', 'retainKeys', 'merge,retainKeys') and x-kubernetes-patch-merge-key.
   * Objects and maps may carry one too: 'replace' makes a patch replace the whole value; 'retainKeys' only
   * matters to clients building patches (the server obeys $retainKeys wherever the patch puts it).
   */
  patchStrategy?: string;
  patchMergeKey?: string;
  /** Server-side apply's topology (x-kubernetes-list-type / -list-map-keys / -map-type); an untagged list is atomic. */
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

const noFields = (): undefined => undefined;
const PRIMITIVE: PatchSchema = { type: 'primitive', field: noFields };
/** Free-form objects (RawExtension, FieldsV1...): merged like JSON, with no metadata. */
const FREE_FORM: PatchSchema = { type: 'object', field: noFields };

const byDefinition = new Map<string, PatchSchema>();

function definitionNode(name: string): PatchSchema {
  let node = byDefinition.get(name);
  if (node) return node;
  const def = definitions[name];
  if (!def || (def.type && def.type !== 'object')) node = PRIMITIVE; // Quantity, Time, IntOrString...
  else if (!def.type && !def.properties) node = PRIMITIVE; // any JSON value
  else if (!def.properties) node = FREE_FORM;
  else {
    const properties = def.properties;
    const meta = patchMeta[name] ?? {};
    const fields = new Map<string, PatchSchema | undefined>();
    node = {
      type: 'object',
      ...(meta['']?.mapType && { mapType: meta[''].mapType }),
      field(field: string): PatchSchema | undefined {
        if (!fields.has(field)) fields.set(field, Object.hasOwn(properties, field) ? schemaNode(properties[field], meta[field]) : undefined);
        return fields.get(field);
      },
    };
  }
  byDefinition.set(name, node);
  return node;
}

/** Adds a field's patch strategy and merge key to the node of its type. */
function withMeta(node: PatchSchema, meta: FieldPatchMeta | undefined): PatchSchema {
  if (!meta?.strategy && !meta?.mergeKey && !meta?.listType && !meta?.mapType) return node;
  const out: PatchSchema = { ...node };
  if (meta.strategy) out.patchStrategy = meta.strategy;
  if (meta.mergeKey) out.patchMergeKey = meta.mergeKey;
  if (meta.listType) out.listType = meta.listType;
  if (meta.mapKeys) out.mapKeys = meta.mapKeys;
  if (meta.mapType) out.mapType = meta.mapType;
  return out;
}

function schemaNode(schema: Schema, meta?: FieldPatchMeta): PatchSchema {
  const ref = refName(schema);
  if (ref) return withMeta(definitionNode(ref), meta);
  switch (schema.type) {
    case 'array': {
      const items = schemaNode(schema.items ?? {});
      return withMeta({ type: 'list', items, field: noFields }, meta);
    }
    case 'object': {
      if (!schema.additionalProperties) return withMeta(FREE_FORM, meta);
      const value = schemaNode(schema.additionalProperties);
      return withMeta({ type: 'map', field: () => value }, meta);
    }
    default:
      return withMeta(PRIMITIVE, meta);
  }
}

/** The patch schema of a kind's objects, or undefined for a kind we have no schema for. */
export function patchSchemaFor(group: string, version: string, kind: string): PatchSchema | undefined {
  const name = definitionName(group, version, kind);
  return name ? definitionNode(name) : undefined;
}
