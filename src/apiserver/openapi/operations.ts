// The REST operations of the served resources, in one format-neutral model that the OpenAPI v2 and
// v3 renderers share. Paths, operation IDs, actions and parameters follow upstream's layout; the
// PATCH (and PUT/POST) operations carry x-kubernetes-group-version-kind and a fieldValidation
// query parameter, which is how kubectl learns that the server validates fields itself.
import type { ResourceInfo, Subresource } from '../../api/resource.js';
import { definitionName, type GroupVersionKind } from '../../api/schema/index.js';

export type ParamType = 'string' | 'boolean' | 'integer';

export interface Param {
  name: string;
  in: 'path' | 'query';
  type: ParamType;
  description: string;
  required?: boolean;
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  description: string;
  tag: string;
  action: string;
  gvk: GroupVersionKind;
  params: Param[];
  /** Definition name of the request body, if the operation takes one. */
  body?: string;
  consumes: string[];
  produces: string[];
  /** Status code -> definition name of the response ('' for a plain string). */
  responses: Record<string, string>;
}

export interface PathEntry {
  path: string;
  /** The group version the path belongs to: 'api/v1', 'apis/apps/v1'. */
  groupVersion: string;
  /** Parameters shared by every operation of the path (path parameters, pretty). */
  params: Param[];
  operations: Operation[];
}

/** A group version's URL path below /openapi/v3/: 'api/v1' or 'apis/apps/v1'. */
export const groupVersionPath = (gv: { group: string; version: string }): string =>
  gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const WATCH_EVENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';

const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_TYPES = [...OBJECT_TYPES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const TEXT_TYPES = ['text/plain', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const ANY = ['*/*'];

const query = (name: string, type: ParamType, description: string): Param => ({ name, in: 'query', type, description });
const pathParam = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', description, required: true });

const P = {
  pretty: query('pretty', 'string', 'If true, the output is indented for people to read.'),
  dryRun: query('dryRun', 'string', 'When "All", the request is checked and processed but nothing is stored.'),
  fieldManager: query('fieldManager', 'string', 'The name of the actor making the change, recorded in managedFields.'),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'What the server does with unknown or duplicate fields in the body: "Ignore" drops them, "Warn" (the default) drops them and answers with a warning, "Strict" rejects the request.',
  ),
  force: query('force', 'boolean', 'For apply patches: take over fields owned by other managers.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes it at once. Defaults to the per-kind value.'),
  orphanDependents: query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy. Whether dependents are orphaned.'),
  propagationPolicy: query('propagationPolicy', 'string', 'How dependents are garbage collected: "Orphan", "Background" or "Foreground".'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'For watches: ask for BOOKMARK events carrying only a resourceVersion.'),
  continue: query('continue', 'string', 'The continue token of the previous page, to read the next page of a list.'),
  fieldSelector: query('fieldSelector', 'string', 'Only return objects whose fields match, e.g. metadata.name=foo.'),
  labelSelector: query('labelSelector', 'string', 'Only return objects whose labels match, e.g. app=web,tier!=db.'),
  limit: query('limit', 'integer', 'The most items to return in one page; the rest can be read with the continue token.'),
  resourceVersion: query('resourceVersion', 'string', 'Which version of the data to read, or where a watch starts.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'How resourceVersion is applied to a list: "Exact" or "NotOlderThan".'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'For watches: start with synthetic ADDED events for the current objects.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'How long a list or watch call may last.'),
  watch: query('watch', 'boolean', 'Instead of a list, stream the changes to the matching objects.'),
  name: (kind: string) => pathParam('name', `The name of the ${kind}.`),
  namespace: pathParam('namespace', 'The namespace of the objects.'),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

/** Query parameters of the subresources that stream or take options (facts of the API). */
const SUBRESOURCE_PARAMS: Record<string, Param[]> = {
  log: [
    query('container', 'string', 'The container whose log to read; may be left out when the pod has one.'),
    query('follow', 'boolean', 'Keep streaming the log as it grows.'),
    query('insecureSkipTLSVerifyBackend', 'boolean', 'Do not verify the kubelet\'s serving certificate.'),
    query('limitBytes', 'integer', 'Stop after this many bytes.'),
    query('previous', 'boolean', 'Read the log of the previous, ended instance of the container.'),
    query('sinceSeconds', 'integer', 'Only lines newer than this many seconds.'),
    query('tailLines', 'integer', 'Only this many lines from the end.'),
    query('timestamps', 'boolean', 'Prefix every line with an RFC 3339 timestamp.'),
  ],
  exec: [
    query('command', 'string', 'The command to run; repeat the parameter for each argument.'),
    query('container', 'string', 'The container to run the command in.'),
    query('stderr', 'boolean', 'Stream the command\'s standard error.'),
    query('stdin', 'boolean', 'Stream standard input to the command.'),
    query('stdout', 'boolean', 'Stream the command\'s standard output.'),
    query('tty', 'boolean', 'Give the command a terminal.'),
  ],
  attach: [
    query('container', 'string', 'The container to attach to.'),
    query('stderr', 'boolean', 'Stream the container\'s standard error.'),
    query('stdin', 'boolean', 'Stream standard input to the container.'),
    query('stdout', 'boolean', 'Stream the container\'s standard output.'),
    query('tty', 'boolean', 'The container has a terminal.'),
  ],
  portforward: [query('ports', 'integer', 'The pod ports to forward.')],
};
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

const camel = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Upstream's operation-ID prefix of a group version: 'CoreV1', 'AppsV1', 'CoordinationV1'. */
function groupVersionId(r: ResourceInfo): string {
  const group = r.group ? r.group.replace(/\.k8s\.io$/, '').split('.').map(camel).join('') : 'Core';
  return `${group}${camel(r.version)}`;
}

/** Upstream's tag of a group version: 'core_v1', 'apps_v1', 'coordination_v1'. */
function groupVersionTag(r: ResourceInfo): string {
  const group = r.group ? r.group.replace(/\.k8s\.io$/, '').split('.').map((p, i) => (i ? camel(p) : p)).join('') : 'core';
  return `${group}_${r.version}`;
}

class ResourcePaths {
  private readonly entries = new Map<string, PathEntry>();
  private readonly idPrefix: string;
  private readonly tag: string;
  private readonly kindDef: string;
  private readonly listDef: string | undefined;
  private readonly gvk: GroupVersionKind;

  constructor(private readonly r: ResourceInfo, kindDef: string) {
    this.idPrefix = groupVersionId(r);
    this.tag = groupVersionTag(r);
    this.kindDef = kindDef;
    this.listDef = definitionName(r.group, r.version, r.listKind);
    this.gvk = { group: r.group, version: r.version, kind: r.kind };
  }

  private add(path: string, params: Param[], op: Omit<Operation, 'tag' | 'gvk'> & { gvk?: GroupVersionKind }): void {
    let entry = this.entries.get(path);
    if (!entry) this.entries.set(path, (entry = { path, groupVersion: groupVersionPath(this.r), params, operations: [] }));
    entry.operations.push({ tag: this.tag, gvk: this.gvk, ...op });
  }

  build(): PathEntry[] {
    const { r } = this;
    const root = `/${groupVersionPath(r)}`;
    const scope = r.namespaced ? `${root}/namespaces/{namespace}` : root;
    const ns = r.namespaced ? 'Namespaced' : '';
    const collection = `${scope}/${r.plural}`;
    const item = `${collection}/{name}`;
    const collectionParams = r.namespaced ? [P.namespace, P.pretty] : [P.pretty];
    const itemParams = [P.name(r.kind), ...collectionParams];
    const id = (verb: string, suffix = '') => `${verb}${this.idPrefix}${ns}${r.kind}${suffix}`;
    const can = (verb: string) => r.verbs.includes(verb);
    const ok = (def: string) => ({ '200': def, '401': '' });

    if (can('list')) {
      this.add(collection, collectionParams, {
        method: 'get', operationId: id('list'), description: `list or watch objects of kind ${r.kind}`, action: 'list',
        params: LIST_PARAMS, consumes: ANY, produces: WATCH_TYPES, responses: ok(this.listDef ?? this.kindDef),
      });
      if (r.namespaced) {
        this.add(`${root}/${r.plural}`, [P.pretty], {
          method: 'get', operationId: `list${this.idPrefix}${r.kind}ForAllNamespaces`, description: `list or watch objects of kind ${r.kind}`,
          action: 'list', params: LIST_PARAMS, consumes: ANY, produces: WATCH_TYPES, responses: ok(this.listDef ?? this.kindDef),
        });
      }
    }
    if (can('create')) {
      this.add(collection, collectionParams, {
        method: 'post', operationId: id('create'), description: `create a ${r.kind}`, action: 'post', params: WRITE_PARAMS,
        body: this.kindDef, consumes: ANY, produces: OBJECT_TYPES, responses: { '200': this.kindDef, '201': this.kindDef, '202': this.kindDef, '401': '' },
      });
    }
    if (can('deletecollection')) {
      this.add(collection, collectionParams, {
        method: 'delete', operationId: `delete${this.idPrefix}Collection${ns}${r.kind}`, description: `delete collection of ${r.kind}`,
        action: 'deletecollection', params: [...LIST_PARAMS.filter((p) => p !== P.watch && p !== P.allowWatchBookmarks), ...DELETE_PARAMS].sort(byName),
        body: DELETE_OPTIONS, consumes: ANY, produces: OBJECT_TYPES, responses: ok(STATUS),
      });
    }
    if (can('get')) {
      this.add(item, itemParams, {
        method: 'get', operationId: id('read'), description: `read the specified ${r.kind}`, action: 'get', params: [],
        consumes: ANY, produces: OBJECT_TYPES, responses: ok(this.kindDef),
      });
    }
    if (can('update')) this.addUpdate(item, itemParams, id('replace'), `replace the specified ${r.kind}`, this.kindDef, this.gvk);
    if (can('delete')) {
      this.add(item, itemParams, {
        method: 'delete', operationId: id('delete'), description: `delete a ${r.kind}`, action: 'delete', params: DELETE_PARAMS,
        body: DELETE_OPTIONS, consumes: ANY, produces: OBJECT_TYPES, responses: { '200': STATUS, '202': STATUS, '401': '' },
      });
    }
    if (can('patch')) this.addPatch(item, itemParams, id('patch'), `partially update the specified ${r.kind}`, this.kindDef, this.gvk);
    if (can('watch')) this.addWatches(root, collection, item, collectionParams, itemParams, ns);
    for (const sub of r.subresources ?? []) this.addSubresource(sub, item, itemParams, ns);
    return [...this.entries.values()];
  }

  private addUpdate(path: string, params: Param[], operationId: string, description: string, def: string, gvk: GroupVersionKind): void {
    this.add(path, params, {
      method: 'put', operationId, description, action: 'put', params: WRITE_PARAMS, body: def, gvk,
      consumes: ANY, produces: OBJECT_TYPES, responses: { '200': def, '201': def, '401': '' },
    });
  }

  private addPatch(path: string, params: Param[], operationId: string, description: string, def: string, gvk: GroupVersionKind): void {
    this.add(path, params, {
      method: 'patch', operationId, description, action: 'patch', params: [...WRITE_PARAMS, P.force], body: PATCH, gvk,
      consumes: PATCH_TYPES, produces: OBJECT_TYPES, responses: { '200': def, '201': def, '401': '' },
    });
  }

  private addWatches(root: string, collection: string, item: string, collectionParams: Param[], itemParams: Param[], ns: string): void {
    const { r } = this;
    const watchRoot = (path: string) => path.replace(root, `${root}/watch`);
    const watch = (path: string, params: Param[], operationId: string, action: string) =>
      this.add(path, [...params, ...LIST_PARAMS].sort(byName), {
        method: 'get', operationId, description: `watch changes to objects of kind ${r.kind}`, action, params: [],
        consumes: ANY, produces: WATCH_TYPES, responses: { '200': WATCH_EVENT, '401': '' },
      });
    watch(watchRoot(collection), collectionParams, `watch${this.idPrefix}${ns}${r.kind}List`, 'watchlist');
    watch(watchRoot(item), itemParams, `watch${this.idPrefix}${ns}${r.kind}`, 'watch');
    if (r.namespaced) watch(`${root}/watch/${r.plural}`, [P.pretty], `watch${this.idPrefix}${r.kind}ListForAllNamespaces`, 'watchlist');
  }

  private addSubresource(sub: Subresource, item: string, itemParams: Param[], ns: string): void {
    const { r } = this;
    const path = `${item}/${sub.name}`;
    const gvk = { group: sub.group ?? r.group, version: sub.version ?? r.version, kind: sub.kind };
    const def = definitionName(gvk.group, gvk.version, gvk.kind);
    const suffix = camel(sub.name);
    const id = (verb: string) => `${verb}${this.idPrefix}${ns}${r.kind}${suffix}`;
    const what = `${sub.name} of the specified ${r.kind}`;
    const extra = SUBRESOURCE_PARAMS[sub.name] ?? [];
    if (CONNECT_SUBRESOURCES.has(sub.name)) {
      for (const verb of sub.verbs) {
        const method = verb === 'create' ? 'post' : 'get';
        this.add(path, itemParams, {
          method, operationId: id(`connect${camel(method)}`), description: `connect ${method.toUpperCase()} requests to ${sub.name} of ${r.kind}`,
          action: 'connect', gvk, params: extra, consumes: ANY, produces: ANY, responses: { '200': '', '401': '' },
        });
      }
      return;
    }
    for (const verb of sub.verbs) {
      if (verb === 'get') {
        // A log is text, not the Pod its kind names.
        const body = sub.name === 'log' ? undefined : def;
        this.add(path, itemParams, {
          method: 'get', operationId: id('read'), description: `read ${what}`, action: 'get', gvk, params: extra,
          consumes: ANY, produces: body ? OBJECT_TYPES : TEXT_TYPES, responses: { '200': body ?? '', '401': '' },
        });
      } else if (verb === 'update' && def) {
        this.addUpdate(path, itemParams, id('replace'), `replace ${what}`, def, gvk);
      } else if (verb === 'patch' && def) {
        this.addPatch(path, itemParams, id('patch'), `partially update ${what}`, def, gvk);
      } else if (verb === 'create' && def) {
        this.add(path, itemParams, {
          method: 'post', operationId: id('create'), description: `create ${what}`, action: 'post', gvk, params: WRITE_PARAMS,
          body: def, consumes: ANY, produces: OBJECT_TYPES, responses: { '200': def, '201': def, '202': def, '401': '' },
        });
      }
    }
  }
}

function byName(a: Param, b: Param): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Every path of the served resources (those with a schema), sorted by path. */
export function servedPaths(resources: readonly ResourceInfo[]): PathEntry[] {
  const entries = new Map<string, PathEntry>();
  for (const r of resources) {
    const def = definitionName(r.group, r.version, r.kind);
    if (!def) continue;
    for (const entry of new ResourcePaths(r, def).build()) {
      const existing = entries.get(entry.path);
      if (existing) existing.operations.push(...entry.operations);
      else entries.set(entry.path, entry);
    }
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The group versions served, as 'api/v1' / 'apis/apps/v1', sorted. */
export function servedGroupVersions(resources: readonly ResourceInfo[]): string[] {
  return [...new Set(resources.map((r) => groupVersionPath(r)))].sort();
}
