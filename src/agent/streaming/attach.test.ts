import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketReader } from './attach.js';

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
