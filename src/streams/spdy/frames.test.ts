import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants as zc, createDeflate, inflateSync } from 'node:zlib';
import { SPDY_DICTIONARY, adler32 } from './dictionary.js';
import {
  FLAG_FIN, FLAG_UNIDIRECTIONAL, FrameDecoder, GoAwayStatus, HeaderCompressor, HeaderDecompressor, RstStatus, SettingsId,
  SpdyProtocolError, decodeHeaderBlock, encodeDataHeader, encodeGoAway, encodeHeaderBlock, encodeHeaders, encodePing,
  encodeRstStream, encodeSettings, encodeSynReply, encodeSynStream, encodeWindowUpdate, type ControlFrame,
} from './frames.js';

function decodeAll(bufs: Buffer[], chunkSize?: number): { data: Array<[number, string, boolean]>; control: ControlFrame[] } {
  const data: Array<[number, string, boolean]> = [];
  const control: ControlFrame[] = [];
  const d = new FrameDecoder({ data: (id, c, fin) => data.push([id, c.toString('latin1'), fin]), control: (f) => control.push(f) });
  const all = Buffer.concat(bufs);
  if (!chunkSize) d.push(all);
  else for (let o = 0; o < all.length; o += chunkSize) d.push(all.subarray(o, o + chunkSize));
  return { data, control };
}

/** Joins the pieces of a stream's DATA up to its FIN (the decoder hands them on as they arrive). */
function joinData(pieces: Array<[number, string, boolean]>): Array<[number, string, boolean]> {
  const out: Array<[number, string, boolean]> = [];
  let cur: [number, string, boolean] | undefined;
  for (const [id, s, fin] of pieces) {
    if (cur && cur[0] === id && !cur[2]) {
      cur[1] += s;
      cur[2] = fin;
    } else {
      cur = [id, s, fin];
      out.push(cur);
    }
  }
  return out;
}

test('the SPDY/3 dictionary is the one the spec defines', () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  assert.equal(adler32(SPDY_DICTIONARY), 0xe3c6a7c2);
  assert.equal(SPDY_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.ok(SPDY_DICTIONARY.toString('latin1').endsWith('enq=0.'));
});

test('control frames: byte layout of the fixed-size ones', () => {
  assert.equal(encodePing(7).toString('hex'), '80030006' + '00000004' + '00000007');
  assert.equal(encodeRstStream(3, RstStatus.CANCEL).toString('hex'), '80030003' + '00000008' + '00000003' + '00000005');
  assert.equal(encodeGoAway(5, GoAwayStatus.OK).toString('hex'), '80030007' + '00000008' + '00000005' + '00000000');
  assert.equal(encodeWindowUpdate(1, 65536).toString('hex'), '80030009' + '00000008' + '00000001' + '00010000');
  assert.equal(encodeDataHeader(3, FLAG_FIN, 5).toString('hex'), '00000003' + '01000005');
  assert.equal(encodeSettings([{ id: SettingsId.INITIAL_WINDOW_SIZE, flags: 0, value: 1 << 20 }]).toString('hex'),
    '80030004' + '0000000c' + '00000001' + '00000007' + '00100000');
  assert.throws(() => encodeWindowUpdate(1, 0), RangeError);
});

test('frames round-trip through the decoder, whole and split at every byte', () => {
  const frames = [
    encodeSynStream(1, 0, 3, FLAG_UNIDIRECTIONAL, Buffer.from('hdrs')),
    encodeSynReply(2, FLAG_FIN, Buffer.from('r')),
    encodeHeaders(1, 0, Buffer.alloc(0)),
    encodeDataHeader(1, 0, 5), Buffer.from('hello'),
    encodeDataHeader(1, FLAG_FIN, 0),
    encodeRstStream(9, RstStatus.FLOW_CONTROL_ERROR),
    encodeSettings([{ id: SettingsId.INITIAL_WINDOW_SIZE, flags: 1, value: 12345 }, { id: SettingsId.MAX_CONCURRENT_STREAMS, flags: 0, value: 100 }]),
    encodePing(2),
    encodeWindowUpdate(0, 1000),
    encodeDataHeader(3, FLAG_FIN, 3), Buffer.from('abc'),
    encodeGoAway(7, GoAwayStatus.INTERNAL_ERROR),
  ];
  for (const size of [undefined, 1, 3, 7, 8, 13]) {
    const { data, control } = decodeAll(frames, size);
    assert.deepEqual(joinData(data), [[1, 'hello', true], [3, 'abc', true]], `chunk ${size}`);
    assert.equal(data.filter(([, , fin]) => fin).length, 2);
    assert.deepEqual(control.map((f) => ({ ...f, ...('headerBlock' in f ? { headerBlock: f.headerBlock.toString() } : {}) })), [
      { type: 'SYN_STREAM', streamId: 1, associatedId: 0, priority: 3, slot: 0, flags: FLAG_UNIDIRECTIONAL, headerBlock: 'hdrs' },
      { type: 'SYN_REPLY', streamId: 2, flags: FLAG_FIN, headerBlock: 'r' },
      { type: 'HEADERS', streamId: 1, flags: 0, headerBlock: '' },
      { type: 'RST_STREAM', streamId: 9, status: RstStatus.FLOW_CONTROL_ERROR },
      { type: 'SETTINGS', flags: 0, entries: [{ id: SettingsId.INITIAL_WINDOW_SIZE, flags: 1, value: 12345 }, { id: SettingsId.MAX_CONCURRENT_STREAMS, flags: 0, value: 100 }] },
      { type: 'PING', id: 2 },
      { type: 'WINDOW_UPDATE', streamId: 0, delta: 1000 },
      { type: 'GOAWAY', lastGoodStreamId: 7, status: GoAwayStatus.INTERNAL_ERROR },
    ], `chunk ${size}`);
  }
});

test('DATA payloads are handed on as views of the input, piece by piece', () => {
  const payload = Buffer.alloc(100_000, 7);
  const input = Buffer.concat([encodeDataHeader(5, FLAG_FIN, payload.length), payload]);
  const pieces: Buffer[] = [];
  const d = new FrameDecoder({ data: (_id, c) => pieces.push(c), control: () => assert.fail() });
  d.push(input.subarray(0, 30_000));
  d.push(input.subarray(30_000));
  assert.equal(pieces.length, 2);
  assert.equal(pieces[0].buffer, input.buffer, 'no copy');
  assert.equal(Buffer.concat(pieces).equals(payload), true);
});

test('malformed input is a protocol error', () => {
  const d = () => new FrameDecoder({ data: () => {}, control: () => {} });
  const badVersion = encodePing(1);
  badVersion.writeUInt16BE(0x8002, 0);
  assert.throws(() => d().push(badVersion), SpdyProtocolError);
  const badPing = Buffer.concat([encodePing(1).subarray(0, 4), Buffer.from('00000005', 'hex'), Buffer.alloc(5)]);
  assert.throws(() => d().push(badPing), /bad length/);
  assert.throws(() => d().push(encodeDataHeader(0, 0, 0)), /stream 0/);
  const huge = encodePing(1);
  huge.writeUInt32BE(0x00ffffff, 4);
  assert.throws(() => d().push(huge), /too large/);
});

test('header blocks: lowercase names, NUL-joined values, errors on truncation', () => {
  const block = encodeHeaderBlock({ StreamType: 'data', port: 8080, multi: ['a', 'b'] });
  assert.deepEqual({ ...decodeHeaderBlock(block) }, { streamtype: ['data'], port: ['8080'], multi: ['a', 'b'] });
  assert.deepEqual({ ...decodeHeaderBlock(encodeHeaderBlock({})) }, {});
  assert.throws(() => decodeHeaderBlock(block.subarray(0, block.length - 1)), SpdyProtocolError);
});

test('header compression: our stored-block zlib stream inflates with the dictionary, block after block', () => {
  const c = new HeaderCompressor();
  const blocks = [encodeHeaderBlock({}), encodeHeaderBlock({ streamtype: 'error' }), encodeHeaderBlock({ big: 'x'.repeat(70_000) })];
  const compressed = blocks.map((b) => c.compress(b));
  assert.equal(compressed[0].subarray(0, 2).toString('hex'), '78f9', 'zlib header with FDICT');
  assert.equal(compressed[0].readUInt32BE(2), adler32(SPDY_DICTIONARY));
  // Whatever was sent so far inflates to the blocks so far (as a sync-flushed stream would).
  const all = inflateSync(Buffer.concat(compressed), { dictionary: SPDY_DICTIONARY, finishFlush: zc.Z_SYNC_FLUSH });
  assert.equal(all.equals(Buffer.concat(blocks)), true);
});

test('header decompression: one zlib context for the connection, as Go sends it (deflate + sync flush per block)', async () => {
  // Go's spdy framer: zlib.NewWriterLevelDict(BestCompression, dictionary), Flush() after each block.
  const z = createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 });
  const produced: Buffer[] = [];
  z.on('data', (d: Buffer) => produced.push(d));
  const blocks = [
    encodeHeaderBlock({ streamtype: 'error', port: '8080', requestid: '0' }),
    encodeHeaderBlock({ streamtype: 'data', port: '8080', requestid: '0' }),
    encodeHeaderBlock({ streamtype: 'data', port: '8080', requestid: '1' }),
  ];
  const wire: Buffer[] = [];
  for (const b of blocks) {
    z.write(b);
    await new Promise<void>((r) => z.flush(zc.Z_SYNC_FLUSH, () => setImmediate(r)));
    wire.push(Buffer.concat(produced.splice(0)));
  }
  assert.ok(wire[2].length < wire[0].length, 'later blocks refer back to earlier ones');
  const d = new HeaderDecompressor();
  const out = await Promise.all(wire.map((w) => d.decompress(w)));
  assert.deepEqual(out.map((o) => ({ ...decodeHeaderBlock(o) })), [
    { streamtype: ['error'], port: ['8080'], requestid: ['0'] },
    { streamtype: ['data'], port: ['8080'], requestid: ['0'] },
    { streamtype: ['data'], port: ['8080'], requestid: ['1'] },
  ]);
  d.close();
  // And our compressor feeds our decompressor.
  const c = new HeaderCompressor();
  const d2 = new HeaderDecompressor();
  for (const h of [{}, { a: "b" }, { streamtype: "stdin" }] as Record<string, string>[]) {
    assert.deepEqual({ ...decodeHeaderBlock(await d2.decompress(c.compress(encodeHeaderBlock(h)))) }, Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [v]])));
  }
  d2.close();
});

test('header decompression rejects garbage', async () => {
  const d = new HeaderDecompressor();
  await assert.rejects(d.decompress(Buffer.from('not zlib at all')), SpdyProtocolError);
  await assert.rejects(d.decompress(Buffer.from('again')), SpdyProtocolError);
  d.close();
});
