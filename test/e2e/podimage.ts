// The image the pod tests run: busybox from Debian's busybox-static, imported into a node's image
// store with `tinykube image import`, the way a user would load an image without a registry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './harness.js';
import { buildBusyboxImage } from './fixtures/images.js';

export const TEST_IMAGE = 'docker.io/tinykube/busybox:e2e';

/** Builds the busybox image as an OCI tarball and imports it into the node store under `dataDir`. */
export function importTestImage(dataDir: string): void {
  const work = mkdtempSync(join(tmpdir(), 'tinykube-image-'));
  try {
    const tarball = join(work, 'busybox.tar');
    buildBusyboxImage(join(work, 'layout'), { tag: TEST_IMAGE, tarball });
    execFileSync(process.execPath, [CLI, 'image', 'import', tarball, '--data-dir', dataDir], { encoding: 'utf8' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
