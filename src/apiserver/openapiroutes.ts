// Serves /openapi/v2 (JSON, or protobuf for kubectl 1.27) and /openapi/v3 (root + one document
// per group version), with ETags and 304s so clients can cache them, as upstream does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { ResourceInfo } from '../api/resource.js';
import {
  OPENAPI_V2_PROTOBUF_ACCEPTED, OPENAPI_V2_PROTOBUF_CONTENT_TYPE, openapiV2JsonBytes, openapiV2ProtobufBytes,
  openapiV3DocBytes, openapiV3RootBytes, type ServedDocument,
} from './openapi/index.js';
import { parseAccept } from './negotiation.js';

export class OpenApiRoutes {
  constructor(private readonly resources: readonly ResourceInfo[]) {}

  serve(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
    let doc: ServedDocument | undefined;
    let type = 'application/json';
    if (path === '/openapi/v2') {
      const protobuf = parseAccept(req.headers.accept).some((m) => (OPENAPI_V2_PROTOBUF_ACCEPTED as readonly string[]).includes(m.type));
      if (protobuf) type = OPENAPI_V2_PROTOBUF_CONTENT_TYPE;
      doc = protobuf ? openapiV2ProtobufBytes(this.resources) : openapiV2JsonBytes(this.resources);
    } else if (path === '/openapi/v3') {
      doc = openapiV3RootBytes(this.resources);
    } else if (path.startsWith('/openapi/v3/')) {
      doc = openapiV3DocBytes(this.resources, path.slice('/openapi/v3/'.length));
    }
    if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const headers = { ETag: doc.etag, Vary: 'Accept', 'Cache-Control': query.has('hash') ? 'public, immutable' : 'no-cache, private' };
    if (req.headers['if-none-match'] === doc.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': doc.body.length });
    res.end(doc.body);
  }
}
