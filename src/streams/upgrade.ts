// The HTTP side of the streaming protocols: which upgrade a request asks for, subprotocol
// negotiation, the 101 answers, and errors on a connection that has no ServerResponse.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/** The headers of an upgrade response that is not 101: text and Status JSON, as the API does. */
export interface StatusJson {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
}

const REASONS: Record<number, [string, string]> = {
  400: ['Bad Request', 'BadRequest'],
  403: ['Forbidden', 'Forbidden'],
  404: ['Not Found', 'NotFound'],
  405: ['Method Not Allowed', 'MethodNotAllowed'],
  500: ['Internal Server Error', 'InternalError'],
};

export function failureStatus(code: number, message: string): StatusJson {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code]?.[1] ?? 'Unknown', code };
}

/** Answers an upgrade request with an error (there is no ServerResponse for it) and closes. */
export function rejectUpgrade(socket: Duplex, code: number, message: string, headers: Record<string, string | string[]> = {}): void {
  const body = JSON.stringify(failureStatus(code, message));
  let head = `HTTP/1.1 ${code} ${REASONS[code]?.[0] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) for (const x of Array.isArray(v) ? v : [v]) head += `${k}: ${x}\r\n`;
  socket.on('error', () => {});
  if (socket.writable) socket.end(`${head}\r\n${body}`);
  const t = setTimeout(() => socket.destroy(), 5000);
  t.unref?.();
  socket.once('close', () => clearTimeout(t));
}

const headerValue = (req: IncomingMessage, name: string): string => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

/** A header's comma-separated values, in order, trimmed, empty ones dropped. */
export function headerList(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== name) continue;
    for (const p of req.rawHeaders[i + 1].split(',')) {
      const t = p.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

/** As upstream's IsWebSocketRequest: `Upgrade: websocket` and a Connection header naming upgrade. */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  return headerValue(req, 'upgrade').toLowerCase() === 'websocket' && /(^|,\s*)upgrade\s*($|,)/.test(headerValue(req, 'connection').toLowerCase());
}

/** As upstream's SPDY response upgrader: Connection names upgrade and Upgrade names SPDY/3.1. */
export function isSpdyRequest(req: IncomingMessage): boolean {
  return headerValue(req, 'connection').toLowerCase().includes('upgrade') && headerValue(req, 'upgrade').toLowerCase().includes('spdy/3.1');
}

/** The first protocol the client offers that the server supports (client preference wins, as upstream). */
export function negotiate(client: readonly string[], server: readonly string[]): string | undefined {
  return client.find((p) => server.includes(p));
}

export const X_STREAM_PROTOCOL_VERSION = 'x-stream-protocol-version';

/**
 * SPDY: negotiates X-Stream-Protocol-Version as upstream's httpstream.Handshake does. Answers
 * the error itself (400 when the client names none, 403 with X-Accepted-Stream-Protocol-Versions
 * when none matches) and returns undefined then.
 */
export function spdyHandshake(req: IncomingMessage, socket: Duplex, server: readonly string[]): string | undefined {
  const client = headerList(req, X_STREAM_PROTOCOL_VERSION);
  if (client.length === 0) {
    rejectUpgrade(socket, 400, 'unable to upgrade: X-Stream-Protocol-Version is required');
    return undefined;
  }
  const chosen = negotiate(client, server);
  if (!chosen) {
    rejectUpgrade(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${client.join(' ')}], server accepts [${server.join(' ')}]`, {
      'X-Accepted-Stream-Protocol-Versions': [...server],
    });
    return undefined;
  }
  return chosen;
}

/** Completes a SPDY/3.1 upgrade: from here on the socket carries SPDY frames. */
export function acceptSpdy(socket: Duplex, protocol: string): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  (socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
}

// One WebSocketServer for every upgrade. ws parses Sec-WebSocket-Protocol as a list of RFC 7230
// tokens, and "SPDY/3.1+portforward.k8s.io" (kubectl 1.31+ port-forward) is no token ('/'): ws
// would refuse the handshake with 400. So the header is negotiated here, removed from the request
// before ws sees it, and the chosen protocol added to ws's response headers.
const chosenProtocol = new WeakMap<IncomingMessage, string>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 64 * 1024 * 1024 });
wss.on('headers', (headers: string[], req: IncomingMessage) => {
  const p = chosenProtocol.get(req);
  if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
});

/** The subprotocols a WebSocket client offers, in its order. */
export const webSocketProtocols = (req: IncomingMessage): string[] => headerList(req, 'sec-websocket-protocol');

/** Completes a WebSocket upgrade with `protocol` (none when undefined); ws answers malformed handshakes with 400. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string | undefined, cb: (ws: WebSocket) => void): void {
  delete req.headers['sec-websocket-protocol'];
  if (protocol) chosenProtocol.set(req, protocol);
  (socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  wss.handleUpgrade(req, socket, head, (ws) => cb(ws));
}
