import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageConfig } from './imageconfig.js';
import { hostPlatform } from './manifest.js';

const DIFF = `sha256:${'c'.repeat(64)}`;
const config = (extra: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...hostPlatform(), rootfs: { type: 'layers', diff_ids: [DIFF] }, ...extra }));

test('maps the runtime settings and the diff_ids', () => {
  const parsed = parseImageConfig(config({
    config: {
      Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['nginx', '-g', 'daemon off;'], Env: ['PATH=/bin'], WorkingDir: '/srv', User: '101:101',
      StopSignal: 'SIGQUIT', Labels: { maintainer: 'x' }, ExposedPorts: { '80/tcp': {} },
    },
  }));
  assert.deepEqual(parsed, {
    config: { entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'], env: ['PATH=/bin'], workingDir: '/srv', user: '101:101', stopSignal: 'SIGQUIT', labels: { maintainer: 'x' } },
    diffIds: [DIFF],
  });
});

test('leaves out nulls and empty strings, as Docker writes them', () => {
  assert.deepEqual(parseImageConfig(config({ config: { Entrypoint: null, Cmd: null, WorkingDir: '', User: '', Labels: null } })).config, {});
  assert.deepEqual(parseImageConfig(config({})).config, {});
});

test('rejects configs without layers, with bad diff_ids, or for another platform', () => {
  assert.throws(() => parseImageConfig(Buffer.from(JSON.stringify({ ...hostPlatform() }))), /no rootfs.diff_ids/);
  assert.throws(() => parseImageConfig(config({ rootfs: { type: 'layers', diff_ids: ['md5:abc'] } })), /diff_ids\[0\]: unsupported or malformed digest/);
  assert.throws(() => parseImageConfig(config({ architecture: 'mips64' })), /image is for linux\/mips64, this node is linux\//);
});
