// Accept-header negotiation for the response shapes kubectl asks for: plain JSON, a Table or
// PartialObjectMetadata (`application/json;as=Table;v=v1;g=meta.k8s.io`), aggregated discovery.
export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  }).filter((m) => m.type);
}

const isJsonish = (t: string): boolean => t === 'application/json' || t === '*/*' || t === 'application/*';

export type ObjectView = 'Object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

/**
 * The first acceptable view in the client's order. Protobuf responses are not served (protobuf
 * request bodies are read, see ./protobuf/): a client that also accepts JSON
 * (`application/vnd.kubernetes.protobuf,application/json`, or `, *\/*`) gets JSON, as
 * kube-apiserver falls through its list; one that accepts only protobuf gets undefined (a 406).
 */
export function chooseView(accept: MediaType[]): ObjectView | undefined {
  for (const m of accept) {
    if (!isJsonish(m.type) && m.type !== 'application/yaml') continue;
    const as = m.params.as;
    if (!as) return 'Object';
    if (m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) {
      if (as === 'Table' || as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return as;
    }
  }
  return undefined;
}

/** The aggregated-discovery version the client prefers ('v2' or 'v2beta1'), if it asked for one. */
export function aggregatedDiscoveryVersion(accept: MediaType[]): string | undefined {
  for (const m of accept) {
    if (!isJsonish(m.type)) continue;
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && (m.params.v === 'v2' || m.params.v === 'v2beta1')) return m.params.v;
    if (!m.params.as) return undefined;
  }
  return undefined;
}

/** Whether the first media type this server can serve is YAML (protobuf ahead of it is skipped). */
export const wantsYaml = (accept: MediaType[]): boolean =>
  accept.find((m) => isJsonish(m.type) || m.type === 'application/yaml')?.type === 'application/yaml';

/** Whether the client accepts nothing this server writes (e.g. only application/vnd.kubernetes.protobuf). */
export const acceptsNothingServed = (accept: MediaType[]): boolean =>
  !accept.some((m) => isJsonish(m.type) || m.type === 'application/yaml');
