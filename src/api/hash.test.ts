import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fnv32a, safeEncode } from './hash.js';

test('FNV-32a and the safe encoding match the reference values', () => {
  assert.equal(fnv32a(Buffer.from('')), 0x811c9dc5);
  assert.equal(fnv32a(Buffer.from('a')), 0xe40c292c);
  assert.equal(fnv32a(Buffer.from('foobar')), 0xbf9cf968);
  assert.equal(fnv32a(Buffer.from('bar'), fnv32a(Buffer.from('foo'))), 0xbf9cf968);
  assert.equal(safeEncode('0123456789'), '456789bcdf');
  assert.equal(safeEncode('0123'), '4567');
});
