import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError } from './errors.js';
import { podSchema } from '../../../test/helpers/podpatchschema.js';
import { strategicMergePatch } from './strategic.js';

function pod() {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'kubia',
      labels: { app: 'kubia', tier: 'web' },
      finalizers: ['example.com/a', 'example.com/b'],
    },
    spec: {
      containers: [
        {
          name: 'kubia',
          image: 'kubia:1',
          env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
        },
        { name: 'sidecar', image: 'envoy:1' },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'k1', operator: 'Exists' }],
      nodeSelector: { disk: 'ssd', zone: 'a' },
    },
  };
}

function patchPod(patch: unknown): ReturnType<typeof pod> {
  return strategicMergePatch(pod(), patch, podSchema) as ReturnType<typeof pod>;
}

/** The pod with `edit` applied to a copy, for stating an expected result. */
function podWith(edit: (p: ReturnType<typeof pod>) => void): ReturnType<typeof pod> {
  const p = pod();
  edit(p);
  return p;
}

function rejects(patch: unknown, message: RegExp): void {
  assert.throws(() => strategicMergePatch(pod(), patch, podSchema), (e: unknown) => e instanceof PatchError && message.test(e.message));
}

test('containers merge by name: untouched fields and containers are kept', () => {
  const result = patchPod({ spec: { containers: [{ name: 'kubia', image: 'kubia:2' }] } });
  assert.deepEqual(result, podWith((p) => { p.spec.containers[0].image = 'kubia:2'; }));
});

test('lists nested in merged elements merge by their own keys', () => {
  const result = patchPod({
    spec: { containers: [{ name: 'kubia', env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }], ports: [{ containerPort: 8080, name: 'http' }] }] },
  });
  assert.deepEqual(result.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }, { name: 'C', value: '3' }]);
  assert.deepEqual(result.spec.containers[0].ports, [{ containerPort: 8080, protocol: 'TCP', name: 'http' }]);
});

test('a container added without $setElementOrder goes first, as upstream places it', () => {
  const result = patchPod({ spec: { containers: [{ name: 'new', image: 'busybox', env: [{ name: 'X', value: null }] }] } });
  assert.deepEqual(result.spec.containers.map((c) => c.name), ['new', 'kubia', 'sidecar']);
  // Nulls in a new element have nothing to delete and are dropped.
  assert.deepEqual(result.spec.containers[0], { name: 'new', image: 'busybox', env: [{ name: 'X' }] });
});

test('the patch order wins for the elements it names; the others keep their place', () => {
  const result = patchPod({ spec: { containers: [{ name: 'sidecar', image: 'envoy:2' }, { name: 'kubia' }] } });
  assert.deepEqual(result.spec.containers.map((c) => c.name), ['sidecar', 'kubia']);
});

test('$patch: delete removes one container', () => {
  const result = patchPod({ spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } });
  assert.deepEqual(result, podWith((p) => { p.spec.containers.splice(1, 1); }));
});

test('$patch: replace in a list replaces the whole list', () => {
  const result = patchPod({ spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x', env: [{ name: 'N', value: null }] }] } });
  assert.deepEqual(result.spec.containers, [{ name: 'only', image: 'x', env: [{ name: 'N' }] }]);
});

test('$patch: replace on a map replaces the map', () => {
  const result = patchPod({ metadata: { labels: { $patch: 'replace', fresh: 'yes' } } });
  assert.deepEqual(result.metadata.labels, { fresh: 'yes' });
});

test('$patch: delete on a map leaves it empty, as upstream does', () => {
  assert.deepEqual(patchPod({ spec: { nodeSelector: { $patch: 'delete' } } }).spec.nodeSelector, {});
});

test('$patch: merge is the default behaviour, stated explicitly', () => {
  const result = patchPod({ metadata: { labels: { $patch: 'merge', env: 'prod' } }, spec: { containers: [{ name: 'kubia', $patch: 'merge', image: 'kubia:2' }] } });
  assert.deepEqual(result, podWith((p) => {
    Object.assign(p.metadata.labels, { env: 'prod' });
    p.spec.containers[0].image = 'kubia:2';
  }));
});

test('null deletes a map key; labels are added, changed and removed together', () => {
  const result = patchPod({ metadata: { labels: { env: 'prod', tier: 'api', app: null } }, spec: { nodeSelector: { zone: null }, volumes: null } });
  assert.deepEqual(result.metadata.labels, { tier: 'api', env: 'prod' });
  assert.deepEqual(result.spec.nodeSelector, { disk: 'ssd' });
  assert.ok(!('volumes' in result.spec));
});

test('kubectl apply: $setElementOrder with a changed container, labels and last-applied annotation', () => {
  const lastApplied = '{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"env":"prod"},"name":"kubia"},"spec":{"containers":[{"image":"x:2","name":"kubia"}]}}';
  const live = {
    metadata: { name: 'kubia', labels: { app: 'kubia' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', other: 'kept' } },
    spec: { containers: [{ name: 'kubia', image: 'x:1', ports: [{ containerPort: 8080, protocol: 'TCP' }], terminationMessagePath: '/dev/termination-log' }], restartPolicy: 'Always' },
  };
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied }, labels: { env: 'prod' } },
    spec: { '$setElementOrder/containers': [{ name: 'kubia' }], containers: [{ name: 'kubia', image: 'x:2' }] },
  };
  assert.deepEqual(strategicMergePatch(live, patch, podSchema), {
    metadata: { name: 'kubia', labels: { app: 'kubia', env: 'prod' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied, other: 'kept' } },
    spec: { containers: [{ name: 'kubia', image: 'x:2', ports: [{ containerPort: 8080, protocol: 'TCP' }], terminationMessagePath: '/dev/termination-log' }], restartPolicy: 'Always' },
  });
});

test('kubectl apply: $setElementOrder orders the named containers; a server-only one stays before its old successor', () => {
  const live = { spec: { containers: [{ name: 'a', image: 'a' }, { name: 'injected', image: 'i' }, { name: 'b', image: 'b' }] } };
  const reorder = { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'c' }, { name: 'a' }], containers: [{ name: 'c', image: 'c' }] } };
  assert.deepEqual((strategicMergePatch(live, reorder, podSchema) as typeof live).spec.containers.map((c) => c.name), ['injected', 'b', 'c', 'a']);
  const insert = { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }, { name: 'b' }], containers: [{ name: 'c', image: 'c' }] } };
  assert.deepEqual((strategicMergePatch(live, insert, podSchema) as typeof live).spec.containers.map((c) => c.name), ['a', 'c', 'injected', 'b']);
});

test('kubectl apply: a removed container is deleted and the rest ordered', () => {
  const live = { spec: { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }] } };
  const patch = { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }], containers: [{ $patch: 'delete', name: 'b' }] } };
  assert.deepEqual(strategicMergePatch(live, patch, podSchema), { spec: { containers: [{ name: 'c', image: 'c' }, { name: 'a', image: 'a' }] } });
});

test('kubectl apply: an element added in place of a deleted one follows the server-only ones, as upstream', () => {
  const live = { spec: { containers: [{ name: 'old' }, { name: 'kept' }, { name: 'injected' }] } };
  const patch = { spec: { '$setElementOrder/containers': [{ name: 'kept' }, { name: 'new' }], containers: [{ name: 'new' }, { name: 'old', $patch: 'delete' }] } };
  const result = strategicMergePatch(live, patch, podSchema) as typeof live;
  assert.deepEqual(result.spec.containers.map((c) => c.name), ['kept', 'injected', 'new']);
});

test('a patch list out of step with its $setElementOrder is rejected', () => {
  rejects(
    { spec: { '$setElementOrder/containers': [{ name: 'kubia' }, { name: 'sidecar' }], containers: [{ name: 'sidecar' }, { name: 'kubia' }] } },
    /spec\.containers: the order of the patch list doesn't match its \$setElementOrder list/,
  );
});

test('finalizers merge as a set, and $deleteFromPrimitiveList removes some', () => {
  assert.deepEqual(patchPod({ metadata: { finalizers: ['example.com/b', 'example.com/c'] } }).metadata.finalizers, ['example.com/a', 'example.com/b', 'example.com/c']);
  assert.deepEqual(patchPod({ metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/a', 'absent'] } }).metadata.finalizers, ['example.com/b']);
  const both = patchPod({ metadata: { '$setElementOrder/finalizers': ['example.com/c', 'example.com/b'], finalizers: ['example.com/c'], '$deleteFromPrimitiveList/finalizers': ['example.com/a'] } });
  assert.deepEqual(both.metadata.finalizers, ['example.com/c', 'example.com/b']);
  // With no list to delete from, nothing is created.
  assert.ok(!('initContainers' in patchPod({ spec: { '$deleteFromPrimitiveList/initContainers': ['x'] } }).spec));
});

test('ownerReferences merge by uid', () => {
  const live = { metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'u1' }] } };
  const result = strategicMergePatch(live, { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { kind: 'Job', name: 'j', uid: 'u2' }] } }, podSchema);
  assert.deepEqual(result, { metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }, { kind: 'Job', name: 'j', uid: 'u2' }] } });
});

test('$retainKeys clears the volume source the patch switches away from', () => {
  const result = patchPod({ spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' }, $retainKeys: ['hostPath', 'name'] }] } });
  assert.deepEqual(result.spec.volumes, [{ name: 'data', hostPath: { path: '/srv' } }]);
  rejects({ spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' }, $retainKeys: ['name'] }] } }, /spec\.volumes\[0\]: field "hostPath" is set by the patch but missing from its \$retainKeys list/);
});

test('lists without a merge strategy are replaced wholesale (tolerations, args)', () => {
  const result = patchPod({ spec: { tolerations: [{ key: 'k2', operator: 'Exists' }], containers: [{ name: 'kubia', args: ['--v=2'] }] } });
  assert.deepEqual(result.spec.tolerations, [{ key: 'k2', operator: 'Exists' }]);
  assert.deepEqual((result.spec.containers[0] as { args?: string[] }).args, ['--v=2']);
});

test('without a schema, maps merge and lists are replaced, as in JSON merge patch', () => {
  const patch = { metadata: { labels: { env: 'prod' } }, spec: { containers: [{ name: 'kubia', image: 'kubia:2' }], extra: { a: null, b: 1 } } };
  const result = strategicMergePatch(pod(), patch, undefined) as ReturnType<typeof pod> & { spec: { extra: unknown } };
  assert.deepEqual(result.metadata.labels, { app: 'kubia', tier: 'web', env: 'prod' });
  assert.deepEqual(result.spec.containers, [{ name: 'kubia', image: 'kubia:2' }]);
  assert.deepEqual(result.spec.extra, { b: 1 });
  // Fields a schema does not know are treated the same way.
  const unknown = patchPod({ spec: { containers: [{ name: 'kubia', futureList: [{ x: 1 }] }], futureMap: { k: 'v' } } }) as unknown as { spec: { futureMap: unknown; containers: { futureList: unknown }[] } };
  assert.deepEqual(unknown.spec.futureMap, { k: 'v' });
  assert.deepEqual(unknown.spec.containers[0].futureList, [{ x: 1 }]);
});

test('inputs are never modified and the result shares nothing with them', () => {
  const original = pod();
  const patch = { spec: { containers: [{ name: 'kubia', image: 'kubia:2' }, { name: 'sidecar', $patch: 'delete' }], volumes: [{ name: 'v2', emptyDir: {} }] } };
  const before = structuredClone([original, patch]);
  const result = strategicMergePatch(original, patch, podSchema) as ReturnType<typeof pod>;
  assert.deepEqual([original, patch], before);
  result.spec.nodeSelector.disk = 'hdd';
  result.spec.tolerations.push({ key: 'z', operator: 'Exists' });
  (result.spec.volumes[0].emptyDir as Record<string, string>).medium = 'Memory';
  assert.deepEqual([original, patch], before);
});

test('invalid patches are rejected with the offending field named', () => {
  rejects([{ op: 'add' }], /must be a JSON object, not a list/);
  rejects({ spec: { containers: [{ image: 'no-name' }] } }, /spec\.containers\[0\]: element has no "name", the merge key of this list/);
  rejects({ spec: { containers: [{ $patch: 'delete' }] } }, /spec\.containers\[0\]: element has no "name"/);
  rejects({ metadata: { labels: { $patch: 'remove' } } }, /metadata\.labels: unknown \$patch directive "remove"/);
  rejects({ spec: { containers: [{ name: 'kubia', $patch: 'bogus' }] } }, /spec\.containers\[0\]: unknown \$patch directive "bogus"/);
  rejects({ spec: { '$setElementOrder/containers': { name: 'kubia' } } }, /spec: "\$setElementOrder\/containers" must be a list, not an object/);
  rejects({ spec: { '$setElementOrder/containers': [{ image: 'x' }] } }, /spec\.containers: \$setElementOrder\[0\]: element has no "name"/);
  rejects({ spec: { $setElementOrder: [] } }, /malformed directive "\$setElementOrder"/);
  rejects({ metadata: { '$deleteFromPrimitiveList/finalizers': 'example.com/a' } }, /must be a list, not a string/);
  rejects({ spec: { volumes: [{ name: 'data', $retainKeys: 'name' }] } }, /\$retainKeys must be a list of field names/);
  rejects({ spec: { containers: { name: 'kubia' } } }, /spec\.containers: expected a list, not an object/);
  rejects({ spec: { nodeSelector: ['ssd'] } }, /spec\.nodeSelector: expected an object, not a list/);
  rejects({ metadata: { finalizers: [{ name: 'x' }] } }, /metadata\.finalizers: a merged list cannot mix objects with other values/);
});
