import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAGIC, ProtobufError, protobufDecoder as dec } from './decode.js';
import { formatDuration, formatMicroTime } from './values.js';
import { type Bytes, entry, envelope, fixed64, key, ld, msg, str, varint, vi } from '../../../test/helpers/protobufwriter.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';

// ---- real kubectl 1.33 bodies against what kubectl 1.27 sends as JSON for the same command ----

const kubectl133 = {
  namespace: ['azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDdjMzEgAaACIAKgAyADgAQgASABoCCgAaACIA',
    '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"v33","creationTimestamp":null},"spec":{},"status":{}}'],
  deployment: ['azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErIBCiIKA3dlYhIAGgN2MzMiACoAMgA4AEIAWgoKA2FwcBIDd2ViEn4IAxIMCgoKA2FwcBIDd2ViGmQKHAoAEgAaACIAKgAyADgAQgBaCgoDYXBwEgN3ZWISRBImCgdidXN5Ym94EgdidXN5Ym94KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
    '{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"v33","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"busybox","image":"busybox","resources":{}}]}},"strategy":{}},"status":{}}'],
  deploymentZeroReplicas: ['azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErcBCiQKBHplcm8SABoDdjMzIgAqADIAOABCAFoLCgNhcHASBHplcm8SgAEIABINCgsKA2FwcBIEemVybxplCh0KABIAGgAiACoAMgA4AEIAWgsKA2FwcBIEemVybxJEEiYKB2J1c3lib3gSB2J1c3lib3gqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==',
    '{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"zero","namespace":"v33","creationTimestamp":null,"labels":{"app":"zero"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"zero"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"zero"}},"spec":{"containers":[{"name":"busybox","image":"busybox","resources":{}}]}},"strategy":{}},"status":{}}'],
  job: ['azhzAAoPCghiYXRjaC92MRIDSm9iEnsKFAoBahIAGgN2MzMiACoAMgA4AEIAElkyVwoQCgASABoAIgAqADIAOABCABJDEiAKAWoSB2J1c3lib3gqAEIAagByAIABAIgBAJABAKIBABoFTmV2ZXIyAEIASgBSAFgAYABoAIIBAIoBAJoBAMIBABoIIAAoADAAOgAaACIA',
    '{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j","namespace":"v33","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"j","image":"busybox","resources":{}}],"restartPolicy":"Never"}}},"status":{}}'],
  cronjob: ['azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKdAQoVCgJjahIAGgN2MzMiACoAMgA4AEIAEoEBCgdAaG91cmx5GgAqdAoSCgJjahIAGgAiACoAMgA4AEIAEl4yXAoQCgASABoAIgAqADIAOABCABJIEiEKAmNqEgdidXN5Ym94KgBCAGoAcgCAAQCIAQCQAQCiAQAaCU9uRmFpbHVyZTIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAGgAaACIA',
    '{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"cj","namespace":"v33","creationTimestamp":null},"spec":{"schedule":"@hourly","jobTemplate":{"metadata":{"name":"cj","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"cj","image":"busybox","resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}}'],
  configmap: ['azhzAAoPCgJ2MRIJQ29uZmlnTWFwEh8KFQoCY20SABoDdjMzIgAqADIAOABCABIGCgFhEgFiGgAiAA==',
    '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cm","namespace":"v33","creationTimestamp":null},"data":{"a":"b"}}'],
  secret: ['azhzAAoMCgJ2MRIGU2VjcmV0EiAKFAoBcxIAGgN2MzMiACoAMgA4AEIAEgYKAWESAWIaABoAIgA=',
    '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","namespace":"v33","creationTimestamp":null},"data":{"a":"Yg=="}}'],
  service: ['azhzAAoNCgJ2MRIHU2VydmljZRJpCiIKA3N2YxIAGgN2MzMiACoAMgA4AEIAWgoKA2FwcBIDc3ZjEj8KGAoFODAtODASA1RDUBhQIgYIABBQGgAoABIKCgNhcHASA3N2YxoAIglDbHVzdGVySVA6AEIAUgBaAGAAaAAaAgoAGgAiAA==',
    '{"kind":"Service","apiVersion":"v1","metadata":{"name":"svc","namespace":"v33","creationTimestamp":null,"labels":{"app":"svc"}},"spec":{"ports":[{"name":"80-80","protocol":"TCP","port":80,"targetPort":80}],"selector":{"app":"svc"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}'],
  podDisruptionBudget: ['azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSNgoUCgFwEgAaA3YzMyIAKgAyADgAQgASEgoGCAAQARoAEggKBgoBYRIBYhoKCAAYACAAKAAwABoAIgA=',
    '{"kind":"PodDisruptionBudget","apiVersion":"policy/v1","metadata":{"name":"p","namespace":"v33","creationTimestamp":null},"spec":{"minAvailable":1,"selector":{"matchLabels":{"a":"b"}}},"status":{"disruptionsAllowed":0,"currentHealthy":0,"desiredHealthy":0,"expectedPods":0}}'],
  horizontalPodAutoscaler: ['azhzAAopCg5hdXRvc2NhbGluZy92MRIXSG9yaXpvbnRhbFBvZEF1dG9zY2FsZXISOwoTCgN3ZWISABoAIgAqADIAOABCABIeChoKCkRlcGxveW1lbnQSA3dlYhoHYXBwcy92MRgDGgQYACAAGgAiAA==',
    '{"kind":"HorizontalPodAutoscaler","apiVersion":"autoscaling/v1","metadata":{"name":"web","creationTimestamp":null},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web","apiVersion":"apps/v1"},"maxReplicas":3},"status":{"currentReplicas":0,"desiredReplicas":0}}'],
};

for (const [what, [body, json]] of Object.entries(kubectl133)) {
  test(`kubectl 1.33's protobuf ${what} decodes to the JSON kubectl 1.27 sends`, () => {
    assert.deepStrictEqual(dec.decodeBody(Buffer.from(body, 'base64')), JSON.parse(json));
  });
}

// ---- hand-made vectors ----

test('pointer fields keep their zero (replicas: 0); omitempty non-pointer zeros drop; non-omitempty ones stay', () => {
  const obj = dec.decodeBody(envelope('apps/v1', 'Deployment',
    msg(1, str(1, 'd'), str(2, ''), vi(7, 0)),
    // DeploymentSpec: replicas(1) *int32 = 0, minReadySeconds(5) int32 = 0, paused(7) bool = false.
    msg(2, vi(1, 0), vi(5, 0), vi(7, false), msg(2, entry(1, 'a', str(2, 'b'))))));
  // Absent non-pointer structs (template, strategy, status) are Go's zero values, as JSON writes them.
  assert.deepStrictEqual(obj, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', creationTimestamp: null },
    spec: { replicas: 0, selector: { matchLabels: { a: 'b' } }, template: { metadata: { creationTimestamp: null }, spec: {} }, strategy: {} }, status: {},
  });
});

test('a service port: port 0 is kept (not omitempty), an absent one is Go\'s zero; IntOrString both ways', () => {
  const obj = dec.decodeBody(envelope('v1', 'Service', msg(2,
    msg(1, str(1, 'a'), vi(3, 0), msg(4, vi(1, 1), str(3, 'http'))),
    msg(1, str(1, 'b'), msg(4, vi(1, 0), vi(2, 8080))),
  ))) as { spec: { ports: unknown[] } };
  assert.deepStrictEqual(obj.spec.ports, [{ name: 'a', port: 0, targetPort: 'http' }, { name: 'b', port: 0, targetPort: 8080 }]);
});

test('negative and large int32/int64, packed and unpacked repeated varints', () => {
  const spec = dec.decodeMessage(Buffer.from([
    ...vi(4, -1), // terminationGracePeriodSeconds *int64
    ...vi(5, 2n ** 40n), // activeDeadlineSeconds *int64
    ...vi(25, -5), // priority *int32, ten bytes on the wire
    ...msg(14,
      vi(4, 1), vi(4, -2), // supplementalGroups, unpacked
      ld(4, [...varint(3), ...varint(-4), ...varint(2n ** 33n)]), // and packed, appended
      vi(5, -1000)), // fsGroup *int64
  ]), 'k8s.io.api.core.v1.PodSpec');
  assert.deepStrictEqual(spec, {
    terminationGracePeriodSeconds: -1, activeDeadlineSeconds: 2 ** 40, priority: -5,
    securityContext: { supplementalGroups: [1, -2, 3, -4, 2 ** 33], fsGroup: -1000 },
  });
});

test('an int32 written as a 64-bit two\'s complement keeps its low 32 bits', () => {
  const spec = dec.decodeMessage(Buffer.from(vi(25, 2n ** 32n + 7n)), 'k8s.io.api.core.v1.PodSpec');
  assert.deepStrictEqual(spec, { priority: 7 });
});

test('quantities in maps, an empty quantity, bytes as base64, a __proto__ map key stays data', () => {
  const container = dec.decodeMessage(Buffer.from([
    ...str(1, 'c'),
    ...msg(8, entry(1, 'cpu', msg(2, str(1, '200m'))), entry(1, 'memory', msg(2)), entry(2, 'cpu', msg(2, str(1, '1')))),
  ]), 'k8s.io.api.core.v1.Container');
  assert.deepStrictEqual(container, { name: 'c', resources: { limits: { cpu: '200m', memory: '0' }, requests: { cpu: '1' } } });

  const secret = dec.decodeBody(envelope('v1', 'Secret', msg(1, str(1, 's')),
    entry(2, 'bin', ld(2, [0, 255, 1])), entry(2, '__proto__', ld(2, [104, 105])), entry(2, 'empty', []), str(3, 'Opaque'))) as { data: Record<string, string> };
  assert.deepStrictEqual(Object.keys(secret.data), ['bin', '__proto__', 'empty']);
  assert.equal(secret.data.bin, 'AP8B');
  assert.equal(Object.getOwnPropertyDescriptor(secret.data, '__proto__')?.value, 'aGk=');
  assert.equal(Object.getPrototypeOf(secret.data), Object.prototype);
  assert.equal(secret.data.empty, '');
  assert.equal((secret as Record<string, unknown>).type, 'Opaque');
});

test('Time: RFC 3339 seconds; an empty message is the zero time (null); MicroTime keeps microseconds', () => {
  const meta = dec.decodeMessage(Buffer.from([...msg(8), ...msg(9, vi(1, 1700000000), vi(2, 999))]), `${META}ObjectMeta`);
  assert.deepStrictEqual(meta, { creationTimestamp: null, deletionTimestamp: '2023-11-14T22:13:20Z' });
  // seconds 0 written explicitly is the epoch, not the zero time.
  assert.equal(dec.decodeMessage(Buffer.from(vi(1, 0)), `${META}Time`), '1970-01-01T00:00:00Z');
  assert.equal(dec.decodeMessage(Buffer.from([...vi(1, 1700000000), ...vi(2, 123456789)]), `${META}MicroTime`), '2023-11-14T22:13:20.123456Z');
  assert.equal(dec.decodeMessage(Buffer.from([]), `${META}MicroTime`), null);
  // events.k8s.io/v1 Event: eventTime is a non-pointer MicroTime.
  const ev = dec.decodeBody(envelope('events.k8s.io/v1', 'Event', msg(1, str(1, 'e')), msg(2, vi(1, 1), vi(2, 5000)), str(7, 'Started')));
  assert.deepStrictEqual(ev, {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', creationTimestamp: null }, eventTime: '1970-01-01T00:00:01.000005Z', reason: 'Started',
    // Non-pointer structs Go always writes: empty ones, and zero Times as null.
    regarding: {}, deprecatedSource: {}, deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null,
  });
  assert.throws(() => dec.decodeMessage(Buffer.from(vi(1, 400_000_000_000)), `${META}Time`), ProtobufError);
  assert.equal(formatMicroTime(0, -1000), '1969-12-31T23:59:59.999999Z');
});

test('Duration is written the way Go prints a time.Duration', () => {
  assert.equal(dec.decodeMessage(Buffer.from(vi(1, 90_000_000_000)), `${META}Duration`), '1m30s');
  assert.equal(dec.decodeMessage(Buffer.from([]), `${META}Duration`), '0s');
  assert.equal(formatDuration(3_600_000_000_000n + 500_000_000n), '1h0m0.5s');
  assert.equal(formatDuration(1_500_000n), '1.5ms');
  assert.equal(formatDuration(-2_000n), '-2µs');
  assert.equal(formatDuration(999n), '999ns');
});

test('inline structs are flattened into their parent (Volume + VolumeSource)', () => {
  const spec = dec.decodeMessage(Buffer.from([
    ...msg(1, str(1, 'data'), msg(2, msg(2, str(1, 'Memory')))),
    ...msg(2, str(1, 'c')),
  ]), 'k8s.io.api.core.v1.PodSpec');
  assert.deepStrictEqual(spec, { volumes: [{ name: 'data', emptyDir: { medium: 'Memory' } }], containers: [{ name: 'c', resources: {} }] });
});

test('RawExtension holds JSON (or a nested protobuf object); FieldsV1 too', () => {
  const rev = dec.decodeBody(envelope('apps/v1', 'ControllerRevision', msg(1, str(1, 'r')), msg(2, str(1, '{"spec":{"x":[1,2]}}')), vi(3, 4)));
  assert.deepStrictEqual(rev, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r', creationTimestamp: null }, data: { spec: { x: [1, 2] } }, revision: 4 });
  const nested = dec.decodeMessage(Buffer.from(ld(1, envelope('v1', 'ConfigMap', msg(1, str(1, 'cm'))))), 'k8s.io.apimachinery.pkg.runtime.RawExtension');
  assert.deepStrictEqual(nested, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', creationTimestamp: null } });
  assert.throws(() => dec.decodeMessage(Buffer.from(str(1, '{nope')), 'k8s.io.apimachinery.pkg.runtime.RawExtension'), /does not hold JSON/);
  const mf = dec.decodeMessage(Buffer.from(msg(17, str(1, 'kubectl'), msg(7, str(1, '{"f:data":{}}')))), `${META}ObjectMeta`);
  assert.deepStrictEqual(mf, { creationTimestamp: null, managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': {} } }] });
});

test('unknown field numbers of every wire type are skipped; a repeated singular message merges', () => {
  const body = envelope('v1', 'ConfigMap',
    vi(99, 7), fixed64(98, 1.5), [...key(97, 5), 1, 2, 3, 4], ld(96, [1, 2, 3]), [...key(95, 3), ...vi(1, 1), ...key(95, 4)],
    msg(1, str(1, 'cm'), entry(11, 'a', str(2, '1'))),
    msg(1, entry(11, 'b', str(2, '2')), str(3, 'ns')),
    entry(2, 'k', str(2, 'v')));
  assert.deepStrictEqual(dec.decodeBody(body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns', creationTimestamp: null, labels: { a: '1', b: '2' } }, data: { k: 'v' } });
});

test('the envelope: defaults for a missing kind, errors for no prefix, no body, unknown kinds', () => {
  const noType = envelope('', '', msg(1, str(1, 'x')));
  assert.deepStrictEqual(dec.decodeBody(noType, { apiVersion: 'v1', kind: 'Namespace' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', creationTimestamp: null }, spec: {}, status: {} });
  assert.throws(() => dec.decodeBody(noType), /Kind' is missing/);
  assert.throws(() => dec.decodeBody(Buffer.alloc(0)), /empty data/);
  assert.throws(() => dec.decodeBody(Buffer.from(MAGIC)), /empty body/);
  assert.throws(() => dec.decodeBody(Buffer.from('{"kind":"Pod"}')), /expected prefix \[107 56 115 0\]/);
  assert.throws(() => dec.decodeBody(envelope('v1', 'Gizmo')), /no kind "Gizmo" is registered for version "v1"/);
  // DeleteOptions in any served group version.
  assert.deepStrictEqual(dec.decodeBody(envelope('apps/v1', 'DeleteOptions', vi(1, 0), str(4, 'Foreground'))), { apiVersion: 'apps/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground' });
});

test('wrong wire types, truncation and overlong lengths are ProtobufErrors', () => {
  assert.throws(() => dec.decodeBody(envelope('v1', 'ConfigMap', vi(1, 5))), /wrong wireType = 0 for field metadata/);
  assert.throws(() => dec.decodeBody(envelope('apps/v1', 'Deployment', msg(2, str(1, 'three')))), /wrong wireType = 2 for field replicas/);
  assert.throws(() => dec.decodeBody(Buffer.from([...MAGIC, 0x12, 0x7f, 1, 2])), /unexpected EOF/);
  assert.throws(() => dec.decodeBody(Buffer.from([...MAGIC, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), /negative length/);
  assert.throws(() => dec.decodeBody(Buffer.from([...MAGIC, 0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), /integer overflow/);
  assert.throws(() => dec.decodeBody(Buffer.from([...MAGIC, 0x2f])), /illegal wireType 7/);
  assert.throws(() => dec.decodeMessage(Buffer.from(fixed64(1, Infinity)), 'k8s.io.api.core.v1.Pod'), /wrong wireType = 1/);
});

test('every truncation and every single-byte corruption of a real body fails cleanly or decodes', () => {
  const body = Buffer.from(kubectl133.deployment[0], 'base64');
  const check = (b: Buffer) => {
    try {
      dec.decodeBody(b);
    } catch (e) {
      assert.ok(e instanceof ProtobufError, `${(e as Error).stack}`);
    }
  };
  for (let n = 0; n < body.length; n++) check(body.subarray(0, n));
  for (let i = 0; i < body.length; i++) {
    for (const v of [0x00, 0x07, 0x7f, 0x80, 0xff]) {
      const b = Buffer.from(body);
      b[i] = v;
      check(b);
    }
  }
});

test('deep nesting is refused, not a stack overflow', () => {
  let raw: Bytes = str(1, '{}');
  for (let i = 0; i < 200; i++) raw = ld(1, Buffer.from([...MAGIC, ...msg(1, str(1, 'v1'), str(2, 'ConfigMap')), ...ld(2, msg(1, msg(17, msg(7, raw))))]));
  // ConfigMap.metadata.managedFields[].fieldsV1 holding a protobuf object: nonsense, but bounded.
  assert.throws(() => dec.decodeMessage(Buffer.from(raw), 'k8s.io.apimachinery.pkg.runtime.RawExtension'), ProtobufError);
});
