import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonMergePatch } from './merge.js';

test('RFC 7386 appendix A examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, expected] of cases) {
    assert.deepEqual(jsonMergePatch(target, patch), expected, `${JSON.stringify(target)} + ${JSON.stringify(patch)}`);
  }
});

test('the RFC 7386 section 3 example', () => {
  const target = { title: 'Goodbye!', author: { givenName: 'John', familyName: 'Doe' }, tags: ['example', 'sample'], content: 'This will be unchanged' };
  const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
  assert.deepEqual(jsonMergePatch(target, patch), {
    title: 'Hello!',
    author: { givenName: 'John' },
    tags: ['example'],
    content: 'This will be unchanged',
    phoneNumber: '+01-123-456-7890',
  });
});

test('labels can be added, changed and removed in one patch', () => {
  const pod = { metadata: { name: 'p', labels: { app: 'web', tier: 'fe', old: 'x' } } };
  assert.deepEqual(jsonMergePatch(pod, { metadata: { labels: { env: 'prod', tier: 'be', old: null } } }), {
    metadata: { name: 'p', labels: { app: 'web', tier: 'be', env: 'prod' } },
  });
});

test('inputs are never modified and the result shares nothing with them', () => {
  const target = { a: { b: 1 }, keep: { deep: [1] } };
  const patch = { a: { c: [2] }, d: [{ e: 3 }] };
  const before = structuredClone([target, patch]);
  const result = jsonMergePatch(target, patch) as { a: { c: number[] }; d: unknown[]; keep: { deep: number[] } };
  assert.deepEqual([target, patch], before);
  result.a.c.push(9);
  result.d.push(9);
  result.keep.deep.push(9);
  assert.deepEqual([target, patch], before);
});

test('a "__proto__" member is merged as data', () => {
  const result = jsonMergePatch({}, JSON.parse('{"__proto__":{"x":1}}')) as object;
  assert.equal(Object.getPrototypeOf(result), Object.prototype);
  assert.equal(JSON.stringify(result), '{"__proto__":{"x":1}}');
});
