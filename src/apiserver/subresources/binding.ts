// pods/binding (v1 Binding), what the scheduler posts: assigns an unassigned pod to a node by
// setting spec.nodeName and the PodScheduled condition, refused for a pod already assigned or
// being deleted (upstream's BindingREST).
import { badRequest, conflict } from '../../api/errors.js';
import type { SubresourceUpdate } from '../../api/strategy.js';
import { metaTime } from '../../api/time.js';
import { parseBody } from '../decode.js';
import { readBody, sendJson } from '../http.js';
import { negotiate, parseDryRun } from '../restio.js';
import type { SubresourceHandler } from './types.js';

interface Binding { target?: { kind?: string; name?: string }; metadata?: { name?: string } }
interface PodCondition { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }

/** The handler changes exactly what it means to (nodeName, the condition): nothing to keep from the old pod. */
const BINDING_UPDATE: SubresourceUpdate = { prepare() {} };

export const bindingHandler: SubresourceHandler = {
  name: 'binding',
  methods: ['POST'],
  async handle({ req, res, info, query, registry }) {
    negotiate(req);
    const dryRun = parseDryRun(query);
    const body = parseBody(await readBody(req), req.headers['content-type'], undefined, { apiVersion: 'v1', kind: 'Binding' }) as Binding;
    const target = body?.target;
    if (!target?.name) throw badRequest('a binding needs target.name');
    if (target.kind && target.kind !== 'Node') throw badRequest(`a binding target must be a Node, not ${JSON.stringify(target.kind)}`);
    if (body.metadata?.name && body.metadata.name !== info.name) throw badRequest(`the name of the binding (${body.metadata.name}) does not match the name on the URL (${info.name})`);
    await registry.guaranteedUpdate(info.namespace, info.name, (pod) => {
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw conflict({ group: '', plural: 'pods/binding' }, info.name, `pod ${info.name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw conflict({ group: '', plural: 'pods/binding' }, info.name, `pod ${info.name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = target.name;
      const status = (pod.status ?? {}) as { conditions?: PodCondition[] };
      status.conditions = (status.conditions ?? []).filter((cnd) => cnd.type !== 'PodScheduled');
      status.conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: metaTime() });
      return pod;
    }, { dryRun, subresource: 'binding', subresourceRules: BINDING_UPDATE });
    sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  },
};
