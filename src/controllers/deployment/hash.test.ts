import { test } from 'node:test';
import assert from 'node:assert/strict';
import { template } from '../../../test/helpers/deployments.js';
import { computeHash, equalIgnoreHash } from './hash.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

test('template hash: stable under key order, changes with the template and the collision count', () => {
  const a = computeHash({ metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  const b = computeHash({ spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { tier: 'x', app: 'web' } } });
  assert.equal(a, b);
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.notEqual(computeHash({ spec: { containers: [{ name: 'c', image: 'j' }] } }), computeHash({ spec: { containers: [{ name: 'c', image: 'i' }] } }));
  const t = template();
  assert.notEqual(computeHash(t, 1), computeHash(t));
  assert.notEqual(computeHash(t, 1), computeHash(t, 2));
  assert.ok(equalIgnoreHash({ metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, creationTimestamp: null } as Json, spec: t.spec }, t));
  assert.ok(!equalIgnoreHash(template('other'), t));
});
