import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkObject } from './index.js';

const pod = (spec: unknown, metadata: unknown = { name: 'web' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
const checkPod = (obj: unknown) => checkObject('', 'v1', 'Pod', obj);

test('a well-formed pod checks clean', () => {
  const result = checkPod(pod({
    containers: [{
      name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'A', value: 'b' }], resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.5 } },
      livenessProbe: { httpGet: { port: 'http', path: '/' }, periodSeconds: 5 },
    }],
    restartPolicy: 'Always', terminationGracePeriodSeconds: 30, nodeSelector: { disk: 'ssd' },
  }, { name: 'web', labels: { app: 'web' }, creationTimestamp: null, ownerReferences: [] }));
  assert.deepEqual(result, { unknownFields: [], typeErrors: [] });
});

test('unknown fields are reported with the strict decoder\'s paths, in document order', () => {
  const result = checkPod({ ...pod({ containers: [{ name: 'a', foo: 1 }, { name: 'b', ports: [{ containerPort: 1, bar: 2 }] }], baz: true }), extra: {} });
  assert.deepEqual(result.unknownFields, ['spec.containers[0].foo', 'spec.containers[1].ports[0].bar', 'spec.baz', 'extra']);
  assert.deepEqual(result.typeErrors, []);
});

test('type mismatches are worded like encoding/json, naming the innermost struct and the field path', () => {
  assert.deepEqual(checkPod(pod({ containers: 'nginx' })).typeErrors, [
    'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container',
  ]);
  assert.deepEqual(checkPod(pod({ containers: [{ name: 'a', ports: [{ containerPort: '80' }] }] })).typeErrors, [
    'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
  ]);
  assert.deepEqual(checkPod(pod({ containers: [{ name: 'a', env: [{ name: 'N', value: 3 }] }] })).typeErrors, [
    'json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string',
  ]);
  assert.deepEqual(checkPod(pod({ containers: [] }, { name: 'a', labels: { tier: 1 } })).typeErrors, [
    'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
  ]);
  assert.deepEqual(checkPod(pod({ containers: [{ name: 'a', command: 'sleep 1' }] })).typeErrors, [
    'json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string',
  ]);
  assert.deepEqual(checkPod(pod({ containers: [], restartPolicy: 1 })).typeErrors, [
    'json: cannot unmarshal number into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy',
  ]);
  assert.deepEqual(checkPod(pod({ containers: [], activeDeadlineSeconds: 1.5 })).typeErrors, [
    'json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64',
  ]);
  assert.deepEqual(checkPod({ spec: [] }).typeErrors, ['json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec']);
});

test('only the first type error is reported, and nothing inside a mistyped value', () => {
  const result = checkPod(pod({ containers: [{ name: 1, image: 2 }], volumes: 'x' }));
  assert.deepEqual(result.typeErrors, ['json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string']);
  assert.deepEqual(checkPod(pod({ containers: 'x', foo: 1 })).unknownFields, ['spec.foo']);
});

test('IntOrString takes integers and strings; Quantity takes strings and numbers', () => {
  const probe = (port: unknown) => pod({ containers: [{ name: 'a', readinessProbe: { tcpSocket: { port } } }] });
  assert.deepEqual(checkPod(probe(8080)).typeErrors, []);
  assert.deepEqual(checkPod(probe('http')).typeErrors, []);
  assert.deepEqual(checkPod(probe(true)).typeErrors, ['json: cannot unmarshal bool into Go value of type int32']);
  assert.deepEqual(checkPod(probe(1.5)).typeErrors, ['json: cannot unmarshal number 1.5 into Go value of type int32']);

  const limits = (cpu: unknown) => pod({ containers: [{ name: 'a', resources: { limits: { cpu } } }] });
  for (const ok of ['1', '250m', '1.5', '2Gi', '1e3', 2, 0.25]) assert.deepEqual(checkPod(limits(ok)).typeErrors, [], String(ok));
  assert.deepEqual(checkPod(limits('lots')).typeErrors, ["quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]);
  assert.deepEqual(checkPod(limits('1Qi')).typeErrors, ["quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]);
  assert.deepEqual(checkPod(limits('1mi')).typeErrors, ["unable to parse quantity's suffix"]);
  assert.deepEqual(checkPod(pod({ containers: [{ name: 'a', resources: { limits: 'x' } }] })).typeErrors, [
    'json: cannot unmarshal string into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList',
  ]);
});

test('timestamps must be RFC 3339 strings', () => {
  const at = (creationTimestamp: unknown) => checkPod(pod({ containers: [] }, { name: 'a', creationTimestamp })).typeErrors;
  assert.deepEqual(at('2024-05-01T10:00:00Z'), []);
  assert.deepEqual(at('2024-05-01T10:00:00.123+02:00'), []);
  assert.deepEqual(at('2024-13-01T10:00:00Z'), ['parsing time "2024-13-01T10:00:00Z": month out of range']);
  assert.deepEqual(at('yesterday'), ['parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"']);
  assert.deepEqual(at('2024-05-01'), ['parsing time "2024-05-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"']);
  assert.deepEqual(at(5), ['json: cannot unmarshal number into Go value of type string']);
});

test('other kinds and group versions are checked against their own schemas', () => {
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: '3', selector: {}, template: {} } };
  assert.deepEqual(checkObject('apps', 'v1', 'Deployment', deployment).typeErrors, [
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
  ]);
  const lease = { spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' } };
  assert.deepEqual(checkObject('coordination.k8s.io', 'v1', 'Lease', lease), { unknownFields: [], typeErrors: [] });
  assert.deepEqual(checkObject('', 'v1', 'NoSuchKind', { anything: 1 }), { unknownFields: [], typeErrors: [] });
  // Free-form values (managedFields[].fieldsV1) accept anything.
  const managed = pod({ containers: [] }, { name: 'a', managedFields: [{ manager: 'm', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }] });
  assert.deepEqual(checkPod(managed), { unknownFields: [], typeErrors: [] });
});

test('a null string in a map or list decodes to "", as Go stores the zero value', () => {
  const obj = pod({ containers: [{ name: 'a', args: ['x', null] }], nodeSelector: { disk: null } }, { name: 'web', labels: { app: null } });
  assert.deepEqual(checkPod(obj), { unknownFields: [], typeErrors: [] });
  assert.deepEqual(obj.metadata, { name: 'web', labels: { app: '' } });
  assert.deepEqual(obj.spec, { containers: [{ name: 'a', args: ['x', ''] }], nodeSelector: { disk: '' } });
});
