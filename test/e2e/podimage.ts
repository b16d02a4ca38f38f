// The image the pod tests and benchmarks run: busybox from Debian's busybox-static, imported into a
// node's image store with `tinykube image import`, the way a user loads an image without a registry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './harness.js';
import { buildBusyboxImage } from './fixtures/images.js';

export const TEST_IMAGE = 'docker.io/tinykube/busybox:e2e';

/** The test image with `USER nobody`. */
export const NOBODY_IMAGE = 'docker.io/tinykube/busybox:nobody';

/** Writes the image as an OCI archive in `dir` (importable by name) and returns its path. */
export function testImageTarball(dir: string, opts: { tag?: string; user?: string } = {}): string {
  const tarball = join(dir, 'busybox.tar');
  buildBusyboxImage(join(dir, 'busybox-layout'), { tag: opts.tag ?? TEST_IMAGE, user: opts.user, tarball });
  return tarball;
}

/** Builds the image (or a variant) and imports it into the node store under `dataDir`. */
export function importTestImage(dataDir: string, opts: { tag?: string; user?: string } = {}): void {
  const work = mkdtempSync(join(tmpdir(), 'tinykube-image-'));
  try {
    execFileSync(process.execPath, [CLI, 'image', 'import', testImageTarball(work, opts), '--data-dir', dataDir], { encoding: 'utf8' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
