import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, quantityError, quantityMilliValue, quantityValue } from './quantity.js';

test('cpu quantities in millicores', () => {
  assert.equal(quantityMilliValue('100m'), 100);
  assert.equal(quantityMilliValue('1.5'), 1500);
  assert.equal(quantityMilliValue('2'), 2000);
  assert.equal(quantityMilliValue(0.25), 250);
  assert.equal(quantityMilliValue('2e3'), 2_000_000);
  assert.equal(quantityMilliValue('.5'), 500);
  // Upstream rounds up: 1.0001 cores is 1001 millicores, 1n cpu is 1 millicore.
  assert.equal(quantityMilliValue('1.0001'), 1001);
  assert.equal(quantityMilliValue('1n'), 1);
});

test('memory quantities in bytes, binary and decimal suffixes', () => {
  assert.equal(quantityValue('64Mi'), 64 * 1024 * 1024);
  assert.equal(quantityValue('1G'), 1e9);
  assert.equal(quantityValue('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(quantityValue('128974848'), 128974848);
  assert.equal(quantityValue('129e6'), 129e6);
  assert.equal(quantityValue('123k'), 123_000);
  assert.equal(quantityValue('1E-3'), 1);
  assert.equal(quantityValue('500m'), 1);
  assert.equal(quantityValue(110), 110);
});

test('missing or malformed quantities count as zero', () => {
  assert.equal(quantityValue(undefined), 0);
  assert.equal(quantityValue('abc'), 0);
  assert.equal(quantityValue('1Qi'), 0);
  assert.equal(quantityMilliValue('.'), 0);
  assert.equal(quantityMilliValue(''), 0);
});

test('parseQuantity tells a malformed quantity apart from zero', () => {
  assert.equal(parseQuantity('0'), 0);
  assert.equal(parseQuantity('64Mi'), 64 * 2 ** 20);
  assert.equal(parseQuantity('250m', 3), 250);
  assert.equal(parseQuantity('1mi'), undefined);
  assert.equal(parseQuantity('abc'), undefined);
  assert.equal(parseQuantity('.'), undefined);
});

test('quantityError gives the decoder messages', () => {
  assert.equal(quantityError('250m'), undefined);
  assert.equal(quantityError(2), undefined);
  assert.equal(quantityError('1e3'), undefined);
  assert.equal(quantityError('1mi'), "unable to parse quantity's suffix");
  assert.equal(quantityError('.Gi'), 'unable to parse numeric part of quantity');
  assert.match(quantityError('1 Gi') ?? '', /must match the regular expression/);
  assert.match(quantityError(true) ?? '', /must match the regular expression/);
});
