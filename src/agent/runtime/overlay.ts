// A container's rootfs: an overlay of the image's layer directories (read-only) with a private
// upper and work dir, so containers of one image never see each other's writes.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './run.js';

/** The kernel takes mount options up to one page. */
const MAX_OPTIONS = 4095;

/** Mount options; overlay wants the top layer leftmost, image layers come bottom → top. */
export function overlayOptions(lowerDirs: readonly string[], upper: string, work: string): string {
  if (!lowerDirs.length) throw new Error('an overlay rootfs needs at least one image layer');
  const bad = [...lowerDirs, upper, work].find((d) => /[:,]/.test(d));
  if (bad) throw new Error(`overlay paths cannot contain ':' or ',': ${bad}`);
  const options = `lowerdir=${[...lowerDirs].reverse().join(':')},upperdir=${upper},workdir=${work}`;
  if (options.length > MAX_OPTIONS) throw new Error(`overlay mount options are ${options.length} bytes, over the kernel's limit of ${MAX_OPTIONS} (too many layers)`);
  return options;
}

/** Mounts `<dir>/rootfs` over the layers with `<dir>/upper` and `<dir>/work`; returns the rootfs path. */
export async function mountOverlay(lowerDirs: readonly string[], dir: string): Promise<string> {
  const [upper, work, rootfs] = ['upper', 'work', 'rootfs'].map((d) => join(dir, d));
  const options = overlayOptions(lowerDirs, upper, work);
  await Promise.all([upper, work, rootfs].map((d) => mkdir(d, { recursive: true })));
  await run('mount', ['-t', 'overlay', 'overlay', '-o', options, rootfs]);
  return rootfs;
}
