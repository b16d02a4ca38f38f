// pods/eviction (policy/v1 Eviction), what `kubectl drain` posts: the request side of ../eviction.ts,
// which decides against the pod's PodDisruptionBudget and deletes the pod.
import { parseBody } from '../decode.js';
import { evict, type EvictionRequest } from '../eviction.js';
import { readBody, sendJson } from '../http.js';
import { negotiate, parseDryRun } from '../restio.js';
import type { SubresourceHandler } from './types.js';

export const evictionHandler: SubresourceHandler = {
  name: 'eviction',
  methods: ['POST'],
  async handle({ req, res, info, query, registry, registryOf }) {
    negotiate(req);
    const dryRun = parseDryRun(query);
    const body = parseBody(await readBody(req), req.headers['content-type'], undefined, { apiVersion: 'policy/v1', kind: 'Eviction' }) as EvictionRequest;
    await evict(registry, registryOf('policy', 'v1', 'poddisruptionbudgets'), info.namespace!, info.name, body ?? {}, dryRun);
    sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  },
};
