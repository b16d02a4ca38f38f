// A hand-written PatchSchema for a subset of Pod, carrying the patch metadata upstream's OpenAPI
// gives these fields. Test support only: the server uses schemas generated from OpenAPI.
import type { PatchSchema } from '../../src/apiserver/patch/strategic.js';

const primitive: PatchSchema = { type: 'primitive', field: () => undefined };

function object(fields: Record<string, PatchSchema>): PatchSchema {
  return { type: 'object', field: (name) => (Object.hasOwn(fields, name) ? fields[name] : undefined) };
}

function map(values: PatchSchema): PatchSchema {
  return { type: 'map', field: () => values };
}

function list(items: PatchSchema, patchStrategy?: string, patchMergeKey?: string): PatchSchema {
  return { type: 'list', field: () => undefined, items, patchStrategy, patchMergeKey };
}

const strings = map(primitive);

const container = object({
  name: primitive,
  image: primitive,
  args: list(primitive),
  env: list(object({ name: primitive, value: primitive }), 'merge', 'name'),
  ports: list(object({ containerPort: primitive, protocol: primitive, name: primitive }), 'merge', 'containerPort'),
  volumeMounts: list(object({ name: primitive, mountPath: primitive, readOnly: primitive }), 'merge', 'mountPath'),
  resources: object({ limits: strings, requests: strings }),
});

const volume = object({
  name: primitive,
  emptyDir: object({ medium: primitive, sizeLimit: primitive }),
  hostPath: object({ path: primitive, type: primitive }),
  configMap: object({ name: primitive, optional: primitive }),
});

const metadata = object({
  name: primitive,
  namespace: primitive,
  uid: primitive,
  labels: strings,
  annotations: strings,
  finalizers: list(primitive, 'merge'),
  ownerReferences: list(object({ apiVersion: primitive, kind: primitive, name: primitive, uid: primitive, controller: primitive }), 'merge', 'uid'),
});

const spec = object({
  containers: list(container, 'merge', 'name'),
  initContainers: list(container, 'merge', 'name'),
  volumes: list(volume, 'merge,retainKeys', 'name'),
  tolerations: list(object({ key: primitive, operator: primitive, value: primitive, effect: primitive })),
  nodeSelector: strings,
  restartPolicy: primitive,
  securityContext: object({ runAsUser: primitive, runAsNonRoot: primitive }),
});

export const podSchema: PatchSchema = object({
  apiVersion: primitive,
  kind: primitive,
  metadata,
  spec,
  status: object({ phase: primitive }),
});
