import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/strategy.js';
import { podDisruptionBudgetStrategy } from '../api/resources/poddisruptionbudgets.js';
import { podStrategy } from '../api/resources/pods.js';
import { SqliteStore } from '../storage/sqlite.js';
import { evict } from './eviction.js';
import { Registry } from './registry.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function setup(allowed: number) {
  const store = new SqliteStore(':memory:');
  const pods = new Registry(store, podStrategy, () => {});
  const pdbs = new Registry(store, podDisruptionBudgetStrategy, () => {});
  await Promise.all([pods.start(), pdbs.start()]);
  for (const name of ['a', 'b']) {
    await pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } as KubeObject);
    await pods.guaranteedUpdate('default', name, (p) => ({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }) as KubeObject, { subresource: 'status' });
  }
  await pdbs.create('default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } } as KubeObject);
  await pdbs.guaranteedUpdate('default', 'web', (p) => ({ ...p, status: { observedGeneration: 1, disruptionsAllowed: allowed, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } }) as KubeObject, { subresource: 'status' });
  return { pods, pdbs };
}

test('an eviction within the budget deletes the pod and takes one disruption', async () => {
  const { pods, pdbs } = await setup(1);
  await evict(pods, pdbs, 'default', 'a', { deleteOptions: { gracePeriodSeconds: 0 } }, false);
  assert.throws(() => pods.get('default', 'a'), (e) => e instanceof ApiError && e.code === 404);
  const status = (pdbs.get('default', 'web').obj as Json).status;
  assert.equal(status.disruptionsAllowed, 0);
  assert.ok(status.disruptedPods.a);
  const refused = await evict(pods, pdbs, 'default', 'b', {}, false).then(() => undefined, (e) => e);
  assert.ok(refused instanceof ApiError);
  assert.deepEqual([refused.code, refused.reason, refused.message], [429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget."]);
  assert.match(JSON.stringify(refused.details), /The disruption budget web needs 1 healthy pods and has 2 currently/);
  assert.ok(pods.get('default', 'b'), 'a refused eviction deletes nothing');
});

test('a dry run changes nothing; a name that differs from the URL is refused', async () => {
  const { pods, pdbs } = await setup(1);
  await evict(pods, pdbs, 'default', 'a', {}, true);
  assert.ok(pods.get('default', 'a'));
  assert.equal((pdbs.get('default', 'web').obj as Json).status.disruptionsAllowed, 1);
  await assert.rejects(evict(pods, pdbs, 'default', 'a', { metadata: { name: 'b' } }, false), (e) => e instanceof ApiError && e.code === 400);
});
