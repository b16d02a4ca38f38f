// Port forwarding, server side, as the kubelet's streaming server answers it:
//   SPDY/3.1, X-Stream-Protocol-Version portforward.k8s.io (kubectl up to 1.30): for every
//   forwarded connection the client opens an error stream and a data stream, with headers
//   `streamtype`, `port` and `requestid` (pairing them). Many connections share one session.
//   WebSocket "SPDY/3.1+portforward.k8s.io" (kubectl 1.31+): the same SPDY session, its bytes
//   carried in binary WebSocket messages (upstream the API server unwraps it; here we do).
//   WebSocket v4.channel.k8s.io / v4.base64.channel.k8s.io / none (@kubernetes/client-node):
//   ports from the query; per port a data channel 2n and an error channel 2n+1, each starting
//   with the port as 2 bytes little-endian; one connection per port per WebSocket.
// A dial failure goes to the client on that connection's error stream, worded as the kubelet
// words it; the session goes on.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { ChannelConnection, ChannelProtocol, codecFor } from './channel.js';
import { portForwardPorts } from './query.js';
import type { HeaderMap } from './spdy/frames.js';
import { SpdySession, socketTransport, webSocketTransport, type SpdyStream } from './spdy/session.js';
import { acceptSpdy, acceptWebSocket, isSpdyRequest, isWebSocketRequest, negotiate, rejectUpgrade, spdyHandshake, webSocketProtocols } from './upgrade.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
export const WEBSOCKET_PORT_FORWARD_PROTOCOLS = [PORT_FORWARD_TUNNEL_PROTOCOL, ChannelProtocol.V4, ChannelProtocol.V4_BASE64] as const;

export interface PortForwardOptions {
  /** Named in error messages: "error forwarding port P to pod <podName>, uid <uid>: ..." */
  podName?: string;
  uid?: string;
  /** SPDY: how long the second stream of a pair may take to arrive (the kubelet's default: 30 s). */
  streamCreationTimeoutMs?: number;
}

export type Dial = (port: number) => Promise<Duplex>;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Port forwarding: for each data stream the client opens for a port, `dial(port)` gives a Duplex
 * to the target (or rejects: the error text goes to the client on that port's error stream, as
 * the kubelet does). Many concurrent streams per session.
 */
export function servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, dial: Dial, opts: PortForwardOptions = {}): void {
  if (isWebSocketRequest(req)) {
    const offered = webSocketProtocols(req);
    const protocol = offered.length ? negotiate(offered, WEBSOCKET_PORT_FORWARD_PROTOCOLS) : undefined;
    if (offered.length && !protocol) {
      rejectUpgrade(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${WEBSOCKET_PORT_FORWARD_PROTOCOLS.join(' ')}]`);
      return;
    }
    if (protocol === PORT_FORWARD_TUNNEL_PROTOCOL) {
      acceptWebSocket(req, socket, head, protocol, (ws) => {
        serveSpdySession(new SpdySession(webSocketTransport(ws, socket), { role: 'server', accept: validStreamHeaders }), dial, opts);
      });
      return;
    }
    let ports: number[];
    try {
      ports = portForwardPorts(new URL(req.url ?? '/', 'http://localhost'));
    } catch (e) {
      rejectUpgrade(socket, 400, message(e));
      return;
    }
    acceptWebSocket(req, socket, head, protocol, (ws) => serveChannels(ws, socket, protocol, ports, dial, opts));
    return;
  }
  if (isSpdyRequest(req)) {
    const protocol = spdyHandshake(req, socket, [PORT_FORWARD_PROTOCOL]);
    if (!protocol) return;
    acceptSpdy(socket, protocol);
    serveSpdySession(new SpdySession(socketTransport(socket, head), { role: 'server', accept: validStreamHeaders }), dial, opts);
    return;
  }
  rejectUpgrade(socket, 400, 'unable to upgrade: missing upgrade headers in request');
}

/** As the kubelet's stream handler: a port in 1..65535 and a streamtype of data or error, or the stream is reset. */
function validStreamHeaders(h: HeaderMap): boolean {
  const port = h.port?.[0] ?? '';
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) return false;
  const type = h.streamtype?.[0];
  return type === 'data' || type === 'error';
}

interface Pair {
  id: string;
  data?: SpdyStream;
  error?: SpdyStream;
  timer?: NodeJS.Timeout;
}

function forwardingError(port: number, opts: PortForwardOptions, e: unknown): string {
  return `error forwarding port ${port} to pod ${opts.podName ?? ''}, uid ${opts.uid ?? ''}: ${message(e)}`;
}

function serveSpdySession(session: SpdySession, dial: Dial, opts: PortForwardOptions): void {
  const pairs = new Map<string, Pair>();
  const active = new Set<Duplex>();
  session.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    for (const t of active) t.destroy();
  });
  session.on('stream', (s: SpdyStream) => {
    s.on('error', () => {});
    const type = s.header('streamtype')!;
    let id = s.header('requestid');
    if (!id) {
      // Clients older than request ids: error stream N, data stream N+2 (upstream's best effort).
      id = String(type === 'error' ? s.id : s.id - 2);
    }
    let p = pairs.get(id);
    if (!p) {
      const pair: Pair = { id };
      p = pair;
      pairs.set(id, pair);
      pair.timer = setTimeout(() => {
        if (pairs.get(pair.id) !== pair) return;
        pairs.delete(pair.id);
        if (pair.error && !pair.error.destroyed) pair.error.end(`(request=${pair.id}) timed out waiting for streams`);
        pair.data?.reset();
      }, opts.streamCreationTimeoutMs ?? 30_000);
      pair.timer.unref?.();
    }
    const slot = type === 'error' ? 'error' : 'data';
    if (p[slot]) {
      p.error?.write(`error processing stream for request ${id}: ${slot} stream already assigned`);
      s.reset();
      return;
    }
    p[slot] = s;
    if (slot === 'error') s.resume(); // the client writes nothing on it
    if (p.data && p.error) {
      clearTimeout(p.timer);
      pairs.delete(id);
      void forward(p.data, p.error, Number(p.data.header('port')), dial, opts, active);
    }
  });
}

async function forward(data: SpdyStream, error: SpdyStream, port: number, dial: Dial, opts: PortForwardOptions, active: Set<Duplex>): Promise<void> {
  let target: Duplex;
  try {
    target = await dial(port);
  } catch (e) {
    if (!error.destroyed) error.end(forwardingError(port, opts, e));
    if (!data.destroyed) {
      data.resume();
      data.end();
    }
    return;
  }
  if (data.destroyed) {
    target.destroy();
    if (!error.destroyed) error.end();
    return;
  }
  active.add(target);
  target.on('error', () => {});
  // Each direction ends (half-closes) the other side when it ends.
  data.pipe(target);
  target.pipe(data);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    active.delete(target);
    if (!data.destroyed) {
      if (!data.writableEnded) data.end();
      // Whatever the client still sends has nowhere to go: drop it rather than let it pile up
      // (a peer that ignores flow control would otherwise stall the whole session).
      data.unpipe(target);
      data.resume();
    }
    if (!error.destroyed && !error.writableEnded) error.end();
  };
  target.on('close', finish);
  data.on('close', () => {
    target.destroy();
    finish();
  });
}

function serveChannels(ws: WebSocket, socket: Duplex, protocol: string | undefined, ports: number[], dial: Dial, opts: PortForwardOptions): void {
  const conn = new ChannelConnection(ws, socket, codecFor(protocol));
  const targets = new Set<Duplex>();
  conn.on('close', () => {
    for (const t of targets) t.destroy();
  });
  const inputs = ports.map((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    conn.send(2 * i, portBytes);
    conn.send(2 * i + 1, portBytes);
    return conn.readable(2 * i);
  });
  const one = async (port: number, i: number): Promise<void> => {
    const input = inputs[i];
    let target: Duplex;
    try {
      target = await dial(port);
    } catch (e) {
      conn.send(2 * i + 1, Buffer.from(forwardingError(port, opts, e)));
      input.resume();
      return;
    }
    if (conn.closed) {
      target.destroy();
      return;
    }
    targets.add(target);
    target.on('error', () => {});
    input.pipe(target);
    target.pipe(conn.writable(2 * i));
    await new Promise<void>((resolve) => target.once('close', resolve));
    targets.delete(target);
    input.unpipe(target);
    input.resume();
  };
  // As the kubelet: the connection closes when every port's forwarding is over.
  void Promise.all(ports.map(one)).then(() => conn.close());
}
