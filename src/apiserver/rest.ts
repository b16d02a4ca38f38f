// The verbs every stored resource is served through (get, list, watch, create, update, patch,
// delete, deletecollection): content negotiation, field validation, patching and watch streaming
// on top of the generic Registry. `<object>/<subresource>` goes to its handler (./subresources/).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { stringify as yamlStringify } from 'yaml';
import { ApiError, badRequest, invalidObject, methodNotAllowed } from '../api/errors.js';
import type { ResourceInfo } from '../api/resource.js';
import { apiVersionOf } from '../api/resource.js';
import type { KubeObject } from '../api/strategy.js';
import { patchSchemaFor } from '../api/schema/index.js';
import type { Cached, WatchEventType } from '../storage/watchcache.js';
import { applyOptions } from './apply/fieldmanager.js';
import type { User } from './auth.js';
import { parseBody, parseFieldValidation, validateFields } from './decode.js';
import { readBody, sendJson } from './http.js';
import type { ListOptions, Registry } from './registry.js';
import type { ResourceRequest } from './requestinfo.js';
import {
  APPLY_PATCH_TYPE, includeObject, negotiate, parseDryRun, partialMetadata, patchOrStatus, patchTypeOf, sendObject, writeOptions, type Negotiated,
} from './restio.js';
import { resourceKey, type SubresourceContext, type SubresourceHandler, type SubresourceTable } from './subresources/types.js';
import { toTable } from './tableview.js';

const DEFAULT_WATCH_TIMEOUT_S = 1800;
const BOOKMARK_INTERVAL_MS = 30_000;
/** A watcher this far behind is cut off, as upstream drops watchers that do not keep up. */
const MAX_WATCH_BACKLOG_BYTES = 32 * 1024 * 1024;

interface Ctx extends Negotiated {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  query: URLSearchParams;
  registry: Registry;
  dryRun: boolean;
}

const notServed = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource');

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

export class RestHandler {
  constructor(
    private readonly registryFor: (info: { group: string; version: string; resource: string }) => Registry | undefined,
    private readonly userOf: (req: IncomingMessage) => User,
    private readonly subresources: SubresourceTable,
  ) {}

  /**
   * The parent registry and the subresource handler of a request, after the checks every request
   * passes: a served resource, a namespace only for namespaced ones, a declared subresource (404
   * otherwise), valid path segments. `handler` is undefined for the verbs and generic subresources.
   */
  private resolve(info: ResourceRequest): { registry: Registry; handler?: SubresourceHandler } {
    const registry = this.registryFor(info);
    if (!registry) throw notServed();
    const r = registry.resource;
    if (info.namespace !== undefined && !r.namespaced) throw notServed();
    if (info.subresource && !r.subresources?.some((s) => s.name === info.subresource)) throw notServed();
    checkPathSegment('namespace', info.namespace);
    checkPathSegment('resource name', info.name);
    const handler = info.subresource ? this.subresources.get(resourceKey(r))?.[info.subresource] : undefined;
    return { registry, handler };
  }

  private subresourceContext(req: IncomingMessage, info: ResourceRequest, query: URLSearchParams, registry: Registry): SubresourceContext {
    return {
      req, query, registry, user: this.userOf(req),
      info: info as SubresourceContext['info'],
      registryOf: (group, version, resource) => this.registryFor({ group, version, resource }),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    const { registry, handler } = this.resolve(info);
    if (handler) {
      if (!handler.methods.includes(req.method ?? '')) throw methodNotAllowed();
      return handler.handle({ ...this.subresourceContext(req, info, query, registry), res });
    }
    const r = registry.resource;
    const ctx: Ctx = { req, res, info, query, registry, ...negotiate(req), dryRun: parseDryRun(query) };
    const watch = info.watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
    switch (req.method) {
      case 'GET':
        if (info.name) return this.get(ctx);
        this.requireVerb(r, watch ? 'watch' : 'list');
        return watch ? this.watch(ctx) : this.list(ctx);
      case 'POST':
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
        if (info.subresource) throw methodNotAllowed();
        this.requireVerb(r, info.name ? 'delete' : 'deletecollection');
        return info.name ? this.delete(ctx) : this.deleteCollection(ctx);
      default:
        throw methodNotAllowed();
    }
  }

  /** An upgrade request (SPDY, WebSocket): for the subresource handlers that take one, refused otherwise. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, info: ResourceRequest, query: URLSearchParams): void {
    let resolved: ReturnType<RestHandler['resolve']> | undefined;
    try {
      resolved = this.resolve(info);
    } catch {
      // Whatever is wrong with it, a path that names no stream does not take an upgrade.
    }
    if (!resolved?.handler?.upgrade) throw badRequest('this resource does not take an upgrade');
    resolved.handler.upgrade({ ...this.subresourceContext(req, info, query, resolved.registry), socket, head });
  }

  private requireVerb(r: ResourceInfo, verb: string): void {
    if (!r.verbs.includes(verb)) throw methodNotAllowed();
  }

  private sendObject(ctx: Ctx, code: number, c: Cached, warnings: string[] = []): void {
    sendObject(ctx.res, { ...ctx, strategy: ctx.registry.strategy }, code, c, warnings);
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
    const c = await registry.update(info.namespace, info.name!, obj, { ...writeOptions(ctx.req, ctx.query, ctx.dryRun), subresource: info.subresource });
    this.sendObject(ctx, 200, c, warnings);
  }

  private async patch(ctx: Ctx): Promise<void> {
    const { info, registry, req } = ctx;
    const r = registry.resource;
    const type = patchTypeOf(req);
    if (type === APPLY_PATCH_TYPE) return this.apply(ctx);
    const patchBody = parseBody(await readBody(req), 'application/json', ['application/json']);
    const mode = parseFieldValidation(ctx.query.get('fieldValidation'));
    let warnings: string[] = [];
    const c = await registry.guaranteedUpdate(info.namespace, info.name!, (current) => {
      const patched = patchOrStatus(type, current, patchBody, patchSchemaFor(r.group, r.version, r.kind));
      warnings = validateFields(patched, r, r.kind, mode);
      return patched as KubeObject;
    }, { ...writeOptions(req, ctx.query, ctx.dryRun), subresource: info.subresource });
    this.sendObject(ctx, 200, c, warnings);
  }

  /**
   * Server-side apply (PATCH application/apply-patch+yaml): the body is the manager's whole intent
   * for the object; the registry merges it in (or creates the object) through ./apply/fieldmanager.ts.
   */
  private async apply(ctx: Ctx): Promise<void> {
    const { info, registry, req } = ctx;
    const r = registry.resource;
    const { manager, force } = applyOptions(ctx.query);
    const body = parseBody(await readBody(req), 'application/yaml', ['application/yaml']);
    const warnings = validateFields(body, r, r.kind, parseFieldValidation(ctx.query.get('fieldValidation')));
    const request = { configuration: body as KubeObject, manager, force, subresource: info.subresource };
    const { object, created } = await registry.apply(info.namespace, info.name!, request, { dryRun: ctx.dryRun });
    this.sendObject(ctx, created ? 201 : 200, object, warnings);
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

