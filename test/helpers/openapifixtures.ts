// Test helpers: a served resource set like the server's, and a tiny protobuf decoder.
import type { ResourceInfo } from '../../src/api/resource.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const sampleResources: ResourceInfo[] = [
  {
    group: '', version: 'v1', kind: 'Pod', listKind: 'PodList', plural: 'pods', singular: 'pod', namespaced: true, verbs: VERBS,
    subresources: [{ name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] }, { name: 'binding', kind: 'Binding', verbs: ['create'] }],
  },
  { group: '', version: 'v1', kind: 'Namespace', listKind: 'NamespaceList', plural: 'namespaces', singular: 'namespace', namespaced: false, verbs: VERBS },
  { group: 'apps', version: 'v1', kind: 'Deployment', listKind: 'DeploymentList', plural: 'deployments', singular: 'deployment', namespaced: true, verbs: VERBS },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', listKind: 'LeaseList', plural: 'leases', singular: 'lease', namespaced: true, verbs: VERBS },
];

export type Field = number | Buffer;

/** Decodes one protobuf message into field number -> values (varints as numbers, bytes as Buffers). */
export function decodeMessage(buf: Buffer): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = buf[pos++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: Field;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = varint();
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else throw new Error(`unexpected wire type ${wire}`);
    if (!fields.has(field)) fields.set(field, []);
    fields.get(field)!.push(value);
  }
  return fields;
}

/** The string values of a field. */
export const strings = (msg: Map<number, Field[]>, field: number): string[] => (msg.get(field) ?? []).map((v) => (v as Buffer).toString('utf8'));

/** The nested messages of a field. */
export const messages = (msg: Map<number, Field[]>, field: number): Array<Map<number, Field[]>> =>
  (msg.get(field) ?? []).map((v) => decodeMessage(v as Buffer));
