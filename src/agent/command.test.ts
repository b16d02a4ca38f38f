import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerArgv, containerEnv, expandVars } from './command.js';

const image = { entrypoint: ['/entry'], cmd: ['serve', '--port=80'], env: ['PATH=/bin', 'MODE=image'] };

test('command replaces ENTRYPOINT and drops CMD; args replace CMD', () => {
  const env = containerEnv(image, { name: 'c' });
  assert.deepEqual(containerArgv(image, { name: 'c' }, env), ['/entry', 'serve', '--port=80']);
  assert.deepEqual(containerArgv(image, { name: 'c', args: ['x'] }, env), ['/entry', 'x']);
  assert.deepEqual(containerArgv(image, { name: 'c', command: ['sh', '-c'] }, env), ['sh', '-c']);
  assert.deepEqual(containerArgv(image, { name: 'c', command: ['sh'], args: ['-c', 'echo'] }, env), ['sh', '-c', 'echo']);
});

test('env merges over the image and $(VAR) expands', () => {
  const env = containerEnv(image, { name: 'c', env: [{ name: 'MODE', value: 'pod' }, { name: 'GREETING', value: 'mode=$(MODE) $$(MODE) $(NOPE)' }] });
  assert.deepEqual(env, ['PATH=/bin', 'MODE=pod', 'GREETING=mode=pod $(MODE) $(NOPE)']);
  assert.deepEqual(containerArgv(image, { name: 'c', args: ['$(MODE)'] }, env), ['/entry', 'pod']);
  assert.equal(expandVars('$$', new Map()), '$');
});
