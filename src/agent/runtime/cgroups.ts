// Cgroup directories the runtime leaves behind. runc creates a container's cgroupsPath in every
// hierarchy (cgroup v1 here: cpu, memory, pids, … and the v2 `unified` mount) but removes only the
// leaf on delete; the pod-level parents are ours to remove.
import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** `/sys/fs/cgroup/<h>` for every mounted hierarchy (symlinks such as cpu,cpuacct skipped), or the v2 root itself. */
async function hierarchies(): Promise<string[]> {
  const entries = await readdir(CGROUP_ROOT, { withFileTypes: true });
  if (entries.some((e) => e.name === 'cgroup.controllers')) return [CGROUP_ROOT];
  return entries.filter((e) => e.isDirectory()).map((e) => join(CGROUP_ROOT, e.name));
}

async function rmdirTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const e of entries) if (e.isDirectory()) await rmdirTree(join(dir, e.name));
  await rmdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw new Error(`cannot remove cgroup ${dir}: ${e.message}`);
  });
}

/** Removes the cgroup `path` (e.g. `/tinykube/pod-x`) and its children in every hierarchy. */
export async function removeCgroup(path: string): Promise<void> {
  for (const h of await hierarchies()) await rmdirTree(join(h, path));
}

/** Removes the cgroup `path` in every hierarchy if it has no children there (another runtime may share it). */
export async function removeCgroupIfEmpty(path: string): Promise<void> {
  for (const h of await hierarchies()) {
    await rmdir(join(h, path)).catch((e: NodeJS.ErrnoException) => {
      if (!['ENOENT', 'EBUSY', 'ENOTEMPTY'].includes(e.code ?? '')) throw e;
    });
  }
}

/** The cgroup directories of `path` that still exist, for checks after a teardown. */
export async function cgroupDirs(path: string): Promise<string[]> {
  const found: string[] = [];
  for (const h of await hierarchies()) {
    try {
      await readdir(join(h, path));
      found.push(join(h, path));
    } catch { /* absent */ }
  }
  return found;
}
