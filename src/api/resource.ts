// Describes one served REST resource: enough for routing, discovery and OpenAPI.
export interface GroupVersion {
  /** '' for the legacy core group (served under /api/v1). */
  group: string;
  version: string;
}

export interface ResourceInfo extends GroupVersion {
  kind: string;
  /** Lower-case plural used in URLs, e.g. 'pods'. */
  plural: string;
  /** Lower-case singular, e.g. 'pod'. */
  singular: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresources served under the object path, e.g. ['status', 'binding']. */
  subresources?: Subresource[];
  /** Kind of the list type, e.g. 'PodList'. */
  listKind: string;
}

export interface Subresource {
  name: string;
  /** Kind accepted/returned, e.g. 'Pod' for status, 'Binding' for binding. */
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

export const apiVersionOf = (gv: GroupVersion): string => (gv.group ? `${gv.group}/${gv.version}` : gv.version);

export function parseApiVersion(apiVersion: string): GroupVersion {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
