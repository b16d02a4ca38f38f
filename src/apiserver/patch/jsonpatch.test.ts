import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch, PatchError } from './jsonpatch.js';

/** Asserts the patch fails with a PatchError whose message matches. */
function rejects(target: unknown, ops: unknown, message: RegExp): void {
  assert.throws(() => jsonPatch(target, ops), (e: unknown) => e instanceof PatchError && message.test(e.message));
}

test('RFC 6902 appendix A: add, remove, replace', () => {
  assert.deepEqual(jsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), { baz: 'qux', foo: 'bar' }); // A.1
  assert.deepEqual(jsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), { foo: ['bar', 'qux', 'baz'] }); // A.2
  assert.deepEqual(jsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), { foo: 'bar' }); // A.3
  assert.deepEqual(jsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), { foo: ['bar', 'baz'] }); // A.4
  assert.deepEqual(jsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), { baz: 'boo', foo: 'bar' }); // A.5
  assert.deepEqual(jsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]), { foo: 'bar', child: { grandchild: {} } }); // A.10
  assert.deepEqual(jsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }]), { foo: 'bar', baz: 'qux' }); // A.11
  rejects({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], /path "\/baz\/bat" does not exist/); // A.12
  assert.deepEqual(jsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]), { foo: ['bar', ['abc', 'def']] }); // A.16
});

test('RFC 6902 appendix A: move', () => {
  const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
  assert.deepEqual(jsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]), { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }); // A.6
  assert.deepEqual(jsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]), { foo: ['all', 'cows', 'eat', 'grass'] }); // A.7
});

test('RFC 6902 appendix A: test, and ~ escapes', () => {
  const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
  assert.deepEqual(jsonPatch(doc, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }]), doc); // A.8
  rejects({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], /test failed/); // A.9
  assert.deepEqual(jsonPatch({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }]), { '/': 9, '~1': 10 }); // A.14
  rejects({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], /test failed/); // A.15
  assert.deepEqual(jsonPatch({ 'a/b': 1 }, [{ op: 'replace', path: '/a~1b', value: 2 }]), { 'a/b': 2 });
});

test('copy duplicates a value without aliasing it', () => {
  const result = jsonPatch({ a: { b: [1] } }, [{ op: 'copy', from: '/a', path: '/c' }, { op: 'add', path: '/c/b/-', value: 2 }]);
  assert.deepEqual(result, { a: { b: [1] }, c: { b: [1, 2] } });
});

test('the empty pointer addresses the whole document', () => {
  assert.deepEqual(jsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: [1] }]), [1]);
  assert.deepEqual(jsonPatch({ a: 1 }, [{ op: 'add', path: '', value: { b: 2 } }]), { b: 2 });
  assert.deepEqual(jsonPatch({ a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }]), { a: 1 });
  rejects({ a: 1 }, [{ op: 'remove', path: '' }], /cannot remove the whole document/);
});

test('a kubectl-style patch edits a pod', () => {
  const pod = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
  const result = jsonPatch(pod, [
    { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
    { op: 'add', path: '/metadata/labels/env', value: 'prod' },
    { op: 'remove', path: '/metadata/labels/app' },
  ]);
  assert.deepEqual(result, { metadata: { labels: { env: 'prod' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } });
});

test('bad operations are rejected with the failing operation named', () => {
  rejects({}, { op: 'add', path: '/a', value: 1 }, /must be a JSON array/);
  rejects({}, ['add'], /operation 0: an operation must be a JSON object/);
  rejects({}, [{ path: '/a' }], /missing "op"/);
  rejects({}, [{ op: 'frobnicate', path: '/a' }], /unknown op "frobnicate"/);
  rejects({}, [{ op: 'add', value: 1 }], /missing or non-string "path"/);
  rejects({}, [{ op: 'add', path: '/a' }], /missing "value"/);
  rejects({ a: 1 }, [{ op: 'move', path: '/b' }], /missing or non-string "from"/);
  rejects({ a: 1 }, [{ op: 'test', path: '/a', value: 1 }, { op: 'remove', path: '/b' }], /operation 1: path "\/b" does not exist/);
  rejects({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }], /path "\/b" does not exist/);
  rejects({ a: 1 }, [{ op: 'test', path: '/b', value: 1 }], /path "\/b" does not exist/);
  rejects({ a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], /cannot move "\/a" into its own child/);
  rejects({ a: 'str' }, [{ op: 'add', path: '/a/b', value: 1 }], /does not exist/);
});

test('array indexes and JSON pointers are validated', () => {
  rejects({ a: [1, 2] }, [{ op: 'add', path: '/a/3', value: 0 }], /index 3 is out of bounds/);
  rejects({ a: [1, 2] }, [{ op: 'remove', path: '/a/2' }], /index 2 is out of bounds/);
  rejects({ a: [1, 2] }, [{ op: 'replace', path: '/a/01', value: 0 }], /invalid array index "01"/);
  rejects({ a: [1, 2] }, [{ op: 'remove', path: '/a/-' }], /invalid array index "-"/);
  rejects({ a: 1 }, [{ op: 'remove', path: 'a' }], /invalid JSON pointer "a"/);
  rejects({ a: 1 }, [{ op: 'remove', path: '/a~2' }], /"~" must be followed by "0" or "1"/);
  rejects({ a: 1 }, [{ op: 'remove', path: '/a~' }], /"~" must be followed by "0" or "1"/);
  assert.deepEqual(jsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/2', value: 3 }]), { a: [1, 2, 3] });
});

test('a failing patch changes nothing, and a good one leaves its inputs alone', () => {
  const target = { a: { b: 1 }, list: [1, 2] };
  const before = structuredClone(target);
  rejects(target, [{ op: 'remove', path: '/a/b' }, { op: 'add', path: '/list/-', value: 3 }, { op: 'test', path: '/a', value: 'x' }], /operation 2: test failed/);
  assert.deepEqual(target, before);

  const value = { deep: [1] };
  const ops = [{ op: 'add', path: '/v', value }, { op: 'remove', path: '/list/0' }];
  const result = jsonPatch(target, ops) as { v: { deep: number[] } };
  assert.deepEqual(target, before);
  result.v.deep.push(2);
  assert.deepEqual(value, { deep: [1] });
});
