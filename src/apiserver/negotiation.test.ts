import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptsNothingServed, aggregatedDiscoveryVersion, chooseView, parseAccept, wantsYaml } from './negotiation.js';

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

test('protobuf-first clients get JSON when they allow it, and nothing (a 406) when they do not', () => {
  for (const h of ['application/vnd.kubernetes.protobuf, */*', 'application/vnd.kubernetes.protobuf,application/json', 'application/vnd.kubernetes.protobuf;q=1, application/*']) {
    assert.equal(chooseView(parseAccept(h)), 'Object', h);
    assert.equal(acceptsNothingServed(parseAccept(h)), false, h);
  }
  assert.equal(chooseView(parseAccept('application/vnd.kubernetes.protobuf')), undefined);
  assert.equal(acceptsNothingServed(parseAccept('application/vnd.kubernetes.protobuf')), true);
  assert.equal(chooseView(parseAccept('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io')), 'Table');
  assert.equal(wantsYaml(parseAccept('application/vnd.kubernetes.protobuf, application/yaml')), true);
  assert.equal(wantsYaml(parseAccept('application/vnd.kubernetes.protobuf, application/json, application/yaml')), false);
});
