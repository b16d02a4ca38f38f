import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupVolumes, prepareVolumes, sizeLimitBytes, VolumeError } from './volumes.js';

test('quantities for sizeLimit', () => {
  assert.equal(sizeLimitBytes('64Mi'), 64 * 2 ** 20);
  assert.equal(sizeLimitBytes('1G'), 1e9);
  assert.equal(sizeLimitBytes('500k'), 500_000);
  assert.equal(sizeLimitBytes(42), 42);
  assert.throws(() => sizeLimitBytes('lots'), VolumeError);
});

test('emptyDir directories, hostPath checks, unsupported sources', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tk-vol-'));
  try {
    const host = join(dir, 'host-made');
    const vols = await prepareVolumes(dir, [{ name: 'cache', emptyDir: {} }, { name: 'h', hostPath: { path: host, type: 'DirectoryOrCreate' } }]);
    assert.equal(vols.get('cache')!.hostPath, join(dir, 'volumes', 'cache'));
    assert.ok(existsSync(host));
    await assert.rejects(prepareVolumes(dir, [{ name: 'f', hostPath: { path: join(dir, 'nope'), type: 'File' } }]), VolumeError);
    await assert.rejects(prepareVolumes(dir, [{ name: 'cm', configMap: { name: 'x' } }]), /configMap volume source is not supported/);
    await cleanupVolumes(dir, [{ name: 'cache', emptyDir: {} }]);
    assert.ok(!existsSync(join(dir, 'volumes')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
