import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PodSources, type ConfigObject } from './podsources.js';
import { volumePayload, writeAtomically } from './projection.js';

const file = (s: string, mode = 0o644) => ({ data: Buffer.from(s), mode });

test('writes through ..data, swaps atomically on change, leaves an unchanged payload alone, drops removed keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tk-proj-'));
  try {
    assert.equal(writeAtomically(dir, new Map([['a', file('1')], ['sub/b', file('2', 0o400)]]), 1000), true);
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
    assert.equal(statSync(join(dir, 'sub/b')).mode & 0o777, 0o400);
    const first = readlinkSync(join(dir, '..data'));
    assert.equal(writeAtomically(dir, new Map([['a', file('1')], ['sub/b', file('2', 0o400)]]), 2000), false);
    assert.equal(readlinkSync(join(dir, '..data')), first);
    assert.equal(writeAtomically(dir, new Map([['a', file('changed')]]), 3000), true);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'changed');
    assert.notEqual(readlinkSync(join(dir, '..data')), first);
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), ['a'], 'the removed key is gone');
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('..') && n !== '..data').length, 1, 'the old payload dir is removed');
    assert.ok(lstatSync(join(dir, '..data')).isSymbolicLink());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('payloads: items with paths and modes, optional sources, the kubelet\'s errors, the downward API', () => {
  const pod: Pod = { metadata: { name: 'p', namespace: 'ns', labels: { b: '2', a: '1' } }, spec: { containers: [] } };
  const sources = new PodSources('ns', new Map<string, ConfigObject | null>([
    ['configmap/cm', { data: { k1: 'v1', k2: 'v2' }, binaryData: { bin: Buffer.from([1, 2]).toString('base64') } }],
    ['secret/s', { data: { pw: Buffer.from('hunter2').toString('base64') } }],
    ['configmap/missing', null],
  ]));
  const all = volumePayload({ name: 'v', configMap: { name: 'cm' } }, pod, sources)!;
  assert.deepEqual([...all.keys()].sort(), ['bin', 'k1', 'k2']);
  assert.deepEqual(all.get('bin')!.data, Buffer.from([1, 2]));
  const picked = volumePayload({ name: 'v', secret: { secretName: 's', items: [{ key: 'pw', path: 'dir/pw', mode: 0o400 }], defaultMode: 0o440 } }, pod, sources)!;
  assert.deepEqual([...picked].map(([p, f]) => [p, f.data.toString(), f.mode]), [['dir/pw', 'hunter2', 0o400]]);
  assert.equal(volumePayload({ name: 'v', configMap: { name: 'missing', optional: true } }, pod, sources)!.size, 0);
  assert.throws(() => volumePayload({ name: 'v', configMap: { name: 'missing' } }, pod, sources), /configmap "missing" not found/);
  assert.throws(() => volumePayload({ name: 'v', configMap: { name: 'cm', items: [{ key: 'nope', path: 'x' }] } }, pod, sources), /configmap references non-existent config key: nope/);
  assert.throws(() => volumePayload({ name: 'v', configMap: { name: 'cm', items: [{ key: 'k1', path: '../x' }] } }, pod, sources), /invalid path/);
  const dapi = volumePayload({ name: 'v', projected: { sources: [{ downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }, { configMap: { name: 'cm', items: [{ key: 'k1', path: 'k1' }] } }] } }, pod, sources)!;
  assert.deepEqual([...dapi].map(([p, f]) => [p, f.data.toString()]), [['labels', 'a="1"\nb="2"'], ['k1', 'v1']]);
  assert.equal(volumePayload({ name: 'v', emptyDir: {} }, pod, sources), undefined);
});
