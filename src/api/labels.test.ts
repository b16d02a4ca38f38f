import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import { parseSelector, selectorFromLabelSelector } from './labels.js';

const pods: Record<string, Record<string, string>> = {
  manual: { creation_method: 'manual' },
  v2: { creation_method: 'manual', env: 'debug' },
  prod: { env: 'prod', app: 'kubia' },
  devel: { env: 'devel', tier: '3' },
};
const select = (s: string) => Object.keys(pods).filter((k) => parseSelector(s).matches(pods[k])).sort();

test('every selector form kubectl get -l uses', () => {
  assert.deepEqual(select('creation_method=manual'), ['manual', 'v2']);
  assert.deepEqual(select('creation_method==manual'), ['manual', 'v2']);
  assert.deepEqual(select('env'), ['devel', 'prod', 'v2']);
  assert.deepEqual(select('!env'), ['manual']);
  assert.deepEqual(select('creation_method!=manual'), ['devel', 'prod']);
  assert.deepEqual(select('env in (prod,devel)'), ['devel', 'prod']);
  assert.deepEqual(select('env notin (prod,devel)'), ['manual', 'v2']);
  assert.deepEqual(select('env in (prod, devel), app'), ['prod']);
  assert.deepEqual(select('tier>2'), ['devel']);
  assert.deepEqual(select('tier<2'), []);
  assert.deepEqual(select(''), ['devel', 'manual', 'prod', 'v2']);
  assert.deepEqual(select('env='), []);
});

test('selectors print in upstream order and form', () => {
  assert.equal(parseSelector('z=1, a in (x,y),!b').toString(), 'a in (x,y),!b,z=1');
});

test('malformed selectors are 400 BadRequest', () => {
  for (const bad of ['!!a', 'a in (', 'a=b=c', '=x', 'a notin b', 'a,', 'UPPER.com/x=1', 'a in ()', 'x=' + 'v'.repeat(64), 'a>b', '-a=1']) {
    assert.throws(() => parseSelector(bad), (e: unknown) => e instanceof ApiError && e.code === 400 && /unable to parse requirement/.test(e.message), bad);
  }
});

test('the LabelSelector object form', () => {
  const s = selectorFromLabelSelector({ matchLabels: { app: 'kubia' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }, { key: 'tier', operator: 'DoesNotExist' }] });
  assert.equal(s.matches(pods.prod), true);
  assert.equal(s.matches(pods.devel), false);
  assert.equal(selectorFromLabelSelector(undefined).matches({}), true);
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] }), /not a valid label selector operator/);
  assert.throws(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /can't be empty/);
});
