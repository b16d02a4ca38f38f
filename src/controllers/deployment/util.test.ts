import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dep, rs } from '../../../test/helpers/deployments.js';
import { setNewReplicaSetAnnotations } from './util.js';

test('revision annotations: copied deployment annotations, revision raised, history kept on rollback', () => {
  const d = dep(3, 1, 0, { metadata: { annotations: { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '2' } } });
  const fresh = rs('new', 0, 0);
  assert.ok(setNewReplicaSetAnnotations(d, fresh, 3, false));
  assert.deepEqual(fresh.metadata.annotations, {
    'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '3',
    'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
  });
  const back = rs('old', 0, 0, { 'deployment.kubernetes.io/revision': '1' });
  setNewReplicaSetAnnotations(d, back, 4, true);
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision'], '4');
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  setNewReplicaSetAnnotations(d, back, 6, true);
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,4');
  assert.ok(!setNewReplicaSetAnnotations(d, back, 5, true), 'a lower revision changes nothing');
});

// ---------- against a real API server ----------
