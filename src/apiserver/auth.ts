// Authentication: a client certificate signed by the cluster CA, or a bearer token from the
// server's token list. Anything else is anonymous, and anonymous requests get 401.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../api/errors.js';
import { userFromCertSubject } from './pki.js';

export interface User {
  name: string;
  groups: string[];
}

export class Authenticator {
  private readonly tokens = new Map<string, User>();
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

  authenticate(req: IncomingMessage): User {
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
