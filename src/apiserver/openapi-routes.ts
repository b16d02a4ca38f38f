// Serves /openapi/v2 (JSON, or protobuf for kubectl 1.27) and /openapi/v3 (root + one document
// per group version), with ETags so clients can cache them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { ResourceInfo } from '../api/resource.js';
import { openapiV2Json, openapiV2Protobuf, openapiV3Doc, openapiV3Root } from './openapi/index.js';
import { parseAccept } from './negotiation.js';

const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** What upstream answers with: '@' is not valid in a Content-Type, and Go's mime parser rejects it. */
const PROTOBUF_V2_RESPONSE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

interface Doc { body: Buffer; type: string; etag: string }

const doc = (body: Buffer | string, type: string): Doc => {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return { body: buf, type, etag: `"${createHash('sha512').update(buf).digest('hex').slice(0, 32).toUpperCase()}"` };
};

export class OpenApiRoutes {
  private readonly cache = new Map<string, Doc | undefined>();

  constructor(private readonly resources: ResourceInfo[]) {}

  private memo(key: string, build: () => Doc | undefined): Doc | undefined {
    if (!this.cache.has(key)) this.cache.set(key, build());
    return this.cache.get(key);
  }

  serve(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const path = url.pathname;
    let d: Doc | undefined;
    if (path === '/openapi/v2') {
      const protobuf = parseAccept(req.headers.accept).some((m) => m.type === PROTOBUF_V2);
      d = protobuf
        ? this.memo('v2pb', () => doc(openapiV2Protobuf(this.resources), PROTOBUF_V2_RESPONSE))
        : this.memo('v2', () => doc(JSON.stringify(openapiV2Json(this.resources)), 'application/json'));
    } else if (path === '/openapi/v3') {
      d = this.memo('v3', () => doc(JSON.stringify(openapiV3Root(this.resources)), 'application/json'));
    } else if (path.startsWith('/openapi/v3/')) {
      const gv = path.slice('/openapi/v3/'.length);
      d = this.memo(`v3:${gv}`, () => {
        const body = openapiV3Doc(this.resources, gv);
        return body === undefined ? undefined : doc(JSON.stringify(body), 'application/json');
      });
    }
    if (!d) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const headers = { ETag: d.etag, Vary: 'Accept', 'Cache-Control': url.searchParams.has('hash') ? 'public, immutable' : 'no-cache, private' };
    if (req.headers['if-none-match'] === d.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': d.type, 'Content-Length': d.body.length });
    res.end(d.body);
  }
}
