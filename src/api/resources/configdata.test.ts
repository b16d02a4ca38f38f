import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64Error, configKeyErrors, configMapStrategy, MAX_DATA_BYTES, secretStrategy } from './configdata.js';
import type { KubeObject } from '../strategy.js';

const obj = (extra: object): KubeObject => ({ metadata: { name: 'x', namespace: 'default' }, ...extra });
const fields = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);

test('config keys as upstream IsConfigMapKey', () => {
  assert.deepEqual(configKeyErrors('key.name_1-x'), []);
  assert.match(configKeyErrors('b@d')[0], /a valid config key must consist of alphanumeric characters/);
  assert.deepEqual(configKeyErrors('..'), ["must not be '..'"]);
  assert.deepEqual(configKeyErrors('..x'), ["must not start with '..'"]);
  assert.equal(configKeyErrors('k'.repeat(254)).length, 1);
});

test('base64 as Go StdEncoding reads it', () => {
  assert.equal(base64Error('aGVsbG8='), undefined);
  assert.equal(base64Error('aGVs\nbG8='), undefined);
  assert.equal(base64Error('!!!!'), 0);
  assert.equal(base64Error('aGVsbG8'), 4);
  assert.equal(base64Error('aG=s'), 2);
});

test('ConfigMap: duplicate keys, the 1 MiB total, immutable', () => {
  assert.deepEqual(fields(configMapStrategy.validate(obj({ data: { a: '1' }, binaryData: { a: 'MQ==' } }))), ['Invalid binaryData[a]']);
  assert.deepEqual(fields(configMapStrategy.validate(obj({ data: { a: 'x'.repeat(MAX_DATA_BYTES) } }))), ['TooLong ']);
  const old = obj({ immutable: true, data: { a: '1' } });
  assert.deepEqual(fields(configMapStrategy.validateUpdate(obj({ immutable: true, data: { a: '2' } }), old)), ['Forbidden data']);
  assert.deepEqual(fields(configMapStrategy.validateUpdate(obj({ immutable: false, data: { a: '1' } }), old)), ['Forbidden immutable']);
  assert.deepEqual(configMapStrategy.validateUpdate(obj({ data: { a: '2' } }), obj({ data: { a: '1' } })), []);
});

test('Secret: stringData merged and dropped, type defaulted and immutable, type rules', () => {
  const s = obj({ data: { a: 'YQ==' }, stringData: { a: 'over', b: 'bee' } });
  secretStrategy.prepareForCreate(s);
  assert.deepEqual([s.data, s.stringData, s.type], [{ a: Buffer.from('over').toString('base64'), b: Buffer.from('bee').toString('base64') }, undefined, 'Opaque']);
  assert.throws(() => secretStrategy.prepareForCreate(obj({ data: { k: '!!' } })), /illegal base64 data at input byte 0/);
  assert.deepEqual(fields(secretStrategy.validate(obj({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }))), ['Required data[tls.key]']);
  assert.deepEqual(fields(secretStrategy.validate(obj({ type: 'kubernetes.io/basic-auth', data: {} }))), ['Required data[username]']);
  assert.deepEqual(fields(secretStrategy.validate(obj({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{').toString('base64') } }))), ['Invalid data[.dockerconfigjson]']);
  assert.deepEqual(fields(secretStrategy.validate(obj({ type: 'kubernetes.io/service-account-token', data: {} }))), ['Required metadata.annotations[kubernetes.io/service-account.name]']);
  assert.deepEqual(fields(secretStrategy.validateUpdate(obj({ type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': 'eA==' } }), obj({ type: 'Opaque', data: {} }))), ['Invalid type']);
});
