// Pieces shared by the OpenAPI v2 and v3 documents.
import { documentedDefinitions, type Schema } from '../../api/schema/index.js';

/** `info` of every document; the version mirrors what /version reports. */
export const INFO = { title: 'Kubernetes', version: 'v1.33.0+tinykube' } as const;

export const STATUS_TEXT: Readonly<Record<string, string>> = { '200': 'OK', '201': 'Created', '202': 'Accepted', '401': 'Unauthorized' };

export const BEARER_TOKEN = {
  type: 'apiKey',
  description: 'A bearer token in the authorization header: "Bearer <token>".',
  name: 'authorization',
  in: 'header',
} as const;

const REF = /^#\/definitions\/(.+)$/;

function collectRefs(schema: unknown, into: (name: string) => void): void {
  if (Array.isArray(schema)) return schema.forEach((s) => collectRefs(s, into));
  if (!schema || typeof schema !== 'object') return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string') {
      const m = REF.exec(value);
      if (m) into(m[1]);
    } else if (typeof value === 'object') collectRefs(value, into);
  }
}

/** The named definitions plus everything they reference, sorted by name. */
export function reachableDefinitions(roots: Iterable<string>): Array<[string, Schema]> {
  const all = documentedDefinitions();
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !all[name]) return;
    seen.add(name);
    collectRefs(all[name], visit);
  };
  for (const root of roots) visit(root);
  return [...seen].sort().map((name) => [name, all[name]]);
}
