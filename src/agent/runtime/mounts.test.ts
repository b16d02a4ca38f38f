import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountsUnder } from './mounts.js';

test('mount points below a dir, deepest first, with mountinfo escapes decoded', () => {
  const mountinfo = [
    '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '90 22 0:50 / /s/sandboxes/a/shm rw - tmpfs tmpfs rw',
    '91 22 0:51 / /s/containers/x/rootfs rw - overlay overlay rw,lowerdir=/l',
    '92 22 0:52 / /s/containers/with\\040space/rootfs rw - overlay overlay rw',
    '93 22 0:53 / /s-other/x rw - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(mountsUnder(mountinfo, '/s/'), ['/s/containers/with space/rootfs', '/s/containers/x/rootfs', '/s/sandboxes/a/shm']);
  assert.deepEqual(mountsUnder(mountinfo, '/s/sandboxes/a'), ['/s/sandboxes/a/shm']);
  assert.deepEqual(mountsUnder(mountinfo, '/nothing'), []);
});
