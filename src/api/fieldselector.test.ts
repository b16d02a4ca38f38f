import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import { checkFieldsAllowed, parseFieldSelector } from './fieldselector.js';

const pod = { 'metadata.name': 'kubia-1', 'metadata.namespace': 'default', 'status.phase': 'Running', 'spec.nodeName': '' };

test('=, == and != terms, ANDed', () => {
  assert.equal(parseFieldSelector('metadata.name=kubia-1').matches(pod), true);
  assert.equal(parseFieldSelector('metadata.name==kubia-1').matches(pod), true);
  assert.equal(parseFieldSelector('metadata.namespace!=default').matches(pod), false);
  assert.equal(parseFieldSelector('status.phase!=Pending,metadata.namespace=default').matches(pod), true);
  assert.equal(parseFieldSelector('status.phase!=Running,metadata.namespace=default').matches(pod), false);
});

test('a missing field matches as the empty string', () => {
  assert.equal(parseFieldSelector('spec.nodeName=').matches({}), true);
  assert.equal(parseFieldSelector('spec.nodeName!=').matches({}), false);
  assert.equal(parseFieldSelector('spec.nodeName!=node1').matches({}), true);
});

test('requirements come out in sorted term order, == as =', () => {
  const s = parseFieldSelector('status.phase!=Running,metadata.name==a');
  assert.deepEqual(s.requirements, [
    { field: 'metadata.name', operator: '=', value: 'a' },
    { field: 'status.phase', operator: '!=', value: 'Running' },
  ]);
  assert.equal(s.toString(), 'metadata.name=a,status.phase!=Running');
});

test('backslash-escaped backslash, comma and = in values; toString re-escapes them', () => {
  const s = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d');
  assert.deepEqual(s.requirements, [{ field: 'metadata.name', operator: '=', value: 'a,b=c\\d' }]);
  assert.equal(s.matches({ 'metadata.name': 'a,b=c\\d' }), true);
  assert.equal(s.toString(), 'metadata.name=a\\,b\\=c\\\\d');
  assert.equal(parseFieldSelector(s.toString()).requirements[0].value, 'a,b=c\\d');
});

test('empty terms are skipped, and a bare `=` selects everything', () => {
  assert.equal(parseFieldSelector('').empty(), true);
  assert.equal(parseFieldSelector(',').empty(), true);
  assert.equal(parseFieldSelector('=').empty(), true);
  assert.equal(parseFieldSelector('!=').empty(), true);
  assert.deepEqual(parseFieldSelector('a=b,,=').requirements, [{ field: 'a', operator: '=', value: 'b' }]);
  assert.deepEqual(parseFieldSelector('=x').requirements, [{ field: '', operator: '=', value: 'x' }]);
});

test('nothing is trimmed, as upstream', () => {
  assert.deepEqual(parseFieldSelector(' metadata.name = a').requirements, [{ field: ' metadata.name ', operator: '=', value: ' a' }]);
});

test('requiresExactMatch finds a field pinned by =', () => {
  const s = parseFieldSelector('spec.nodeName=node1,status.phase!=Failed');
  assert.equal(s.requiresExactMatch('spec.nodeName'), 'node1');
  assert.equal(s.requiresExactMatch('status.phase'), undefined);
  assert.equal(parseFieldSelector('spec.nodeName=').requiresExactMatch('spec.nodeName'), '');
});

test('malformed field selectors are 400 BadRequest with upstream messages', () => {
  const cases: Array<[string, string]> = [
    ['nofield', "invalid selector: 'nofield'; can't understand 'nofield'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    [' ', "invalid selector: ' '; can't understand ' '"],
    ['a=\\q', 'invalid field selector: invalid escape sequence: \\q'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    // The operator search ignores escapes, so the escaped '=' in the field splits the term.
    ['a\\=b=c', 'invalid field selector: unescaped character in value: 61'],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseFieldSelector(input), (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message === message, input);
  }
});

test('checkFieldsAllowed speaks as the field label conversion upstream would', () => {
  const podFields = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'];
  assert.doesNotThrow(() => checkFieldsAllowed(parseFieldSelector('spec.nodeName=n,metadata.name!=x'), podFields));
  assert.throws(() => checkFieldsAllowed(parseFieldSelector('spec.nodeName=n,foo=bar'), podFields),
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'field label not supported: foo');
  assert.throws(() => checkFieldsAllowed(parseFieldSelector('=x'), podFields), /^Error: field label not supported: $/);
  assert.throws(() => checkFieldsAllowed(parseFieldSelector('foo.bar=baz'), ['metadata.name', 'metadata.namespace']),
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"');
});
