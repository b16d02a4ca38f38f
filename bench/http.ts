// A lean HTTPS client for load generation: keep-alive connections with the admin certificate, bodies
// counted or kept as text (no JSON decoding unless asked), and watch streams read line by line.
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Target { url: string; dataDir: string }
export interface Reply { status: number; body: string; bytes: number }

export function rawClient(server: Target, maxSockets: number) {
  const pki = (n: string) => readFileSync(join(server.dataDir, 'pki', n), 'utf8');
  const agent = new Agent({ keepAlive: true, ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key'), maxSockets });
  const url = new URL(server.url);
  /** With `discard`, only counts the body's bytes (so a LIST is timed as the server sends it, not as this client decodes it). */
  const call = (method: string, path: string, body?: string, discard = false): Promise<Reply> => new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (body) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    const req = request({ host: url.hostname, port: url.port, path, method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (d: Buffer) => { bytes += d.length; if (!discard) chunks.push(d); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });

  /**
   * Opens a watch and calls `onLine` with each event line as text, and the time it arrived. Resolves
   * once the response headers are in (the watch is established); `close()` ends it.
   */
  const watchLines = (path: string, onLine: (line: string, at: number) => void): Promise<{ close(): void }> => new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, agent, headers: { Accept: 'application/json' } }, (res) => {
      if ((res.statusCode ?? 500) >= 300) { reject(new Error(`watch ${path}: HTTP ${res.statusCode}`)); res.resume(); return; }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        const at = performance.now();
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line) onLine(line, at);
        }
      });
      res.on('error', () => {});
      resolve({ close: () => req.destroy() });
    });
    req.on('error', (e) => reject(e));
    req.end();
  });

  /** `count` POSTs to `path` (or `pathOf(i)`) from `workers` concurrent workers; throws on the first non-201. */
  const createMany = async (path: string, count: number, workers: number, body: (i: number) => string, from = 0, pathOf?: (i: number) => string): Promise<void> => {
    let next = from;
    const end = from + count;
    await Promise.all(Array.from({ length: Math.min(workers, count) }, async () => {
      while (next < end) {
        const i = next++;
        const r = await call('POST', pathOf ? pathOf(i) : path, body(i));
        if (r.status !== 201) throw new Error(`create ${i} failed: ${r.status} ${r.body}`);
      }
    }));
  };

  return { call, watchLines, createMany, agent, url, close: () => agent.destroy() };
}

/** The name of the object in a watch line, when the object's metadata begins with its name (as the benchmarks write them). */
export function nameInLine(line: string): string | undefined {
  const at = line.indexOf('"metadata":{"name":"');
  if (at < 0) return undefined;
  const start = at + 20;
  return line.slice(start, line.indexOf('"', start));
}

/** The type of a watch event line (`{"type":"ADDED",...`). */
export const typeOfLine = (line: string): string => line.slice(9, line.indexOf('"', 9));
