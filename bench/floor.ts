// The transport floor the API rows are compared with, measured in the same run: a bare Node.js
// HTTPS server (`node dist/bench/floor.js --data-dir D`) with the same server certificate, client
// certificates required and keep-alive, that does no API work at all. It answers
//   POST /create     201 with the request body echoed (the API returns the object it stored)
//   GET  /object     200 with the body last given to PUT /object
//   GET  /list       200 with the bytes last given to PUT /list (the bytes of a real LIST)
//   GET  /watch      a chunked response held open; POST /emit writes one event line to every one
//   GET  /readyz     200 ok
// Whatever the API server takes beyond these numbers is its own work: storage, validation, JSON,
// watch cache, authorization.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { ServerResponse, IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export function floorServer(pkiDir: string): Server {
  const pki = (n: string) => readFileSync(join(pkiDir, n));
  let object: Buffer = Buffer.from('{}');
  let list: Buffer = Buffer.from('{}');
  const watchers = new Set<ServerResponse>();
  const body = (req: IncomingMessage): Promise<Buffer> => new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
  const send = (res: ServerResponse, status: number, b: Buffer) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': b.length });
    res.end(b);
  };
  return createServer({ key: pki('server.key'), cert: pki('server.crt'), ca: pki('ca.crt'), requestCert: true, rejectUnauthorized: false, keepAlive: true }, (req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/readyz' && !(req.socket as unknown as { authorized?: boolean }).authorized) return send(res, 401, Buffer.from('{}'));
      if (req.method === 'POST' && path === '/create') return send(res, 201, await body(req));
      if (req.method === 'PUT' && path === '/object') { object = await body(req); return send(res, 200, Buffer.from('{}')); }
      if (req.method === 'PUT' && path === '/list') { list = await body(req); return send(res, 200, Buffer.from('{}')); }
      if (req.method === 'GET' && path === '/object') return send(res, 200, object);
      if (req.method === 'GET' && path === '/list') return send(res, 200, list);
      if (req.method === 'GET' && path === '/readyz') return send(res, 200, Buffer.from('ok'));
      if (req.method === 'GET' && path === '/watch') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        watchers.add(res);
        res.on('close', () => watchers.delete(res));
        return undefined;
      }
      if (req.method === 'POST' && path === '/emit') {
        const b = await body(req);
        const line = Buffer.concat([Buffer.from('{"type":"ADDED","object":'), b, Buffer.from('}\n')]);
        for (const w of watchers) w.write(line);
        return send(res, 201, b);
      }
      return send(res, 404, Buffer.from('{}'));
    })().catch(() => res.destroy());
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string', default: '0' }, 'bind-address': { type: 'string', default: '127.0.0.1' } } });
  const server = floorServer(join(values['data-dir']!, 'pki'));
  server.listen(Number(values.port), values['bind-address'], () => {
    const a = server.address() as { port: number };
    process.stdout.write(`floor server ready at https://127.0.0.1:${a.port}\n`);
  });
  const stop = () => { server.closeAllConnections(); server.close(() => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
