import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caHash, formatToken, parseStreamPath, parseToken, streamPath } from './nodecontract.js';

test('a token carries the CA hash and the secret, and nothing else parses', () => {
  const ca = '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n';
  const token = formatToken(ca, 'a'.repeat(32));
  assert.deepEqual(parseToken(token), { caHash: caHash(ca), secret: 'a'.repeat(32) });
  assert.deepEqual(parseToken(` ${token}\n`).secret, 'a'.repeat(32));
  for (const bad of ['', 'TK1abc::node:00', `K10${caHash(ca)}::node:${'a'.repeat(32)}`, `TK1${caHash(ca)}::server:${'a'.repeat(32)}`]) {
    assert.throws(() => parseToken(bad), /a node token looks like/);
  }
});

test('streaming paths: built by the server, parsed by the agent', () => {
  const exec = streamPath('exec', 'ns 1', 'web', 'app/x', new URLSearchParams({ command: 'ls', container: 'app/x' }));
  assert.equal(exec, '/exec/ns%201/web/app%2Fx?command=ls&container=app%2Fx');
  assert.deepEqual({ ...parseStreamPath(exec)!, query: parseStreamPath(exec)!.query.getAll('command') }, { verb: 'exec', namespace: 'ns 1', pod: 'web', container: 'app/x', query: ['ls'] });
  assert.equal(streamPath('portForward', 'd', 'p', undefined, new URLSearchParams()), '/portForward/d/p');
  assert.equal(streamPath('containerLogs', 'd', 'p', 'c', new URLSearchParams({ follow: 'true' })), '/containerLogs/d/p/c?follow=true');
  const pf = parseStreamPath('/portForward/d/p?port=80')!;
  assert.equal(pf.container, undefined);
  assert.equal(pf.query.get('port'), '80');
  assert.equal(parseStreamPath('/exec/d'), undefined);
  assert.equal(parseStreamPath('/'), undefined);
});
