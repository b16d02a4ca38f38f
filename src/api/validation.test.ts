import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from './errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, validateObjectMeta } from './validation.js';

test('DNS names: length limits, case, dashes', () => {
  assert.deepEqual(isDNS1123Label('a'.repeat(63)), []);
  assert.equal(isDNS1123Label('a'.repeat(64)).length, 1);
  assert.equal(isDNS1123Label('-a').length, 1);
  assert.equal(isDNS1123Label('A').length, 1);
  assert.deepEqual(isDNS1123Subdomain('kubia.example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
});

test('label keys and values', () => {
  assert.deepEqual(isQualifiedName('mycompany.com/someannotation'), []);
  assert.deepEqual(isQualifiedName('creation_method'), []);
  assert.ok(isQualifiedName('UPPER.com/x')[0].startsWith('prefix part'));
  assert.equal(isQualifiedName('a/b/c').length, 1);
  assert.equal(isQualifiedName(`x/${'n'.repeat(64)}`)[0], 'name part must be no more than 63 characters');
  assert.deepEqual(isValidLabelValue(''), []);
  assert.equal(isValidLabelValue('_x').length, 1);
  assert.deepEqual(isValidPortName('http'), []);
  assert.ok(isValidPortName('80').length > 0);
});

test('object metadata errors carry upstream field paths and messages', () => {
  const errs = validateObjectMeta({ name: 'Bad_Name', labels: { ok: 'x y' }, annotations: { big: 'x'.repeat(256 * 1024) } }, { namespaced: true, nameValidator: 'subdomain' });
  const text = errs.map(fieldErrorString);
  assert.match(text[0], /^metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  assert.equal(text[1], 'metadata.namespace: Required value');
  assert.match(text[2], /^metadata\.labels: Invalid value: "x y": a valid label must be an empty string/);
  assert.equal(text[3], 'metadata.annotations: Too long: must have at most 262144 bytes');
  assert.equal(fieldErrorString(validateObjectMeta({}, { namespaced: false, nameValidator: 'label' })[0]), 'metadata.name: Required value: name or generateName is required');
});
