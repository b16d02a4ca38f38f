// Encodes a Swagger 2.0 document as gnostic's `openapi.v2.Document` protobuf message — what
// kubectl asks /openapi/v2 for with Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf.
// Field numbers are those of gnostic's openapiv2/OpenAPIv2.proto. Vendor extensions (x-*) become
// NamedAny entries whose Any carries the value as YAML text, as gnostic's compiler stores them.
import { stringify as toYaml } from 'yaml';
import type { Schema } from '../../api/schema/index.js';
import { ProtoWriter } from './protobuf.js';
import type { SwaggerDocument } from './v2.js';

type Json = Record<string, unknown>;

/** repeated NamedAny vendor_extension: NamedAny { name = 1; Any value = 2 }, Any { yaml = 2 }. */
function vendorExtensions(w: ProtoWriter, field: number, obj: Json): void {
  const entries = Object.entries(obj).filter(([k]) => k.startsWith('x-'));
  w.messages(field, entries, (named, [name, value]) => {
    named.string(1, name).message(2, (any) => any.string(2, toYaml(value)));
  });
}

/** message Schema. */
function schema(w: ProtoWriter, s: Schema): void {
  w.string(1, s.$ref).string(2, s.format).string(4, s.description);
  w.strings(19, s.required);
  if (s.additionalProperties) w.message(21, (item) => item.message(1, (inner) => schema(inner, s.additionalProperties!)));
  if (s.type) w.message(22, (t) => t.strings(1, [s.type!]));
  if (s.items) w.message(23, (items) => items.message(1, (inner) => schema(inner, s.items!)));
  if (s.properties) {
    const props = Object.entries(s.properties);
    w.message(25, (p) => p.messages(1, props, (named, [name, value]) => named.string(1, name).message(2, (inner) => schema(inner, value))));
  }
  vendorExtensions(w, 31, s as Json);
}

/** message ParametersItem { Parameter parameter = 1 }: a body or a non-body (query/path) parameter. */
function parameter(w: ProtoWriter, p: Json): void {
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (body) => {
        body.string(1, p.description as string).string(2, p.name as string).string(3, 'body').bool(4, p.required as boolean);
        body.message(5, (inner) => schema(inner, p.schema as Schema));
      });
      return;
    }
    param.message(2, (nonBody) => {
      if (p.in === 'path') {
        // PathParameterSubSchema: required 1, in 2, description 3, name 4, type 5, unique_items 19.
        nonBody.message(4, (s) => s.bool(1, p.required as boolean).string(2, 'path').string(3, p.description as string)
          .string(4, p.name as string).string(5, p.type as string).bool(19, p.uniqueItems as boolean));
      } else {
        // QueryParameterSubSchema: required 1, in 2, description 3, name 4, type 6, unique_items 20.
        nonBody.message(3, (s) => s.bool(1, p.required as boolean).string(2, 'query').string(3, p.description as string)
          .string(4, p.name as string).string(6, p.type as string).bool(20, p.uniqueItems as boolean));
      }
    });
  });
}

/** message Operation. */
function operation(w: ProtoWriter, op: Json): void {
  w.strings(1, op.tags as string[]).string(3, op.description as string).string(5, op.operationId as string);
  w.strings(6, op.produces as string[]).strings(7, op.consumes as string[]);
  w.messages(8, (op.parameters as Json[] | undefined) ?? [], parameter);
  const responses = Object.entries(op.responses as Record<string, Json>);
  // Responses { repeated NamedResponseValue response_code = 1 }, ResponseValue { Response response = 1 },
  // Response { description = 1; SchemaItem schema = 2 }, SchemaItem { Schema schema = 1 }.
  w.message(9, (r) => r.messages(1, responses, (named, [code, resp]) => {
    named.string(1, code).message(2, (value) => value.message(1, (response) => {
      response.string(1, resp.description as string);
      if (resp.schema) response.message(2, (item) => item.message(1, (inner) => schema(inner, resp.schema as Schema)));
    }));
  }));
  w.strings(10, op.schemes as string[]);
  vendorExtensions(w, 13, op);
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** message PathItem. */
function pathItem(w: ProtoWriter, item: Json): void {
  for (const [method, field] of Object.entries(METHOD_FIELDS)) {
    if (item[method]) w.message(field, (op) => operation(op, item[method] as Json));
  }
  w.messages(9, (item.parameters as Json[] | undefined) ?? [], parameter);
}

/** The whole document as an `openapi.v2.Document` message. */
export function encodeSwagger(doc: SwaggerDocument): Buffer {
  const w = new ProtoWriter();
  w.string(1, doc.swagger);
  w.message(2, (info) => info.string(1, doc.info.title).string(2, doc.info.version));
  w.message(8, (paths) => paths.messages(2, Object.entries(doc.paths), (named, [path, item]) => {
    named.string(1, path).message(2, (p) => pathItem(p, item));
  }));
  w.message(9, (defs) => defs.messages(1, Object.entries(doc.definitions), (named, [name, def]) => {
    named.string(1, name).message(2, (s) => schema(s, def));
  }));
  // SecurityRequirement { repeated NamedStringArray additional_properties = 1 }.
  w.messages(12, doc.security, (req, requirement) => req.messages(1, Object.entries(requirement), (named, [name, scopes]) => {
    named.string(1, name).message(2, (arr) => arr.strings(1, scopes));
  }));
  // SecurityDefinitions { NamedSecurityDefinitionsItem }, item { ApiKeySecurity api_key_security = 2 }.
  w.message(13, (defs) => defs.messages(1, Object.entries(doc.securityDefinitions), (named, [name, sec]) => {
    named.string(1, name).message(2, (item) => item.message(2, (key) => key.string(1, sec.type).string(2, sec.name).string(3, sec.in).string(4, sec.description)));
  }));
  return w.finish();
}
