// Host mounts the runtime makes (overlay rootfs, the pod's /dev/shm tmpfs) and their removal.
import { mkdir, readFile } from 'node:fs/promises';
import { CommandError, run } from './run.js';

export async function mountTmpfs(target: string, options: string): Promise<void> {
  await mkdir(target, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', target]);
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points at or below `dir`, deepest first, from the mountinfo text. */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.replace(/\/+$/, '');
  const targets = mountinfo.split('\n')
    .map((line) => line.split(' ')[4])
    .filter((t): t is string => !!t)
    .map(unescapeMountPath)
    .filter((t) => t === prefix || t.startsWith(`${prefix}/`));
  return [...new Set(targets)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir`, deepest first; nothing mounted is fine. */
export async function unmountUnder(dir: string): Promise<void> {
  for (const target of mountsUnder(await readFile('/proc/self/mountinfo', 'utf8'), dir)) {
    try {
      await run('umount', [target]);
    } catch (e) {
      if (!(e instanceof CommandError && /not mounted|no mount point/i.test(e.stderr))) throw e;
    }
  }
}
