// Discovery documents, legacy (APIVersions / APIGroupList / APIResourceList) and aggregated
// (APIGroupDiscoveryList, one round trip for kubectl 1.26+), all derived from the served resources.
import { createHash } from 'node:crypto';
import type { ResourceInfo } from '../api/resource.js';

export interface ServedGroup {
  name: string;
  versions: string[];
}

export function groupsOf(resources: readonly ResourceInfo[]): ServedGroup[] {
  const groups = new Map<string, Set<string>>();
  for (const r of resources) {
    if (!groups.has(r.group)) groups.set(r.group, new Set());
    groups.get(r.group)!.add(r.version);
  }
  return [...groups.entries()].map(([name, vs]) => ({ name, versions: [...vs] }));
}

/** Upstream's storageVersionHash: a short stable hash clients use to notice storage changes. */
const storageVersionHash = (r: ResourceInfo): string =>
  createHash('sha256').update(`${r.group}/${r.version}/${r.kind}`).digest().subarray(0, 8).toString('base64');

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: ServedGroup) {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

export const apiGroupList = (resources: readonly ResourceInfo[]) => ({
  kind: 'APIGroupList', apiVersion: 'v1', groups: groupsOf(resources).filter((g) => g.name).map(apiGroup),
});

export function apiGroupDoc(resources: readonly ResourceInfo[], group: string) {
  const g = groupsOf(resources).find((x) => x.name === group && group);
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) };
}

export function apiResourceList(resources: readonly ResourceInfo[], group: string, version: string) {
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (!served.length) return undefined;
  const list: unknown[] = [];
  for (const r of served) {
    list.push({
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(r.categories ? { categories: r.categories } : {}),
      storageVersionHash: storageVersionHash(r),
    });
    for (const s of r.subresources ?? []) {
      list.push({
        name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs,
        ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: list };
}

/** The aggregated form, for `/api` (core group only) or `/apis` (every named group). */
export function aggregatedDiscovery(resources: readonly ResourceInfo[], core: boolean, version: 'v2' | 'v2beta1') {
  const items = groupsOf(resources).filter((g) => (core ? !g.name : !!g.name)).map((g) => ({
    metadata: { name: g.name, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: resources.filter((r) => r.group === g.name && r.version === v).map((r) => ({
        resource: r.plural,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.singular,
        verbs: r.verbs,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
        ...(r.subresources?.length ? {
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
            verbs: s.verbs,
          })),
        } : {}),
      })),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
