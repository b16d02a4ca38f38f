import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinStrategies } from '../../api/resources/index.js';
import { nodeStrategy } from '../../api/resources/nodes.js';
import { SqliteStore } from '../../storage/sqlite.js';
import { PodStreams } from '../podstreams.js';
import { Registry } from '../registry.js';
import { subresourceTable } from './index.js';
import { resourceKey } from './types.js';

const streams = () => new PodStreams(new Registry(new SqliteStore(':memory:'), nodeStrategy, () => {}));

test('the table: each handler is declared by its resource and named by its key; only the streams take upgrades', () => {
  const table = subresourceTable(builtinStrategies, streams());
  const declared = new Map(builtinStrategies.map((s) => [resourceKey(s.resource), s]));
  for (const [resource, handlers] of table) {
    const strategy = declared.get(resource);
    assert.ok(strategy, `${resource} is a served resource`);
    for (const [name, handler] of Object.entries(handlers)) {
      assert.equal(handler.name, name);
      assert.ok(strategy.resource.subresources?.some((s) => s.name === name), `${resource}/${name} is declared for discovery`);
      assert.ok(!strategy.subresourceUpdates?.[name], `${resource}/${name} is a handler, not a strategy update`);
      if (name === 'scale') assert.ok(strategy.scale, `${resource} can be scaled`);
      assert.equal(!!handler.upgrade, ['exec', 'attach', 'portforward'].includes(name), `${name} takes upgrades`);
    }
  }
  assert.deepEqual(Object.keys(table.get('/v1/pods')!).sort(), ['attach', 'binding', 'eviction', 'exec', 'log', 'portforward']);
  assert.deepEqual([...table].filter(([, h]) => h.scale).map(([r]) => r).sort(), ['apps/v1/deployments', 'apps/v1/replicasets', 'apps/v1/statefulsets']);
  assert.deepEqual(Object.keys(subresourceTable(builtinStrategies, undefined).get('/v1/pods')!).sort(), ['binding', 'eviction'], 'no streams without nodes');
});

test('every declared subresource is served: by a handler, or by the strategy\'s update rules', () => {
  const table = subresourceTable(builtinStrategies, streams());
  for (const s of builtinStrategies) {
    for (const sub of s.resource.subresources ?? []) {
      const served = !!table.get(resourceKey(s.resource))?.[sub.name] || !!s.subresourceUpdates?.[sub.name];
      assert.ok(served, `${s.resource.plural}/${sub.name}`);
    }
  }
});
