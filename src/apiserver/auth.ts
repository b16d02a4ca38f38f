// Authentication: a client certificate signed by the cluster CA, or a bearer token from the
// server's token list, or the local unix socket (this process's own components). Anything else is
// anonymous, and anonymous requests get 401.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../api/errors.js';
import { userFromCertSubject } from './pki.js';

export interface User {
  name: string;
  groups: string[];
}

/** Who a component of this process is on the local socket (upstream's loopback client). */
export const LOOPBACK_USER: User = { name: 'system:apiserver', groups: ['system:masters'] };

export class Authenticator {
  private readonly tokens = new Map<string, User>();
  /** Connections of the local unix socket (see ApiServer.listenLocal). */
  private readonly loopback = new WeakSet<object>();
  /** A connection's certificate never changes: read it once per socket (getPeerCertificate is costly). */
  private readonly certUsers = new WeakMap<TLSSocket, User | null>();

  addToken(token: string, user: User): void {
    this.tokens.set(token, user);
  }

  private fromToken(header: string | undefined): User | undefined {
    const m = header?.match(/^Bearer\s+(\S+)$/i);
    if (!m) return undefined;
    const given = Buffer.from(m[1]);
    for (const [token, user] of this.tokens) {
      const want = Buffer.from(token);
      if (want.length === given.length && timingSafeEqual(want, given)) return user;
    }
    return undefined;
  }

  /** Requests on this connection come from this process. */
  trustLoopback(socket: object): void {
    this.loopback.add(socket);
  }

  authenticate(req: IncomingMessage): User {
    if (this.loopback.has(req.socket)) return LOOPBACK_USER;
    const socket = req.socket as TLSSocket;
    let certUser = this.certUsers.get(socket);
    if (certUser === undefined) {
      certUser = (socket.authorized && userFromCertSubject(socket.getPeerCertificate()?.subject as { CN?: string; O?: string })) || null;
      this.certUsers.set(socket, certUser);
    }
    if (certUser) return certUser;
    const user = this.fromToken(req.headers.authorization);
    if (user) return user;
    throw unauthorized();
  }
}
