// The OpenAPI documents the server serves, built once per resource set:
//   /openapi/v2            openapiV2Json (JSON) and openapiV2Protobuf (gnostic protobuf, for kubectl <= 1.29)
//   /openapi/v3            openapiV3Root: the group versions, each with a hash of its document
//   /openapi/v3/<gv>       openapiV3Doc ('api/v1', 'apis/apps/v1')
// The *Bytes variants give the exact body with its hash and ETag, so a server can answer
// If-None-Match with 304 and mark hashed URLs immutable, as upstream does.
import type { ResourceInfo } from '../../api/resource.js';
import { encodeSwagger } from './gnostic.js';
import { servedGroupVersions } from './operations.js';
import { buildSwagger, type SwaggerDocument } from './v2.js';
import { buildV3Document, contentHash } from './v3.js';

/**
 * Media types of the protobuf v2 document. Clients ask for either; upstream answers with the dotted
 * form, since Go's mime parser (used by kubectl) rejects the '@' one in a Content-Type.
 */
export const OPENAPI_V2_PROTOBUF_ACCEPTED = [
  'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
] as const;
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export interface ServedDocument {
  body: Buffer;
  /** SHA-512 of body, upper-case hex (the `hash` query parameter of v3 URLs). */
  hash: string;
  /** The ETag header value: the hash, quoted. */
  etag: string;
}

export interface OpenApiV3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

const served = (body: Buffer): ServedDocument => {
  const hash = contentHash(body);
  return { body, hash, etag: `"${hash}"` };
};

/** Everything built for one resource set, lazily. */
class Documents {
  private swagger?: SwaggerDocument;
  private v2Json?: ServedDocument;
  private v2Protobuf?: ServedDocument;
  private readonly v3 = new Map<string, { doc: Record<string, unknown>; served: ServedDocument } | undefined>();
  private root?: { doc: OpenApiV3Root; served: ServedDocument };

  constructor(private readonly resources: readonly ResourceInfo[]) {}

  swaggerDocument(): SwaggerDocument {
    return (this.swagger ??= buildSwagger(this.resources));
  }

  v2JsonBytes(): ServedDocument {
    return (this.v2Json ??= served(Buffer.from(JSON.stringify(this.swaggerDocument()))));
  }

  v2ProtobufBytes(): ServedDocument {
    return (this.v2Protobuf ??= served(encodeSwagger(this.swaggerDocument())));
  }

  v3Document(groupVersion: string): { doc: Record<string, unknown>; served: ServedDocument } | undefined {
    if (!this.v3.has(groupVersion)) {
      const doc = servedGroupVersions(this.resources).includes(groupVersion) ? buildV3Document(this.resources, groupVersion) : undefined;
      this.v3.set(groupVersion, doc && { doc, served: served(Buffer.from(JSON.stringify(doc))) });
    }
    return this.v3.get(groupVersion);
  }

  v3Root(): { doc: OpenApiV3Root; served: ServedDocument } {
    if (!this.root) {
      const paths: OpenApiV3Root['paths'] = {};
      for (const gv of servedGroupVersions(this.resources)) {
        const d = this.v3Document(gv);
        if (d) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${d.served.hash}` };
      }
      const doc = { paths };
      this.root = { doc, served: served(Buffer.from(JSON.stringify(doc))) };
    }
    return this.root;
  }
}

const cache = new WeakMap<readonly ResourceInfo[], Documents>();
const documents = (resources: readonly ResourceInfo[]): Documents => {
  let d = cache.get(resources);
  if (!d) cache.set(resources, (d = new Documents(resources)));
  return d;
};

/** The Swagger 2.0 document as an object (serialize with JSON.stringify, or use openapiV2JsonBytes). */
export const openapiV2Json = (resources: readonly ResourceInfo[]): SwaggerDocument => documents(resources).swaggerDocument();
export const openapiV2JsonBytes = (resources: readonly ResourceInfo[]): ServedDocument => documents(resources).v2JsonBytes();
/** The Swagger 2.0 document as gnostic's openapi.v2.Document protobuf. */
export const openapiV2Protobuf = (resources: readonly ResourceInfo[]): Buffer => documents(resources).v2ProtobufBytes().body;
export const openapiV2ProtobufBytes = (resources: readonly ResourceInfo[]): ServedDocument => documents(resources).v2ProtobufBytes();
/** The v3 root; its hashes are those of JSON.stringify(openapiV3Doc(...)), i.e. of openapiV3DocBytes. */
export const openapiV3Root = (resources: readonly ResourceInfo[]): OpenApiV3Root => documents(resources).v3Root().doc;
export const openapiV3RootBytes = (resources: readonly ResourceInfo[]): ServedDocument => documents(resources).v3Root().served;
/** The v3 document of a group version ('api/v1', 'apis/apps/v1'); undefined when not served. */
export const openapiV3Doc = (resources: readonly ResourceInfo[], groupVersion: string): Record<string, unknown> | undefined =>
  documents(resources).v3Document(groupVersion)?.doc;
export const openapiV3DocBytes = (resources: readonly ResourceInfo[], groupVersion: string): ServedDocument | undefined =>
  documents(resources).v3Document(groupVersion)?.served;

export type { SwaggerDocument } from './v2.js';
