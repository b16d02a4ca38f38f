import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedDiscoveryVersion, chooseView, parseAccept } from './negotiation.js';

test('kubectl get asks for a Table first', () => {
  const a = parseAccept('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json');
  assert.equal(chooseView(a), 'Table');
});

test('protobuf falls through to JSON; unknown shapes are refused', () => {
  assert.equal(chooseView(parseAccept('application/vnd.kubernetes.protobuf,application/json')), 'Object');
  assert.equal(chooseView(parseAccept('application/json;as=Nope;v=v1;g=meta.k8s.io')), undefined);
  assert.equal(chooseView(parseAccept(undefined)), 'Object');
});

test('aggregated discovery version comes from the first matching media type', () => {
  const a = parseAccept('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json');
  assert.equal(aggregatedDiscoveryVersion(a), 'v2');
  assert.equal(aggregatedDiscoveryVersion(parseAccept('application/json')), undefined);
});
