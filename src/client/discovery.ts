// API discovery as controllers use it (upstream's ServerPreferredResources): every top-level
// resource the server serves, in the preferred version of each group, with its kind and verbs.
import type { RestClient } from './rest.js';
import { groupVersionPath, type ApiResource } from './typed.js';

export interface DiscoveredResource extends ApiResource {
  kind: string;
  verbs: string[];
}

interface GroupList { groups: { name: string; preferredVersion: { version: string } }[] }
interface ResourceList { resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] }

/** The served resources (subresources left out) whose verbs include all of `verbs`. */
export async function preferredResources(client: RestClient, verbs: string[] = []): Promise<DiscoveredResource[]> {
  const groups = await client.get<GroupList>('/apis');
  const gvs = [{ group: '', version: 'v1' }, ...groups.groups.map((g) => ({ group: g.name, version: g.preferredVersion.version }))];
  const out: DiscoveredResource[] = [];
  for (const { group, version } of gvs) {
    const list = await client.get<ResourceList>(groupVersionPath(group, version));
    for (const r of list.resources) {
      if (r.name.includes('/') || !verbs.every((v) => r.verbs.includes(v))) continue;
      out.push({ group, version, plural: r.name, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs });
    }
  }
  return out;
}
