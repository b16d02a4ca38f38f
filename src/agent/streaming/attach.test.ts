import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PacketReader, pacedResizer, RELAY } from './attach.js';

const frame = (pipe: number, text: string): Buffer => {
  const p = Buffer.concat([Buffer.from([pipe]), Buffer.from(text)]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(p.length);
  return Buffer.concat([len, p]);
};

test('packets are cut from the relay stream at any chunk boundary', () => {
  const all = Buffer.concat([frame(2, 'hello\n'), frame(3, 'oops\n'), frame(2, 'x'.repeat(8192))]);
  for (const step of [1, 3, 7, all.length]) {
    const r = new PacketReader();
    const got: [number, string][] = [];
    for (let i = 0; i < all.length; i += step) for (const [pipe, data] of r.push(all.subarray(i, i + step))) got.push([pipe, data.toString()]);
    assert.deepEqual(got, [[2, 'hello\n'], [3, 'oops\n'], [2, 'x'.repeat(8192)]]);
  }
});

test('an empty packet is skipped', () => {
  const r = new PacketReader();
  assert.deepEqual(r.push(Buffer.concat([Buffer.alloc(4), frame(2, 'a')])).map(([p, d]) => [p, d.toString()]), [[2, 'a']]);
});

test('pacedResizer: one write at a time, paced, the latest size winning over those queued', async () => {
  const written: string[] = [];
  let writing = 0;
  let maxWriting = 0;
  const resize = pacedResizer(async (s) => {
    maxWriting = Math.max(maxWriting, ++writing);
    written.push(`${s.height}x${s.width}`);
    await new Promise((r) => setTimeout(r, 5));
    writing--;
  }, 10);
  resize({ height: 34, width: 112 }); // kubectl's size plus one …
  resize({ height: 10, width: 10 }); // … superseded before it is written …
  resize({ height: 33, width: 111 }); // … by the size itself
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(written, ['34x112', '33x111']);
  assert.equal(maxWriting, 1);
  resize({ height: 40, width: 120 });
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(written.at(-1), '40x120');
});

test('the Perl relay is shipped beside the module (the build copies it) and compiles', () => {
  const r = spawnSync('perl', ['-c', RELAY], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
