import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dep, rs } from '../../../test/helpers/deployments.js';
import { calculateStatus, deploymentComplete, rolloutStatus } from './status.js';

test('status and conditions: Available, Progressing reasons, complete, timed out', () => {
  const d = dep(3, 1, 0, { metadata: { generation: 2 }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 1, availableReplicas: 3 } });
  const next = rs('new', 2, 1);
  const old = rs('old', 2, 2);
  const s = rolloutStatus([old, next], next, d);
  assert.equal(s.observedGeneration, 2);
  assert.equal(s.replicas, 4);
  assert.equal(s.updatedReplicas, 2);
  assert.equal(s.availableReplicas, 3);
  assert.equal(s.unavailableReplicas, 1);
  assert.deepEqual(s.conditions!.map((c) => [c.type, c.status, c.reason]), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'ReplicaSetUpdated']]);
  assert.equal(s.conditions![1].message, 'ReplicaSet "new" is progressing.');
  const doneD = dep(3, 1, 0, { status: { conditions: s.conditions } });
  const done = rolloutStatus([rs('old', 0, 0), rs('new', 3)], rs('new', 3), doneD);
  assert.ok(deploymentComplete(doneD, done));
  assert.equal(done.conditions!.find((c) => c.type === 'Progressing')!.reason, 'NewReplicaSetAvailable');
  assert.equal(done.conditions!.find((c) => c.type === 'Progressing')!.message, 'ReplicaSet "new" has successfully progressed.');
  const longAgo = new Date(Date.now() - 700_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const stuck = dep(3, 1, 0, { status: { replicas: 4, updatedReplicas: 1, availableReplicas: 3, readyReplicas: 3, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: longAgo, lastTransitionTime: longAgo }] } });
  const timedOut = rolloutStatus([rs('old', 3), rs('new', 1, 0)], rs('new', 1, 0), stuck);
  assert.deepEqual(timedOut.conditions!.filter((c) => c.type === 'Progressing').map((c) => [c.status, c.reason]), [['False', 'ProgressDeadlineExceeded']]);
  const unavailable = calculateStatus([rs('new', 3, 1)], undefined, dep(3, 1, 0));
  assert.equal(unavailable.conditions![0].reason, 'MinimumReplicasUnavailable');
});
