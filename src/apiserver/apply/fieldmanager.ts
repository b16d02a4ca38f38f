// Managed fields on the write path of one resource, in one place (upstream's FieldManager): what a
// server-side apply makes of the live object, and which fields an ordinary write takes over. The
// Registry calls it on every write; the REST handler only reads the request (applyOptions).
import { badRequest } from '../../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resource.js';
import { patchSchemaFor } from '../../api/schema/patchschema.js';
import type { KubeObject } from '../../api/strategy.js';
import type { PatchSchema } from '../patch/strategic.js';
import { applyConfiguration, trackUpdate } from './managedfields.js';

/** A server-side apply: `manager`'s whole intent for the object (or its status, by subresource). */
export interface ApplyRequest {
  configuration: KubeObject;
  manager: string;
  force: boolean;
  subresource?: string;
}

/** Limit of upstream's fieldManager validation. */
const MAX_MANAGER_LENGTH = 128;

/** `?fieldManager=` (required for an apply) and `?force=true` of an apply request. */
export function applyOptions(query: URLSearchParams): { manager: string; force: boolean } {
  const manager = query.get('fieldManager');
  if (!manager) throw badRequest('PATCH requests of type application/apply-patch+yaml must set the fieldManager query parameter');
  if (manager.length > MAX_MANAGER_LENGTH) throw badRequest(`fieldManager: Too long: may not be more than ${MAX_MANAGER_LENGTH} bytes`);
  return { manager, force: query.get('force') === 'true' };
}

export class FieldManager {
  private readonly schema: PatchSchema | undefined;
  private readonly apiVersion: string;

  constructor(private readonly resource: ResourceInfo) {
    this.schema = patchSchemaFor(resource.group, resource.version, resource.kind);
    this.apiVersion = apiVersionOf(resource);
  }

  /** An apply configuration must name the resource's own apiVersion and kind. */
  checkConfiguration(configuration: KubeObject): void {
    const r = this.resource;
    if (configuration.apiVersion !== this.apiVersion || configuration.kind !== r.kind) {
      throw badRequest(`the apply configuration must set apiVersion ${JSON.stringify(this.apiVersion)} and kind ${JSON.stringify(r.kind)}`);
    }
  }

  /**
   * The object after the apply: `live` with the configuration merged in, or (live undefined) the
   * object to create, named `name` unless the configuration names it (then both must agree).
   * Throws 409 Conflict for fields other managers own, unless forced.
   */
  apply(live: KubeObject | undefined, name: string, request: ApplyRequest): KubeObject {
    const ctx = { schema: this.schema, manager: request.manager, apiVersion: this.apiVersion, subresource: request.subresource, force: request.force };
    if (live) return applyConfiguration(live, request.configuration, ctx);
    const applied = request.configuration;
    const obj = applyConfiguration(undefined, { ...applied, metadata: { ...applied.metadata, name: applied.metadata?.name ?? name } }, ctx);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    return obj;
  }

  /**
   * An ordinary write (PUT, PATCH, a subresource) by `manager` turned `old` into `next`: the fields
   * it changed become its own. Objects that never had managed fields stay untracked.
   */
  update(old: KubeObject, next: KubeObject, manager: string, subresource: string | undefined): void {
    if (!old.metadata.managedFields?.length && !next.metadata.managedFields?.length) return;
    trackUpdate(old, next, { schema: this.schema, manager, apiVersion: this.apiVersion, subresource });
  }
}
