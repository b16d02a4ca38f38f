// Schemas of the API's kinds: lookups, request-body checking, strategic-merge-patch metadata, and
// the documented definitions the OpenAPI documents are built from.
export { definitionName, definitions, type GroupVersionKind, type Schema } from './definitions.js';
export { checkObject, type CheckResult } from './check.js';
export { patchSchemaFor, type PatchSchema } from './patchschema.js';
export { documentedDefinitions } from './enrich.js';
