import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registryUrl } from './registryclient.js';

test('loopback and listed insecure registries speak HTTP; Docker Hub and the rest HTTPS', () => {
  assert.equal(registryUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(registryUrl('127.1.2.3'), 'http://127.1.2.3');
  assert.equal(registryUrl('localhost'), 'http://localhost');
  assert.equal(registryUrl('localhost:5000'), 'http://localhost:5000');
  assert.equal(registryUrl('[::1]:5000'), 'http://[::1]:5000');
  assert.equal(registryUrl('docker.io'), 'https://registry-1.docker.io');
  assert.equal(registryUrl('ghcr.io'), 'https://ghcr.io');
  assert.equal(registryUrl('127.0.0.1.example.com'), 'https://127.0.0.1.example.com');
  assert.equal(registryUrl('registry.lan:5000', ['registry.lan:5000']), 'http://registry.lan:5000');
  assert.equal(registryUrl('registry.lan', ['registry.lan:5000']), 'https://registry.lan');
});
