// The definitions as served: generated structure plus our patch metadata and descriptions.
import { definitions, refName, type Schema } from './definitions.js';
import { descriptions, kindFieldDescriptions, listFieldDescriptions } from './descriptions.js';
import { patchMeta, type FieldPatchMeta } from './patchmeta.js';

const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** FieldPatchMeta as OpenAPI vendor extensions, in upstream's names. */
export function patchExtensions(meta: FieldPatchMeta): Record<string, unknown> {
  const ext: Record<string, unknown> = {};
  if (meta.mapKeys) ext['x-kubernetes-list-map-keys'] = meta.mapKeys;
  if (meta.listType) ext['x-kubernetes-list-type'] = meta.listType;
  if (meta.mapType) ext['x-kubernetes-map-type'] = meta.mapType;
  if (meta.mergeKey) ext['x-kubernetes-patch-merge-key'] = meta.mergeKey;
  if (meta.strategy) ext['x-kubernetes-patch-strategy'] = meta.strategy;
  return ext;
}

/** A list kind (PodList): items of one definition plus ListMeta metadata. Returns the item's kind. */
function listItemKind(def: Schema): string | undefined {
  const items = def.properties?.items;
  if (!def['x-kubernetes-group-version-kind'] || !items?.items || refName(def.properties?.metadata ?? {}) !== LIST_META) return undefined;
  const item = refName(items.items);
  return item?.slice(item.lastIndexOf('.') + 1);
}

function fieldDescriptions(name: string, def: Schema): Record<string, string> {
  const own = descriptions[name]?.fields ?? {};
  if (listItemKind(def)) return { ...kindFieldDescriptions, ...listFieldDescriptions, ...own };
  if (def['x-kubernetes-group-version-kind']) return { ...kindFieldDescriptions, ...own };
  return { ...own };
}

function document(name: string, source: Schema): Schema {
  const def: Schema = { ...source };
  const itemKind = listItemKind(source);
  const description = descriptions[name]?.description ?? (itemKind ? `A list of ${itemKind} objects.` : undefined);
  if (description) def.description = description;
  const meta = patchMeta[name] ?? {};
  if (meta['']) Object.assign(def, patchExtensions(meta['']));
  if (source.properties) {
    const texts = fieldDescriptions(name, source);
    def.properties = {};
    for (const [field, prop] of Object.entries(source.properties)) {
      const documented: Schema = { ...prop };
      if (texts[field]) documented.description = texts[field];
      if (meta[field]) Object.assign(documented, patchExtensions(meta[field]));
      def.properties[field] = documented;
    }
  }
  return def;
}

let documented: Readonly<Record<string, Schema>> | undefined;

/** Every definition with descriptions and x-kubernetes-* metadata applied; built once. Never mutate. */
export function documentedDefinitions(): Readonly<Record<string, Schema>> {
  documented ??= Object.fromEntries(Object.entries(definitions).map(([name, def]) => [name, document(name, def)]));
  return documented;
}
