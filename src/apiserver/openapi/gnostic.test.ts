import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { ProtoWriter } from './protobuf.js';
import { openapiV2Json, openapiV2Protobuf } from './index.js';
import { decodeMessage, messages, sampleResources, strings, type Field } from '../../../test/helpers/openapifixtures.js';

type Msg = Map<number, Field[]>;

test('the writer encodes varints, strings, bools and nested messages', () => {
  const buf = new ProtoWriter().string(1, 'hi').uint(2, 300).bool(3, true).bool(4, false).string(5, '').message(6, (w) => w.string(1, 'x')).finish();
  assert.deepEqual([...buf], [0x0a, 2, 0x68, 0x69, 0x10, 0xac, 0x02, 0x18, 1, 0x32, 3, 0x0a, 1, 0x78]);
});

/** Finds the named entry (NamedX: name = 1, value = 2) of a repeated field. */
function named(entries: Msg[], name: string): Msg {
  const entry = entries.find((e) => strings(e, 1)[0] === name);
  assert.ok(entry, `no entry named ${name}`);
  return messages(entry, 2)[0];
}

const extension = (msg: Msg, field: number, name: string): unknown => {
  const value = named(messages(msg, field), name); // Any
  return parseYaml(strings(value, 2)[0]);
};

test('the protobuf document decodes back to the JSON document\'s content', () => {
  const json = openapiV2Json(sampleResources);
  const doc = decodeMessage(openapiV2Protobuf(sampleResources));
  assert.deepEqual(strings(doc, 1), ['2.0']);
  assert.deepEqual(strings(messages(doc, 2)[0], 1), ['Kubernetes']);

  // Definitions { repeated NamedSchema additional_properties = 1 }
  const definitions = messages(messages(doc, 9)[0], 1);
  assert.equal(definitions.length, Object.keys(json.definitions).length);
  const pod = named(definitions, 'io.k8s.api.core.v1.Pod');
  assert.ok(strings(pod, 4)[0].startsWith('A Pod is')); // description
  assert.deepEqual(extension(pod, 31, 'x-kubernetes-group-version-kind'), [{ group: '', kind: 'Pod', version: 'v1' }]);
  const podProps = messages(messages(pod, 25)[0], 1);
  assert.deepEqual(strings(named(podProps, 'spec'), 1), ['#/definitions/io.k8s.api.core.v1.PodSpec']); // _ref

  const spec = named(definitions, 'io.k8s.api.core.v1.PodSpec');
  const containers = named(messages(messages(spec, 25)[0], 1), 'containers');
  assert.deepEqual(strings(messages(containers, 22)[0], 1), ['array']); // TypeItem
  assert.deepEqual(strings(messages(messages(containers, 23)[0], 1)[0], 1), ['#/definitions/io.k8s.api.core.v1.Container']); // ItemsItem
  assert.equal(extension(containers, 31, 'x-kubernetes-patch-merge-key'), 'name');
  assert.equal(extension(containers, 31, 'x-kubernetes-patch-strategy'), 'merge');

  // Paths { repeated NamedPathItem path = 2 }; PathItem.patch = 8; Operation.parameters = 8.
  const paths = messages(messages(doc, 8)[0], 2);
  assert.equal(paths.length, Object.keys(json.paths).length);
  const item = named(paths, '/api/v1/namespaces/{namespace}/pods/{name}');
  const patch = messages(item, 8)[0];
  assert.deepEqual(strings(patch, 5), ['patchCoreV1NamespacedPod']);
  assert.deepEqual(extension(patch, 13, 'x-kubernetes-group-version-kind'), { group: '', kind: 'Pod', version: 'v1' });
  // ParametersItem.parameter = 1 -> Parameter.non_body_parameter = 2 -> query_parameter_sub_schema = 3 -> name = 4
  const queryNames = messages(patch, 8)
    .map((p) => messages(p, 1)[0])
    .filter((p) => p.has(2))
    .map((p) => strings(messages(messages(p, 2)[0], 3)[0], 4)[0]);
  assert.ok(queryNames.includes('fieldValidation'), queryNames.join());
  // Path parameters live on the PathItem: PathParameterSubSchema = 4.
  const pathParams = messages(item, 9).map((p) => messages(messages(p, 1)[0], 2)[0]).filter((p) => p.has(4));
  assert.deepEqual(pathParams.map((p) => strings(messages(p, 4)[0], 4)[0]), ['name', 'namespace']);
});
