import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/strategy.js';
import { Expectations } from './expectations.js';

const pod = (name: string, deleting = false): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) } });

test('creations and deletions are awaited until the informer observes them', () => {
  const e = new Expectations();
  assert.ok(e.satisfied('ns/rs'), 'nothing expected yet');
  e.expectCreations('ns/rs', 2);
  assert.ok(!e.satisfied('ns/rs'));
  e.observe('ns/rs', 'ADDED', pod('a'));
  e.observe('ns/rs', 'MODIFIED', pod('a'));
  assert.ok(!e.satisfied('ns/rs'), 'a change is not a creation');
  e.observe('ns/rs', 'ADDED', pod('b'));
  assert.ok(e.satisfied('ns/rs'));
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.observe('ns/rs', 'MODIFIED', pod('a', true));
  assert.ok(!e.satisfied('ns/rs'));
  e.observe('ns/rs', 'DELETED', pod('b'));
  assert.ok(e.satisfied('ns/rs'));
});

test('expectations expire after the TTL, and delete forgets them', () => {
  const e = new Expectations(1000);
  e.expectCreations('k', 1);
  assert.ok(!e.satisfied('k'));
  assert.ok(e.satisfied('k', Date.now() + 1001), 'expired');
  e.delete('k');
  assert.ok(e.satisfied('k'));
});

test('expectations: satisfied only when every create and delete was observed', () => {
  const e = new Expectations();
  assert.ok(e.satisfied('ns/rs'), 'nothing expected');
  e.expectCreations('ns/rs', 2);
  assert.ok(!e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  assert.ok(!e.satisfied('ns/rs'));
  e.creationObserved('ns/rs');
  assert.ok(e.satisfied('ns/rs'));
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a');
  assert.ok(!e.satisfied('ns/rs'), 'the same pod seen twice counts once');
  e.deletionObserved('ns/rs', 'ns/b');
  assert.ok(e.satisfied('ns/rs'));
  const short = new Expectations(10);
  short.expectCreations('k', 1);
  assert.ok(short.satisfied('k', Date.now() + 1000), 'expectations expire');
});
