import { test } from 'node:test';
import assert from 'node:assert/strict';
import { preferredResources } from './discovery.js';
import type { RestClient } from './rest.js';

test('preferred resources: core and each group at its preferred version, subresources left out, filtered by verbs', async () => {
  const docs: Record<string, unknown> = {
    '/apis': { groups: [{ name: 'apps', preferredVersion: { version: 'v1' } }] },
    '/api/v1': { resources: [
      { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['list', 'watch', 'delete'] },
      { name: 'pods/status', kind: 'Pod', namespaced: true, verbs: ['get', 'patch'] },
      { name: 'bindings', kind: 'Binding', namespaced: true, verbs: ['create'] },
    ] },
    '/apis/apps/v1': { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['list', 'watch', 'delete'] }] },
  };
  const client = { get: async (path: string) => docs[path] } as unknown as RestClient;
  const all = await preferredResources(client);
  assert.deepEqual(all.map((r) => `${r.group}/${r.version}/${r.plural}`), ['/v1/pods', '/v1/bindings', 'apps/v1/deployments']);
  const listable = await preferredResources(client, ['list', 'watch']);
  assert.deepEqual(listable.map((r) => `${r.kind}`), ['Pod', 'Deployment']);
  assert.equal(listable[1].namespaced, true);
});
