import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getMember, isJsonObject, jsonEqual, setMember } from './json.js';

test('isJsonObject accepts objects only', () => {
  assert.ok(isJsonObject({}));
  assert.ok(!isJsonObject([]));
  assert.ok(!isJsonObject(null));
  assert.ok(!isJsonObject('x'));
});

test('jsonEqual compares structure, not object member order', () => {
  assert.ok(jsonEqual({ a: [1, { b: null }], c: 'x' }, { c: 'x', a: [1, { b: null }] }));
  assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!jsonEqual([1, 2], [2, 1]));
  assert.ok(!jsonEqual(10, '10'));
  assert.ok(!jsonEqual({}, []));
});

test('"__proto__" is an ordinary member name', () => {
  const obj = {};
  assert.equal(getMember(obj, '__proto__'), undefined);
  assert.equal(getMember(obj, 'toString'), undefined);
  setMember(obj, '__proto__', { polluted: true });
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  assert.deepEqual(getMember(obj, '__proto__'), { polluted: true });
  assert.equal(JSON.stringify(obj), '{"__proto__":{"polluted":true}}');
});
