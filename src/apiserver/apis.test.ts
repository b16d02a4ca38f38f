import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceInfo } from '../api/resource.js';
import { ServedApis, type ApiHandler } from './apis.js';

const resource = (group: string, version: string, plural: string): ResourceInfo =>
  ({ group, version, plural, kind: plural, listKind: `${plural}List`, singular: '', namespaced: true, verbs: ['get'] });

test('each group/version goes to the handler it was registered with; resources keep their order', () => {
  const apis = new ServedApis();
  const stored: ApiHandler = async () => {};
  const metrics: ApiHandler = async () => {};
  apis.register([resource('', 'v1', 'pods'), resource('apps', 'v1', 'deployments'), resource('', 'v1', 'nodes')], stored);
  apis.register([resource('metrics.k8s.io', 'v1beta1', 'pods')], metrics);
  assert.equal(apis.handlerFor('', 'v1'), stored);
  assert.equal(apis.handlerFor('apps', 'v1'), stored);
  assert.equal(apis.handlerFor('metrics.k8s.io', 'v1beta1'), metrics);
  assert.equal(apis.handlerFor('metrics.k8s.io', 'v1'), undefined);
  assert.deepEqual(apis.resources.map((r) => `${r.group}/${r.plural}`), ['/pods', 'apps/deployments', '/nodes', 'metrics.k8s.io/pods']);
  assert.throws(() => apis.register([resource('apps', 'v1', 'other')], metrics), /already served/);
});
