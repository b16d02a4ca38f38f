import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageRecords } from './imagerecords.js';

const image = (n: number) => ({ repoDigest: `r.io/app@sha256:${String(n).repeat(64)}`, id: `sha256:${'f'.repeat(63)}${n}`, config: {}, diffIds: [], blobs: [], size: n });

test('a moved tag leaves the old image untagged; untagging the last tag removes the image; other writers are seen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'image-records-'));
  try {
    let n = 0;
    const open = () => new ImageRecords(join(dir, 'images.json'), () => join(dir, `tmp-${n++}`));
    const records = open();
    assert.deepEqual(records.all(), []);
    records.save(image(1), 'r.io/app:latest');
    records.save(image(1), 'r.io/app:1');
    records.save(image(2), 'r.io/app:latest');
    const other = open();
    assert.deepEqual(other.all().map((r) => [r.repoDigest.slice(-1), r.tags]), [['1', ['r.io/app:1']], ['2', ['r.io/app:latest']]]);
    other.untag('r.io/app:latest');
    assert.deepEqual(records.all().map((r) => r.repoDigest.slice(-1)), ['1'], 'the first instance re-reads the replaced file');
    records.untag('r.io/app:1');
    assert.deepEqual(other.all(), []);
    records.save(image(3));
    records.delete([image(3).repoDigest]);
    assert.deepEqual(open().all(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
