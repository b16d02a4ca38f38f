import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RestClient } from './rest.js';
import { InformerFactory, informerFactory } from './informers.js';
import { R } from './typed.js';

test('one factory per client; informers get typed paths with selectors', () => {
  const client = {} as RestClient;
  assert.equal(informerFactory(client), informerFactory(client));
  const f = new InformerFactory(client);
  // The path is private to the informer; an informer of a namespaced list is built without a request.
  assert.ok(f.informer(R.pods, () => {}, { namespace: 'ns', labelSelector: 'a=b' }));
});

test('one timer runs every resync registration at its own period, until unregistered', async () => {
  const f = new InformerFactory({} as RestClient, 10);
  let fast = 0;
  let slow = 0;
  const stopFast = f.onResync(10, () => { fast++; });
  const stopSlow = f.onResync(60, () => { slow++; });
  await new Promise((r) => setTimeout(r, 150));
  stopFast();
  stopSlow();
  assert.ok(fast >= 5, `fast ran ${fast} times`);
  assert.ok(slow >= 1 && slow < fast, `slow ran ${slow} times`);
  const at = fast;
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(fast, at, 'stopped');
});
