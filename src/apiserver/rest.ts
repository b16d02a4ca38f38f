// The one REST handler every resource goes through: verb dispatch, content negotiation, field
// validation, patching and watch streaming, on top of the generic Registry.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { stringify as yamlStringify } from 'yaml';
import { ApiError, badRequest, conflict, invalid, invalidObject, isNotFound, methodNotAllowed, notAcceptable, unsupportedMediaType } from '../api/errors.js';
import type { ResourceInfo } from '../api/resource.js';
import { apiVersionOf } from '../api/resource.js';
import type { KubeObject } from '../api/strategy.js';
import { patchSchemaFor } from '../api/schema/index.js';
import type { Cached, WatchEventType } from '../storage/watchcache.js';
import { parseBody, parseFieldValidation, validateFields } from './decode.js';
import { readBody, sendJson } from './http.js';
import { chooseView, parseAccept, wantsYaml, type ObjectView } from './negotiation.js';
import { applyPatch, PatchError, UnsupportedPatchError } from './patch/index.js';
import type { ListOptions, Registry, WriteOptions } from './registry.js';
import { applyConfiguration, managerOf } from './apply/managedfields.js';
import { evict, type EvictionRequest } from './eviction.js';
import type { ResourceRequest } from './requestinfo.js';
import { toTable, type IncludeObject } from './tableview.js';
import { metaTime } from '../api/time.js';

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const DEFAULT_WATCH_TIMEOUT_S = 1800;
const BOOKMARK_INTERVAL_MS = 30_000;
/** A watcher this far behind is cut off, as upstream drops watchers that do not keep up. */
const MAX_WATCH_BACKLOG_BYTES = 32 * 1024 * 1024;

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  query: URLSearchParams;
  registry: Registry;
  view: ObjectView;
  yaml: boolean;
  dryRun: boolean;
}

/** Names in a path may not be `.` or `..` or contain `/` or `%` (upstream's IsValidPathSegmentName). */
function checkPathSegment(what: string, value: string | undefined): void {
  if (value === undefined) return;
  const problems = value === '.' || value === '..' ? [`may not be '${value}'`] : ['/', '%'].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
  if (problems.length) throw badRequest(`invalid ${what} ${JSON.stringify(value)}: [${problems.join(', ')}]`);
}

function listOptions(q: URLSearchParams): ListOptions {
  const limit = q.get('limit');
  if (limit !== null && !/^\d+$/.test(limit)) throw badRequest(`invalid limit: ${JSON.stringify(limit)}`);
  return {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit === null ? undefined : Number(limit),
    continue: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  };
}

function parseDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${JSON.stringify(v)}. Valid values are "All".`);
  return values.length > 0;
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw badRequest(`includeObject must be one of None, Metadata, Object; got ${JSON.stringify(v)}`);
  return v;
}

function partialMetadata(c: Cached) {
  const o = c.obj as KubeObject;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** The options of a write: dry run, and the field manager (`?fieldManager=`, else the client's name). */
function writeOptions(ctx: Ctx): WriteOptions {
  return { dryRun: ctx.dryRun, fieldManager: managerOf(ctx.query.get('fieldManager'), ctx.req.headers['user-agent']) };
}

/** `applyPatch`, its failures as the Status upstream answers with: 422 Invalid for a JSON patch, else 400. */
function patchOrStatus(...args: Parameters<typeof applyPatch>): unknown {
  const type = args[0];
  try {
    return applyPatch(...args);
  } catch (e) {
    if (e instanceof UnsupportedPatchError) throw unsupportedMediaType(type);
    if (!(e instanceof PatchError)) throw e;
    throw type === 'application/json-patch+json' ? new ApiError(422, 'Invalid', e.message) : new ApiError(400, 'BadRequest', e.message);
  }
}

export class RestHandler {
  constructor(
    private readonly registryFor: (info: ResourceRequest) => Registry | undefined,
    private readonly userOf: (req: IncomingMessage) => { name: string; groups: string[] },
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    const registry = this.registryFor(info);
    if (!registry) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const r = registry.resource;
    if (info.namespace !== undefined && !r.namespaced) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (info.subresource && !r.subresources?.some((s) => s.name === info.subresource)) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    checkPathSegment('namespace', info.namespace);
    checkPathSegment('resource name', info.name);
    const accept = parseAccept(req.headers.accept);
    const view = chooseView(accept);
    if (!view) throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io');
    const ctx: Ctx = { req, res, info, query, registry, view, yaml: wantsYaml(accept), dryRun: parseDryRun(query) };
    const watch = info.watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
    const sub = info.subresource;
    if (sub === 'scale' && info.name) return this.scale(ctx);
    switch (req.method) {
      case 'GET':
        if (info.name) return this.get(ctx);
        this.requireVerb(r, watch ? 'watch' : 'list');
        return watch ? this.watch(ctx) : this.list(ctx);
      case 'POST':
        if (sub === 'binding') return this.bind(ctx);
        if (sub === 'eviction') return this.evict(ctx);
        if (info.name) throw methodNotAllowed();
        this.requireVerb(r, 'create');
        return this.create(ctx);
      case 'PUT':
        if (!info.name) throw methodNotAllowed();
        this.requireVerb(r, 'update');
        return this.update(ctx);
      case 'PATCH':
        if (!info.name) throw methodNotAllowed();
        this.requireVerb(r, 'patch');
        return this.patch(ctx);
      case 'DELETE':
        if (sub) throw methodNotAllowed();
        this.requireVerb(r, info.name ? 'delete' : 'deletecollection');
        return info.name ? this.delete(ctx) : this.deleteCollection(ctx);
      default:
        throw methodNotAllowed();
    }
  }

  private requireVerb(r: ResourceInfo, verb: string): void {
    if (!r.verbs.includes(verb)) throw methodNotAllowed();
  }

  // ---------- responses ----------

  private sendObject(ctx: Ctx, code: number, c: Cached, warnings: string[] = []): void {
    const headers: Record<string, string> = {};
    if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
    if (ctx.view === 'Table') {
      const table = toTable(ctx.registry.strategy, [c], String(c.rev), includeObject(ctx.query));
      return sendJson(ctx.res, code, table, 'application/json;as=Table;v=v1;g=meta.k8s.io', headers);
    }
    if (ctx.view === 'PartialObjectMetadata') return sendJson(ctx.res, code, partialMetadata(c), 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', headers);
    if (ctx.yaml) return sendJson(ctx.res, code, yamlStringify(c.obj), 'application/yaml', headers);
    sendJson(ctx.res, code, c.json, 'application/json', headers);
  }

  // ---------- reads ----------

  private get(ctx: Ctx): void {
    this.sendObject(ctx, 200, ctx.registry.get(ctx.info.namespace, ctx.info.name!));
  }

  private async list(ctx: Ctx): Promise<void> {
    const { registry, query } = ctx;
    const result = await registry.list(ctx.info.namespace, listOptions(query));
    const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continue) meta.continue = result.continue;
    if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
    if (ctx.view === 'Table') {
      const table = toTable(registry.strategy, result.items, result.resourceVersion, includeObject(query));
      Object.assign(table.metadata, meta);
      return sendJson(ctx.res, 200, table, 'application/json;as=Table;v=v1;g=meta.k8s.io');
    }
    if (ctx.view === 'PartialObjectMetadata' || ctx.view === 'PartialObjectMetadataList') {
      const body = { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: meta, items: result.items.map(partialMetadata) };
      return sendJson(ctx.res, 200, body, 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io');
    }
    const r = registry.resource;
    const head = JSON.stringify({ kind: r.listKind, apiVersion: apiVersionOf(r), metadata: meta });
    if (ctx.yaml) return sendJson(ctx.res, 200, yamlStringify({ ...JSON.parse(head), items: result.items.map((i) => i.obj) }), 'application/yaml');
    // Items are already serialized in the cache: splice them in rather than re-encode.
    sendJson(ctx.res, 200, `${head.slice(0, -1)},"items":[${result.items.map((i) => i.json).join(',')}]}`);
  }

  private async watch(ctx: Ctx): Promise<void> {
    const { res, req, query, registry } = ctx;
    const opts = listOptions(query);
    const timeoutParam = query.get('timeoutSeconds');
    const timeoutS = timeoutParam && /^\d+$/.test(timeoutParam) ? Number(timeoutParam) : DEFAULT_WATCH_TIMEOUT_S;
    const table = ctx.view === 'Table';
    const include = includeObject(query);
    const frame = (type: string, c: Cached): string => {
      if (table) return JSON.stringify({ type, object: toTable(registry.strategy, [c], String(c.rev), include) });
      if (ctx.view === 'PartialObjectMetadata') return JSON.stringify({ type, object: partialMetadata(c) });
      return `{"type":"${type}","object":${c.json}}`;
    };
    let stop: () => void = () => {};
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      stop();
      clearInterval(bookmarks);
      clearTimeout(timer);
      res.end();
    };
    const send = (type: WatchEventType | 'BOOKMARK', c: Cached): void => {
      if (ended) return;
      if (res.writableLength > MAX_WATCH_BACKLOG_BYTES) { res.destroy(); end(); return; }
      res.write(frame(type, c) + '\n');
    };
    res.writeHead(200, { 'Content-Type': table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // Send the headers now: clients wait for them before they consider the watch established.
    res.flushHeaders();
    const timer = setTimeout(end, timeoutS * 1000);
    const bookmarks = setInterval(() => {
      if (query.get('allowWatchBookmarks') !== 'true' || table) return;
      const r = registry.resource;
      res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(registry.cache.revision) } } }) + '\n');
    }, BOOKMARK_INTERVAL_MS);
    req.on('close', end);
    res.on('close', end);
    try {
      stop = await registry.watch(ctx.info.namespace, opts, send);
      if (ended) stop();
    } catch (e) {
      // Headers are gone: report a failed start the way upstream does, as an ERROR event.
      const status = e instanceof ApiError ? e.toStatus() : { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String(e), code: 500 };
      res.write(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
      end();
    }
  }

  // ---------- writes ----------

  private async readObject(ctx: Ctx, kind: string): Promise<{ obj: KubeObject; warnings: string[] }> {
    const r = ctx.registry.resource;
    const body = parseBody(await readBody(ctx.req), ctx.req.headers['content-type'], undefined, { apiVersion: apiVersionOf(r), kind });
    const warnings = validateFields(body, ctx.registry.resource, kind, parseFieldValidation(ctx.query.get('fieldValidation')));
    return { obj: body as KubeObject, warnings };
  }

  private async create(ctx: Ctx): Promise<void> {
    const { obj, warnings } = await this.readObject(ctx, ctx.registry.resource.kind);
    const { review, validate } = ctx.registry.strategy;
    if (review) {
      const r = ctx.registry.resource;
      const errors = validate(obj);
      if (errors.length) throw invalidObject(r.kind, r.group, obj.metadata?.name ?? '', errors);
      return sendJson(ctx.res, 201, review({ ...obj, apiVersion: apiVersionOf(r), kind: r.kind, metadata: obj.metadata ?? {} }, this.userOf(ctx.req)));
    }
    const c = await ctx.registry.create(ctx.info.namespace, obj, { dryRun: ctx.dryRun });
    this.sendObject(ctx, 201, c, warnings);
  }

  private async update(ctx: Ctx): Promise<void> {
    const { info, registry } = ctx;
    const { obj, warnings } = await this.readObject(ctx, registry.resource.kind);
    const c = await registry.update(info.namespace, info.name!, obj, { ...writeOptions(ctx), subresource: info.subresource });
    this.sendObject(ctx, 200, c, warnings);
  }

  private async patch(ctx: Ctx): Promise<void> {
    const { info, registry, req } = ctx;
    const r = registry.resource;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type);
    if (type === 'application/apply-patch+yaml') return this.apply(ctx);
    const patchBody = parseBody(await readBody(req), 'application/json', ['application/json']);
    const mode = parseFieldValidation(ctx.query.get('fieldValidation'));
    let warnings: string[] = [];
    const c = await registry.guaranteedUpdate(info.namespace, info.name!, (current) => {
      const patched = patchOrStatus(type, current, patchBody, patchSchemaFor(r.group, r.version, r.kind));
      warnings = validateFields(patched, r, r.kind, mode);
      return patched as KubeObject;
    }, { ...writeOptions(ctx), subresource: info.subresource });
    this.sendObject(ctx, 200, c, warnings);
  }

  /**
   * Server-side apply (PATCH application/apply-patch+yaml): the body is the manager's whole intent
   * for the object, merged into it (or creating it) by ./apply/managedfields.ts.
   */
  private async apply(ctx: Ctx): Promise<void> {
    const { info, registry, req } = ctx;
    const r = registry.resource;
    const manager = ctx.query.get('fieldManager');
    if (!manager) throw badRequest('PATCH requests of type application/apply-patch+yaml must set the fieldManager query parameter');
    if (manager.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
    const force = ctx.query.get('force') === 'true';
    const body = parseBody(await readBody(req), 'application/yaml', ['application/yaml']);
    const warnings = validateFields(body, r, r.kind, parseFieldValidation(ctx.query.get('fieldValidation')));
    const applied = body as KubeObject;
    if (applied.apiVersion !== apiVersionOf(r) || applied.kind !== r.kind) {
      throw badRequest(`the apply configuration must set apiVersion ${JSON.stringify(apiVersionOf(r))} and kind ${JSON.stringify(r.kind)}`);
    }
    const applyCtx = { schema: patchSchemaFor(r.group, r.version, r.kind), manager, apiVersion: apiVersionOf(r), subresource: info.subresource, force };
    const opts = { dryRun: ctx.dryRun, subresource: info.subresource, applied: true };
    let exists = true;
    try {
      registry.get(info.namespace, info.name!);
    } catch (e) {
      if (!isNotFound(e) || info.subresource) throw e;
      exists = false;
    }
    if (!exists) {
      const obj = applyConfiguration(undefined, { ...applied, metadata: { ...applied.metadata, name: applied.metadata?.name ?? info.name } }, applyCtx);
      if (obj.metadata.name !== info.name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
      return this.sendObject(ctx, 201, await registry.create(info.namespace, obj, opts), warnings);
    }
    const c = await registry.guaranteedUpdate(info.namespace, info.name!, (current) => applyConfiguration(current, applied, applyCtx), opts);
    this.sendObject(ctx, 200, c, warnings);
  }

  // ---------- scale ----------

  /** The autoscaling/v1 Scale view of an object: its name, replica counts and selector. */
  private scaleOf(ctx: Ctx, c: Cached) {
    const obj = c.obj as KubeObject;
    const s = ctx.registry.strategy.scale!.read(obj);
    const m = obj.metadata;
    return {
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: String(c.rev), creationTimestamp: m.creationTimestamp },
      spec: { replicas: s.specReplicas },
      status: { replicas: s.statusReplicas, selector: s.selector },
    };
  }

  /**
   * GET, PUT and PATCH of `<object>/scale`: reads or writes spec.replicas through an autoscaling/v1
   * Scale. A write is a normal update of the object (generation, validation), guarded by the
   * Scale's resourceVersion when it has one.
   */
  private async scale(ctx: Ctx): Promise<void> {
    const { info, registry, req } = ctx;
    if (!registry.strategy.scale) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const send = (code: number, body: unknown) => (ctx.yaml ? sendJson(ctx.res, code, yamlStringify(body), 'application/yaml') : sendJson(ctx.res, code, body));
    const scaleInfo = { ...registry.resource, group: 'autoscaling', version: 'v1', kind: 'Scale' };
    const mode = parseFieldValidation(ctx.query.get('fieldValidation'));
    let next: (current: ReturnType<RestHandler['scaleOf']>) => unknown;
    let warnings: string[] = [];
    switch (req.method) {
      case 'GET':
        return send(200, this.scaleOf(ctx, registry.get(info.namespace, info.name!)));
      case 'PUT': {
        const body = parseBody(await readBody(req), req.headers['content-type'], undefined, { apiVersion: 'autoscaling/v1', kind: 'Scale' });
        warnings = validateFields(body, scaleInfo, 'Scale', mode);
        next = () => body;
        break;
      }
      case 'PATCH': {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (!PATCH_TYPES.includes(type) || type === 'application/apply-patch+yaml') throw unsupportedMediaType(type);
        const patchBody = parseBody(await readBody(req), 'application/json', ['application/json']);
        next = (current) => {
          const patched = patchOrStatus(type, current, patchBody, patchSchemaFor('autoscaling', 'v1', 'Scale'));
          warnings = validateFields(patched, scaleInfo, 'Scale', mode);
          return patched;
        };
        break;
      }
      default:
        throw methodNotAllowed();
    }
    const c = await registry.guaranteedUpdate(info.namespace, info.name!, (obj) => {
      const current = this.scaleOf(ctx, { key: '', rev: Number(obj.metadata.resourceVersion), obj, json: '' });
      const scale = next(current) as { metadata?: { name?: string; resourceVersion?: string }; spec?: { replicas?: unknown } };
      if (scale.metadata?.name && scale.metadata.name !== info.name) {
        throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${info.name})`);
      }
      const replicas = scale.spec?.replicas ?? 0;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalidObject('Scale', 'autoscaling', info.name!, [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      }
      // The Scale's resourceVersion, if the client sent one, is the precondition of the update.
      const rv = req.method === 'PUT' ? scale.metadata?.resourceVersion : (scale.metadata?.resourceVersion !== current.metadata.resourceVersion ? scale.metadata?.resourceVersion : undefined);
      if (rv) obj.metadata.resourceVersion = rv;
      else delete obj.metadata.resourceVersion;
      registry.strategy.scale!.write(obj, replicas);
      return obj;
    }, { ...writeOptions(ctx), managerSubresource: 'scale' });
    if (warnings.length) ctx.res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', '));
    send(200, this.scaleOf(ctx, c));
  }

  private async bind(ctx: Ctx): Promise<void> {
    const { info, registry } = ctx;
    const body = parseBody(await readBody(ctx.req), ctx.req.headers['content-type'], undefined, { apiVersion: 'v1', kind: 'Binding' }) as { target?: { kind?: string; name?: string }; metadata?: { name?: string } };
    const target = body?.target;
    if (!target?.name) throw badRequest('a binding needs target.name');
    if (target.kind && target.kind !== 'Node') throw badRequest(`a binding target must be a Node, not ${JSON.stringify(target.kind)}`);
    if (body.metadata?.name && body.metadata.name !== info.name) throw badRequest(`the name of the binding (${body.metadata.name}) does not match the name on the URL (${info.name})`);
    await registry.guaranteedUpdate(info.namespace, info.name!, (pod) => {
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) throw conflict({ group: '', plural: 'pods/binding' }, info.name!, `pod ${info.name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw conflict({ group: '', plural: 'pods/binding' }, info.name!, `pod ${info.name} is already assigned to node "${spec.nodeName}"`);
      spec.nodeName = target.name;
      const status = (pod.status ?? {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] };
      status.conditions = (status.conditions ?? []).filter((cnd) => cnd.type !== 'PodScheduled');
      status.conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: metaTime() });
      return pod;
    }, { dryRun: ctx.dryRun, subresource: 'binding' });
    sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  private async evict(ctx: Ctx): Promise<void> {
    const { info, registry } = ctx;
    const body = parseBody(await readBody(ctx.req), ctx.req.headers['content-type'], undefined, { apiVersion: 'policy/v1', kind: 'Eviction' }) as EvictionRequest;
    const pdbs = this.registryFor({ ...info, group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', subresource: undefined, name: undefined });
    await evict(registry, pdbs, info.namespace!, info.name!, body ?? {}, ctx.dryRun);
    sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  private async deleteOptions(ctx: Ctx): Promise<DeleteOptions> {
    const raw = await readBody(ctx.req);
    const opts: { -readonly [K in keyof DeleteOptions]: DeleteOptions[K] } = raw.length && raw.toString().trim()
      ? (parseBody(raw, ctx.req.headers['content-type'] || 'application/json', undefined, { apiVersion: apiVersionOf(ctx.registry.resource), kind: 'DeleteOptions' }) as DeleteOptions) ?? {}
      : {};
    if (typeof opts !== 'object' || Array.isArray(opts)) throw badRequest('the body of a delete must be a DeleteOptions object');
    const q = ctx.query;
    const grace = q.get('gracePeriodSeconds');
    if (grace !== null) {
      if (!/^-?\d+$/.test(grace)) throw badRequest(`invalid gracePeriodSeconds: ${JSON.stringify(grace)}`);
      opts.gracePeriodSeconds = Number(grace);
    }
    if (q.get('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy')!;
    if (opts.gracePeriodSeconds !== undefined && (typeof opts.gracePeriodSeconds !== 'number' || opts.gracePeriodSeconds < 0)) {
      if (typeof opts.gracePeriodSeconds !== 'number') throw badRequest('gracePeriodSeconds must be a number');
      opts.gracePeriodSeconds = 0;
    }
    const policies = ['Orphan', 'Background', 'Foreground'];
    if (opts.propagationPolicy !== undefined && !policies.includes(opts.propagationPolicy)) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${JSON.stringify(opts.propagationPolicy)}: supported values: "Foreground", "Background", "Orphan"`);
    }
    if (opts.dryRun?.some((v) => v !== 'All')) throw badRequest('Invalid dryRun value. Valid values are "All".');
    if (opts.dryRun?.length) ctx.dryRun = true;
    return opts;
  }

  private async delete(ctx: Ctx): Promise<void> {
    const { info, registry } = ctx;
    const opts = await this.deleteOptions(ctx);
    const result = await registry.delete(info.namespace, info.name!, opts, { dryRun: ctx.dryRun });
    this.sendObject(ctx, 200, result.object);
  }

  private async deleteCollection(ctx: Ctx): Promise<void> {
    const { info, registry } = ctx;
    const opts = await this.deleteOptions(ctx);
    const items = await registry.deleteCollection(info.namespace, listOptions(ctx.query), opts, { dryRun: ctx.dryRun });
    const r = registry.resource;
    sendJson(ctx.res, 200, `{"kind":"${r.listKind}","apiVersion":"${apiVersionOf(r)}","metadata":{},"items":[${items.map((i) => i.json).join(',')}]}`);
  }
}

