// ConfigMap, Secret, downwardAPI and projected volumes: their files written the way the kubelet's
// AtomicWriter does, so a container never sees half an update: the payload goes into a new
// timestamped directory, the `..data` symlink is swapped to it with a rename, and each top-level
// name is a symlink through `..data`. Unchanged payloads are left alone.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KeyToPath, Pod, Volume } from 'kubernetes-types/core/v1.js';
import { containerResource, PodSources, podField, SourceError, type SourceKind } from './podsources.js';

export interface PayloadFile { data: Buffer; mode: number }
export type Payload = Map<string, PayloadFile>;

const DEFAULT_MODE = 0o644;
const DATA = '..data';

/** A relative path without `..` elements, as upstream's validatePath wants. */
function checkPath(p: string): void {
  if (!p || p.startsWith('/') || p.split('/').some((s) => s === '..' || s === '')) throw new SourceError(`invalid path ${JSON.stringify(p)}`);
}

/** The files one ConfigMap or Secret contributes (all keys, or `items`); undefined when optional and missing. */
function sourceFiles(sources: PodSources, kind: SourceKind, name: string, items: readonly KeyToPath[] | undefined, optional: boolean | undefined, mode: number, out: Payload): void {
  const o = sources.require(kind, name, optional);
  if (!o) return;
  const values = PodSources.values(kind, o);
  if (!items?.length) {
    for (const [k, v] of values) out.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = values.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      throw new SourceError(`${kind} references non-existent ${kind === 'configmap' ? 'config' : 'secret'} key: ${it.key}`);
    }
    checkPath(it.path);
    out.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

/** The files of a configMap, secret, downwardAPI or projected volume; undefined for other kinds. */
export function volumePayload(v: Volume, pod: Pod, sources: PodSources): Payload | undefined {
  const out: Payload = new Map();
  if (v.configMap) sourceFiles(sources, 'configmap', v.configMap.name ?? '', v.configMap.items, v.configMap.optional, v.configMap.defaultMode ?? DEFAULT_MODE, out);
  else if (v.secret) sourceFiles(sources, 'secret', v.secret.secretName ?? '', v.secret.items, v.secret.optional, v.secret.defaultMode ?? DEFAULT_MODE, out);
  else if (v.downwardAPI) downwardFiles(v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? DEFAULT_MODE, pod, out);
  else if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) sourceFiles(sources, 'configmap', s.configMap.name ?? '', s.configMap.items, s.configMap.optional, mode, out);
      else if (s.secret) sourceFiles(sources, 'secret', s.secret.name ?? '', s.secret.items, s.secret.optional, mode, out);
      else if (s.downwardAPI) downwardFiles(s.downwardAPI.items ?? [], mode, pod, out);
      else throw new SourceError(`the projected source ${JSON.stringify(Object.keys(s)[0])} is not supported by this node`);
    }
  } else return undefined;
  return out;
}

function downwardFiles(items: readonly { path: string; fieldRef?: { fieldPath: string }; resourceFieldRef?: { resource: string; containerName?: string }; mode?: number }[], mode: number, pod: Pod, out: Payload): void {
  for (const it of items) {
    checkPath(it.path);
    const value = it.fieldRef ? podField(pod, it.fieldRef as never) : it.resourceFieldRef ? containerResource(pod, it.resourceFieldRef as never) : '';
    out.set(it.path, { data: Buffer.from(value), mode: it.mode ?? mode });
  }
}

function current(dir: string): Payload | undefined {
  const data = join(dir, DATA);
  if (!existsSync(data)) return undefined;
  const out: Payload = new Map();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(data, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = statSync(join(data, p));
      if (st.isDirectory()) walk(p);
      else out.set(p, { data: readFileSync(join(data, p)), mode: st.mode & 0o7777 });
    }
  };
  walk('');
  return out;
}

const same = (a: Payload, b: Payload): boolean =>
  a.size === b.size && [...a].every(([p, f]) => { const g = b.get(p); return !!g && g.mode === f.mode && g.data.equals(f.data); });

/** Writes `payload` into `dir` atomically; true if anything changed. */
export function writeAtomically(dir: string, payload: Payload, now = Date.now()): boolean {
  mkdirSync(dir, { recursive: true });
  const before = current(dir);
  if (before && same(before, payload)) return false;
  const stamp = `..${new Date(now).toISOString().replace(/[-:]/g, '_')}.${process.hrtime.bigint() % 1000000n}`;
  const fresh = join(dir, stamp);
  mkdirSync(fresh, { mode: 0o755 });
  for (const [p, f] of payload) {
    mkdirSync(dirname(join(fresh, p)), { recursive: true });
    writeFileSync(join(fresh, p), f.data, { mode: f.mode });
  }
  const oldTarget = existsSync(join(dir, DATA)) ? readlinkSync(join(dir, DATA)) : undefined;
  const tmp = join(dir, `${DATA}_tmp`);
  rmSync(tmp, { force: true });
  symlinkSync(stamp, tmp);
  renameSync(tmp, join(dir, DATA));
  const tops = new Set([...payload.keys()].map((p) => p.split('/')[0]));
  for (const t of tops) if (!existsSync(join(dir, t))) symlinkSync(join(DATA, t), join(dir, t));
  for (const name of readdirSync(dir)) {
    if (name.startsWith('..') || tops.has(name)) continue;
    if (lstatSync(join(dir, name)).isSymbolicLink()) rmSync(join(dir, name), { force: true });
  }
  if (oldTarget && oldTarget !== stamp) rmSync(join(dir, oldTarget), { recursive: true, force: true });
  return true;
}
