import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, revisionData, revisionTemplate, templateHash } from './revisions.js';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };

test('revisions: stable hashes that differ per template and collision count; data round-trips the template', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  const h = templateHash(template);
  assert.equal(h, templateHash(structuredClone(template)));
  assert.notEqual(h, templateHash(template, 1));
  assert.notEqual(h, templateHash({ ...template, spec: { containers: [{ name: 'c', image: 'busybox:2' }] } }));
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.deepEqual(revisionTemplate({ metadata: {}, revision: 1, data: revisionData(template) as object }), template);
});
