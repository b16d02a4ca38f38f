import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from './wwwauthenticate.js';

test('parses a registry bearer challenge', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
  ]);
});

test('parses several challenges, bare and escaped values, odd spacing', () => {
  assert.deepEqual(parseChallenges('Basic realm="a \\"quoted\\" realm" ,  Bearer Realm = http://127.0.0.1:1/token , error=insufficient_scope'), [
    { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
    { scheme: 'bearer', params: { realm: 'http://127.0.0.1:1/token', error: 'insufficient_scope' } },
  ]);
  assert.deepEqual(parseChallenges(''), []);
  assert.deepEqual(parseChallenges('Bearer'), [{ scheme: 'bearer', params: {} }]);
});
