// What a pod's containers and volumes take from elsewhere, resolved as the kubelet does: the
// ConfigMaps and Secrets named by env valueFrom / envFrom and by configMap / secret / projected
// volumes (from watched caches on a node agent, so a change reaches the pods that use it at once;
// else fetched for each sync), and the downward API (the pod's own fields and its containers'
// resources). Errors carry the kubelet's messages.
import { cpus, totalmem } from 'node:os';
import type { Container, EnvVar, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../api/errors.js';
import { quantityMilliValue, quantityValue } from '../api/quantity.js';
import type { KubeObject } from '../api/strategy.js';
import { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';

export class SourceError extends Error {}

type Data = Record<string, string>;
export interface ConfigObject { data?: Data; binaryData?: Data; metadata?: { name?: string } }
export type SourceKind = 'configmap' | 'secret';

/** The ConfigMaps and Secrets a sync read; null for one that does not exist. */
export class PodSources {
  constructor(readonly namespace: string, private readonly objects: Map<string, ConfigObject | null>) {}

  get(kind: SourceKind, name: string): ConfigObject | null | undefined {
    return this.objects.get(`${kind}/${name}`);
  }

  /** The object, or the kubelet's error for a required one that is missing; undefined when missing and optional. */
  require(kind: SourceKind, name: string, optional: boolean | undefined): ConfigObject | undefined {
    const o = this.get(kind, name);
    if (o) return o;
    if (optional) return undefined;
    throw new SourceError(`${kind} "${name}" not found`);
  }

  /** Key → bytes of a ConfigMap (data and binaryData) or a Secret (base64 data). */
  static values(kind: SourceKind, o: ConfigObject): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    if (kind === 'secret') for (const [k, v] of Object.entries(o.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
    else {
      for (const [k, v] of Object.entries(o.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
      for (const [k, v] of Object.entries(o.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
    }
    return out;
  }
}

/** Every ConfigMap and Secret the pod names (env, envFrom, volumes, projected volumes). */
export function referencedSources(pod: Pod): { kind: SourceKind; name: string }[] {
  const refs = new Map<string, { kind: SourceKind; name: string }>();
  const add = (kind: SourceKind, name: string | undefined) => { if (name) refs.set(`${kind}/${name}`, { kind, name }); };
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const e of c.env ?? []) {
      add('configmap', e.valueFrom?.configMapKeyRef?.name);
      add('secret', e.valueFrom?.secretKeyRef?.name);
    }
    for (const f of c.envFrom ?? []) {
      add('configmap', f.configMapRef?.name);
      add('secret', f.secretRef?.name);
    }
  }
  for (const v of pod.spec?.volumes ?? []) {
    add('configmap', v.configMap?.name);
    add('secret', v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) {
      add('configmap', s.configMap?.name);
      add('secret', s.secret?.name);
    }
  }
  return [...refs.values()];
}

/**
 * The cluster's ConfigMaps and Secrets, listed and watched once per agent (no RBAC here to limit a
 * node to its pods' objects): pods read theirs from the caches, and `onChange` names each object
 * that changes, so the agent can sync the pods that use it.
 */
export class WatchedSources {
  private readonly informers: Record<SourceKind, Informer<KubeObject>>;

  constructor(client: RestClient, onChange: (namespace: string, kind: SourceKind, name: string) => void) {
    const watch = (kind: SourceKind) => new Informer<KubeObject>(client, `/api/v1/${kind}s`, (_type, obj) => onChange(obj.metadata.namespace!, kind, obj.metadata.name!));
    this.informers = { configmap: watch('configmap'), secret: watch('secret') };
  }

  /** Resolves once both caches hold a first list. */
  async start(): Promise<void> {
    await Promise.all(Object.values(this.informers).map((i) => i.start()));
  }

  stop(): void {
    for (const i of Object.values(this.informers)) i.stop();
  }

  /** What the pod references, from the caches (null for what does not exist). */
  of(pod: Pod): PodSources {
    const ns = pod.metadata!.namespace!;
    const objects = new Map<string, ConfigObject | null>();
    for (const { kind, name } of referencedSources(pod)) objects.set(`${kind}/${name}`, (this.informers[kind].items.get(`${ns}/${name}`) as ConfigObject | undefined) ?? null);
    return new PodSources(ns, objects);
  }
}

/** Whether the pod takes anything from the object `kind/name` of its namespace. */
export const usesSource = (pod: Pod, namespace: string, kind: SourceKind, name: string): boolean =>
  pod.metadata?.namespace === namespace && referencedSources(pod).some((r) => r.kind === kind && r.name === name);

/** Reads the referenced objects from the API (404 → null). */
export async function fetchSources(client: RestClient, pod: Pod): Promise<PodSources> {
  const ns = pod.metadata!.namespace!;
  const objects = new Map<string, ConfigObject | null>();
  await Promise.all(referencedSources(pod).map(async ({ kind, name }) => {
    try {
      objects.set(`${kind}/${name}`, await client.get<ConfigObject>(`/api/v1/namespaces/${encodeURIComponent(ns)}/${kind}s/${encodeURIComponent(name)}`));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      objects.set(`${kind}/${name}`, null);
    }
  }));
  return new PodSources(ns, objects);
}

/** A downward API field of the pod (fieldRef), as the kubelet's podFieldSelectorRuntimeValue. */
export function podField(pod: Pod, ref: ObjectFieldSelector): string {
  const path = ref.fieldPath;
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]] ?? '';
  const mapText = (map: Record<string, string> | undefined) => Object.keys(map ?? {}).sort().map((k) => `${k}="${(map ?? {})[k].replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join('\n');
  switch (path) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'metadata.labels': return mapText(pod.metadata?.labels);
    case 'metadata.annotations': return mapText(pod.metadata?.annotations);
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    case 'status.hostIPs': return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',');
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.podIPs': return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',');
    default: throw new SourceError(`unsupported fieldPath: ${path}`);
  }
}

/** A container's resource (resourceFieldRef), divided and rounded up as upstream; the node's capacity when no limit is set. */
export function containerResource(pod: Pod, ref: ResourceFieldSelector, self?: Container): string {
  const c = ref.containerName ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === ref.containerName) : self;
  if (!c) throw new SourceError(`container ${JSON.stringify(ref.containerName)} not found`);
  const [group, name] = ref.resource.split('.') as ['limits' | 'requests', string];
  const set = c.resources?.[group]?.[name];
  const isCpu = name === 'cpu';
  if (!isCpu && name !== 'memory' && name !== 'ephemeral-storage') throw new SourceError(`unsupported container resource: ${ref.resource}`);
  const divisor = ref.divisor ?? '1';
  if (isCpu) {
    const milli = set !== undefined ? quantityMilliValue(set) : group === 'limits' ? cpus().length * 1000 : 0;
    return String(Math.ceil(milli / (quantityMilliValue(divisor) || 1000)));
  }
  const bytes = set !== undefined ? quantityValue(set) : group === 'limits' && name === 'memory' ? totalmem() : 0;
  return String(Math.ceil(bytes / (quantityValue(divisor) || 1)));
}

/** Upstream's IsEnvVarName (envFrom keys that fail it are skipped). */
export const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** envFrom, in order, as [name, value]; the keys skipped for being invalid names are returned too. */
export function envFromSources(c: Container, sources: PodSources): { vars: [string, string][]; skipped: { ref: string; keys: string[] }[] } {
  const vars: [string, string][] = [];
  const skipped: { ref: string; keys: string[] }[] = [];
  for (const f of c.envFrom ?? []) {
    const kind: SourceKind = f.configMapRef ? 'configmap' : 'secret';
    const ref = f.configMapRef ?? f.secretRef;
    if (!ref?.name) continue;
    const o = sources.require(kind, ref.name, ref.optional);
    if (!o) continue;
    const bad: string[] = [];
    for (const [k, v] of PodSources.values(kind, o)) {
      const name = `${f.prefix ?? ''}${k}`;
      if (ENV_NAME.test(name)) vars.push([name, v.toString('utf8')]);
      else bad.push(k);
    }
    if (bad.length) skipped.push({ ref: `${kind === 'configmap' ? 'configMap' : 'secret'} ${sources.namespace}/${ref.name}`, keys: bad.sort() });
  }
  return { vars, skipped };
}

/** The value of one env var with valueFrom; undefined when an optional source or key is missing. */
export function envValueFrom(e: EnvVar, pod: Pod, c: Container, sources: PodSources): string | undefined {
  const from = e.valueFrom!;
  if (from.fieldRef) return podField(pod, from.fieldRef);
  if (from.resourceFieldRef) return containerResource(pod, from.resourceFieldRef, c);
  const sel = from.configMapKeyRef ?? from.secretKeyRef;
  if (!sel) return undefined;
  const kind: SourceKind = from.configMapKeyRef ? 'configmap' : 'secret';
  const o = sources.require(kind, sel.name ?? '', sel.optional);
  if (!o) return undefined;
  const v = PodSources.values(kind, o).get(sel.key);
  if (v === undefined) {
    if (sel.optional) return undefined;
    throw new SourceError(`couldn't find key ${sel.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${sources.namespace}/${sel.name}`);
  }
  return v.toString('utf8');
}

/** Whether any env var needs the pod IP (so the container is created only once the network is up). */
export const needsPodIP = (c: Container): boolean => (c.env ?? []).some((e) => /^status\.podIPs?$/.test(e.valueFrom?.fieldRef?.fieldPath ?? ''));

