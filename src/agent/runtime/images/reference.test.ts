import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageReference } from './reference.js';
import { InvalidReferenceError } from './errors.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const normalized = (s: string) => ImageReference.parse(s).toString();

test('short Docker Hub names get docker.io, library/ and :latest', () => {
  assert.equal(normalized('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalized('nginx:1.25-alpine'), 'docker.io/library/nginx:1.25-alpine');
  assert.equal(normalized('user/app:1'), 'docker.io/user/app:1');
  assert.equal(normalized('index.docker.io/library/nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalized('docker.io/nginx'), 'docker.io/library/nginx:latest');
});

test('a first component with a dot, a port or named localhost is the registry', () => {
  const r = ImageReference.parse('127.0.0.1:5000/busybox:1');
  assert.deepEqual([r.domain, r.path, r.tag, r.digest], ['127.0.0.1:5000', 'busybox', '1', undefined]);
  assert.equal(normalized('localhost/x'), 'localhost/x:latest');
  assert.equal(normalized('localhost:5000/a/b/c'), 'localhost:5000/a/b/c:latest');
  assert.equal(normalized('ghcr.io/org/tool:v2'), 'ghcr.io/org/tool:v2');
  assert.equal(normalized('[::1]:5000/x:1'), '[::1]:5000/x:1');
  assert.equal(normalized('team/app'), 'docker.io/team/app:latest', 'a plain first component is a Hub namespace');
});

test('digests: by digest only, and a tag beside a digest is dropped', () => {
  const r = ImageReference.parse(`busybox@${DIGEST}`);
  assert.equal(r.toString(), `docker.io/library/busybox@${DIGEST}`);
  assert.equal(r.tagOrDigest, DIGEST);
  assert.equal(r.tag, undefined);
  assert.equal(normalized(`127.0.0.1:5000/busybox:1@${DIGEST}`), `127.0.0.1:5000/busybox@${DIGEST}`);
  assert.equal(ImageReference.parse('a/b:c').name, 'docker.io/a/b');
});

test('invalid references are rejected with the reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['Nginx', /lowercase/],
    ['docker.io/Library/nginx', /lowercase/],
    ['nginx:', /bad tag/],
    ['nginx:-1', /bad tag/],
    [`nginx:${'a'.repeat(129)}`, /bad tag/],
    ['nginx@sha256:abc', /unsupported digest/],
    ['nginx@latest', /bad digest/],
    [`nginx@sha512:${'a'.repeat(128)}`, /unsupported digest/],
    ['a//b', /bad repository name/],
    ['a/b-', /bad repository name/],
    ['-host.io/x', /bad registry host/],
    ['ex ample', /bad repository name/],
    ['ab'.repeat(32), /image ID/],
    [`reg.io/${'a'.repeat(260)}`, /longer than 255/],
  ];
  for (const [input, why] of cases) {
    assert.throws(() => ImageReference.parse(input), (e: unknown) => {
      assert.ok(e instanceof InvalidReferenceError, `${input}: ${e}`);
      assert.equal(e.reason, 'Invalid');
      assert.match(e.message, why, input);
      return true;
    });
  }
});
