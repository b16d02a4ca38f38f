// `<object>/scale` (autoscaling/v1 Scale), for the kinds whose strategy reads and writes a replica
// count: GET reads it, PUT and PATCH write spec.replicas as a normal update of the object
// (generation, validation, managed fields), guarded by the Scale's resourceVersion when it has one.
import { ApiError, badRequest, invalid, invalidObject } from '../../api/errors.js';
import { patchSchemaFor } from '../../api/schema/index.js';
import type { KubeObject, ScaleAccessor } from '../../api/strategy.js';
import { parseBody, parseFieldValidation, validateFields } from '../decode.js';
import { readBody } from '../http.js';
import { negotiate, parseDryRun, patchOrStatus, patchTypeOf, sendBody, writeOptions } from '../restio.js';
import type { SubresourceHandler, SubresourceRequest } from './types.js';

type Scale = ReturnType<typeof scaleOf>;

/** The Scale view of an object at revision `rev`: its name, replica counts and selector. */
function scaleOf(scale: ScaleAccessor, obj: KubeObject, rev: number) {
  const s = scale.read(obj);
  const m = obj.metadata;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: String(rev), creationTimestamp: m.creationTimestamp },
    spec: { replicas: s.specReplicas },
    status: { replicas: s.statusReplicas, selector: s.selector },
  };
}

/** The Scale the client wants, from the current one: the PUT body, or the patched current Scale. */
async function requestedScale(ctx: SubresourceRequest, warnings: string[]): Promise<(current: Scale) => unknown> {
  const { req, registry } = ctx;
  const scaleInfo = { ...registry.resource, group: 'autoscaling', version: 'v1', kind: 'Scale' };
  const mode = parseFieldValidation(ctx.query.get('fieldValidation'));
  if (req.method === 'PUT') {
    const body = parseBody(await readBody(req), req.headers['content-type'], undefined, { apiVersion: 'autoscaling/v1', kind: 'Scale' });
    warnings.push(...validateFields(body, scaleInfo, 'Scale', mode));
    return () => body;
  }
  const type = patchTypeOf(req, false);
  const patchBody = parseBody(await readBody(req), 'application/json', ['application/json']);
  return (current) => {
    const patched = patchOrStatus(type, current, patchBody, patchSchemaFor('autoscaling', 'v1', 'Scale'));
    warnings.splice(0, warnings.length, ...validateFields(patched, scaleInfo, 'Scale', mode));
    return patched;
  };
}

export const scaleHandler: SubresourceHandler = {
  name: 'scale',
  methods: ['GET', 'PUT', 'PATCH'],
  async handle(ctx) {
    const { info, registry, req } = ctx;
    const accessor = registry.strategy.scale;
    if (!accessor) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const { yaml } = negotiate(req);
    const dryRun = parseDryRun(ctx.query);
    if (req.method === 'GET') {
      const c = registry.get(info.namespace, info.name);
      return sendBody(ctx.res, 200, scaleOf(accessor, c.obj as KubeObject, c.rev), yaml);
    }
    const warnings: string[] = [];
    const next = await requestedScale(ctx, warnings);
    const c = await registry.guaranteedUpdate(info.namespace, info.name, (obj) => {
      const current = scaleOf(accessor, obj, Number(obj.metadata.resourceVersion));
      const scale = next(current) as { metadata?: { name?: string; resourceVersion?: string }; spec?: { replicas?: unknown } };
      if (scale.metadata?.name && scale.metadata.name !== info.name) {
        throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${info.name})`);
      }
      const replicas = scale.spec?.replicas ?? 0;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalidObject('Scale', 'autoscaling', info.name, [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      }
      // The Scale's resourceVersion, if the client sent one, is the precondition of the update.
      const rv = req.method === 'PUT' ? scale.metadata?.resourceVersion : (scale.metadata?.resourceVersion !== current.metadata.resourceVersion ? scale.metadata?.resourceVersion : undefined);
      if (rv) obj.metadata.resourceVersion = rv;
      else delete obj.metadata.resourceVersion;
      accessor.write(obj, replicas);
      return obj;
    }, { ...writeOptions(req, ctx.query, dryRun), managerSubresource: 'scale' });
    sendBody(ctx.res, 200, scaleOf(accessor, c.obj as KubeObject, c.rev), yaml, warnings);
  },
};
