import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overlayOptions } from './overlay.js';

test('lower dirs top-first, upper and work dirs', () => {
  assert.equal(overlayOptions(['/l/base', '/l/app'], '/c/upper', '/c/work'), 'lowerdir=/l/app:/l/base,upperdir=/c/upper,workdir=/c/work');
});

test('refuses what the kernel would misparse or reject', () => {
  assert.throws(() => overlayOptions([], '/u', '/w'), /at least one image layer/);
  assert.throws(() => overlayOptions(['/l/a:b'], '/u', '/w'), /cannot contain/);
  assert.throws(() => overlayOptions(Array.from({ length: 100 }, (_, i) => `/var/lib/tinykube/images/layers/${'f'.repeat(64)}${i}`), '/u', '/w'), /over the kernel's limit/);
});
