// pods/log, pods/exec, pods/attach and pods/portforward (upstream's LogREST, ExecREST, AttachREST,
// PortForwardREST): checked against the pod, then proxied to its node by ../podstreams.ts. A log is
// a plain GET; the other three take only an upgraded connection (SPDY, WebSocket).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { badRequest } from '../../api/errors.js';
import type { PodStreams } from '../podstreams.js';
import type { SubresourceContext, SubresourceHandler } from './types.js';

const podOf = (ctx: SubresourceContext): Pod => ctx.registry.get(ctx.info.namespace, ctx.info.name).obj as Pod;

function logHandler(streams: PodStreams): SubresourceHandler {
  return {
    name: 'log',
    methods: ['GET'],
    async handle(ctx) {
      const target = streams.target(podOf(ctx), 'log', ctx.query);
      if (!target) {
        // Not on a node yet: upstream answers with an empty log.
        ctx.res.writeHead(200, { 'Content-Type': 'text/plain' });
        ctx.res.end();
        return;
      }
      return streams.proxy(ctx.req, ctx.res, target);
    },
  };
}

function upgradedStreamHandler(streams: PodStreams, name: 'exec' | 'attach' | 'portforward'): SubresourceHandler {
  return {
    name,
    methods: ['GET', 'POST'],
    async handle() {
      throw badRequest('Upgrade request required');
    },
    upgrade(ctx) {
      const target = streams.target(podOf(ctx), name, ctx.query);
      if (!target) throw badRequest(`pod ${ctx.info.name} does not have a host assigned`);
      streams.pipeUpgrade(ctx.req, ctx.socket, ctx.head, target);
    },
  };
}

/** The stream subresources of pods, by name. */
export function podStreamHandlers(streams: PodStreams): Record<string, SubresourceHandler> {
  return {
    log: logHandler(streams),
    exec: upgradedStreamHandler(streams, 'exec'),
    attach: upgradedStreamHandler(streams, 'attach'),
    portforward: upgradedStreamHandler(streams, 'portforward'),
  };
}
