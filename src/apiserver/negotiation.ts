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
 * The first acceptable view in the client's order. Protobuf is not served: a client that also
 * accepts JSON gets JSON, as kube-apiserver would fall through its list.
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

export const wantsYaml = (accept: MediaType[]): boolean => accept[0]?.type === 'application/yaml';
