// Pod volumes on the node: emptyDir (a directory, or tmpfs for medium Memory) under the pod's
// directory, hostPath with upstream's type checks, and configMap / secret / downwardAPI /
// projected volumes written by projection.ts (secret and projected ones on tmpfs, as the
// kubelet keeps secrets off disk; all of them mounted read-only). Other sources are refused clearly.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../api/quantity.js';
import type { PodSources } from './podsources.js';
import { volumePayload, writeAtomically } from './projection.js';
import { SourceError } from './podsources.js';

const run = promisify(execFile);

export class VolumeError extends Error {
  /** A missing ConfigMap or Secret: the pod waits in ContainerCreating and retries, as the kubelet does. */
  constructor(message: string, readonly retry = false) {
    super(message);
  }
}

export interface PreparedVolume {
  name: string;
  hostPath: string;
  tmpfs?: boolean;
  /** Mounted read-only whatever the volumeMount says (configMap, secret, downwardAPI, projected). */
  readOnly?: boolean;
}

/** An emptyDir's sizeLimit in bytes; a malformed one fails the volume. */
export function sizeLimitBytes(q: string | number): number {
  const bytes = parseQuantity(q);
  if (bytes === undefined) throw new VolumeError(`invalid quantity ${JSON.stringify(q)}`);
  return bytes;
}

async function isMountPoint(path: string): Promise<boolean> {
  try {
    await run('mountpoint', ['-q', path]);
    return true;
  } catch {
    return false;
  }
}

function checkHostPath(path: string, type: string): void {
  const exists = existsSync(path);
  const kind = exists ? statSync(path) : undefined;
  switch (type) {
    case '': return;
    case 'DirectoryOrCreate': if (!exists) mkdirSync(path, { recursive: true, mode: 0o755 }); return;
    case 'FileOrCreate': if (!exists) writeFileSync(path, '', { mode: 0o644 }); return;
    case 'Directory': if (!kind?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`); return;
    case 'File': if (!kind?.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`); return;
    case 'Socket': if (!kind?.isSocket()) throw new VolumeError(`hostPath type check failed: ${path} is not a socket file`); return;
    case 'CharDevice': if (!kind?.isCharacterDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a character device`); return;
    case 'BlockDevice': if (!kind?.isBlockDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a block device`); return;
    default: throw new VolumeError(`hostPath type ${JSON.stringify(type)} is not supported`);
  }
}

async function mountTmpfs(dir: string, options: string): Promise<void> {
  if (!(await isMountPoint(dir))) await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
}

/** Makes every volume of the pod ready under `podDir/volumes`; idempotent (projected files are rewritten when they change). */
export async function prepareVolumes(podDir: string, volumes: readonly Volume[], projection?: { pod: Pod; sources: PodSources }): Promise<Map<string, PreparedVolume>> {
  const out = new Map<string, PreparedVolume>();
  for (const v of volumes) {
    if (projection && (v.configMap || v.secret || v.downwardAPI || v.projected)) {
      const dir = join(podDir, 'volumes', v.name);
      let payload;
      try {
        payload = volumePayload(v, projection.pod, projection.sources)!;
      } catch (e) {
        if (e instanceof SourceError) throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${e.message}`, true);
        throw e;
      }
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      if (v.secret || v.projected) await mountTmpfs(dir, 'mode=0755');
      writeAtomically(dir, payload);
      out.set(v.name, { name: v.name, hostPath: dir, tmpfs: !!(v.secret || v.projected), readOnly: true });
      continue;
    }
    if (v.emptyDir) {
      const dir = join(podDir, 'volumes', v.name);
      mkdirSync(dir, { recursive: true, mode: 0o777 });
      const memory = v.emptyDir.medium === 'Memory';
      if (memory) await mountTmpfs(dir, `mode=0777${v.emptyDir.sizeLimit !== undefined ? `,size=${sizeLimitBytes(v.emptyDir.sizeLimit)}` : ''}`);
      out.set(v.name, { name: v.name, hostPath: dir, tmpfs: memory });
    } else if (v.hostPath) {
      checkHostPath(v.hostPath.path, v.hostPath.type ?? '');
      out.set(v.name, { name: v.name, hostPath: v.hostPath.path });
    } else {
      const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      throw new VolumeError(`volume ${JSON.stringify(v.name)}: the ${kind} volume source is not supported by this node`);
    }
  }
  return out;
}

/** Unmounts the tmpfs volumes (memory emptyDirs, secrets, projected) and removes the pod's volume directories. */
export async function cleanupVolumes(podDir: string, volumes: readonly Volume[]): Promise<void> {
  for (const v of volumes) {
    const dir = join(podDir, 'volumes', v.name);
    if (!v.hostPath && (await isMountPoint(dir))) await run('umount', [dir]);
  }
  rmSync(join(podDir, 'volumes'), { recursive: true, force: true });
}
