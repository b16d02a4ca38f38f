import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './errors.js';
import { parseSelector, selectorFromLabelSelector } from './labels.js';

// The pods of the kubia walkthrough that `kubectl get po -l` filters.
const pods: Record<string, Record<string, string>> = {
  manual: { creation_method: 'manual' },
  v2: { creation_method: 'manual', env: 'debug' },
  prod: { env: 'prod', app: 'kubia' },
  devel: { env: 'devel', tier: '3' },
};
const select = (s: string): string[] => Object.keys(pods).filter((k) => parseSelector(s).matches(pods[k])).sort();

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('every selector form kubectl get -l uses', () => {
  assert.deepEqual(select('creation_method=manual'), ['manual', 'v2']);
  assert.deepEqual(select('creation_method==manual'), ['manual', 'v2']);
  assert.deepEqual(select('env'), ['devel', 'prod', 'v2']);
  assert.deepEqual(select('!env'), ['manual']);
  assert.deepEqual(select('creation_method!=manual'), ['devel', 'prod']);
  assert.deepEqual(select('env in (prod,devel)'), ['devel', 'prod']);
  assert.deepEqual(select('env notin (prod,devel)'), ['manual', 'v2']);
  assert.deepEqual(select('env in (prod,devel),app'), ['prod']);
  assert.deepEqual(select('env,!tier'), ['prod', 'v2']);
});

test('the empty selector selects everything, including objects without labels', () => {
  const s = parseSelector('');
  assert.equal(s.empty(), true);
  assert.equal(s.matches(undefined), true);
  assert.deepEqual(select('  '), ['devel', 'manual', 'prod', 'v2']);
  assert.equal(parseSelector('env').matches(undefined), false);
  assert.equal(parseSelector('!env').matches(undefined), true);
});

test('whitespace is allowed between all tokens', () => {
  assert.deepEqual(select(' env  in\t( prod ,devel ) ,\napp '), ['prod']);
  assert.deepEqual(select('creation_method = manual , ! env'), ['manual']);
  assert.deepEqual(select('creation_method != manual'), ['devel', 'prod']);
});

test('values may be empty: `k=`, `k in ()`, `(a,)`', () => {
  const labels = { a: '', b: 'x' };
  assert.equal(parseSelector('a=').matches(labels), true);
  assert.equal(parseSelector('a==,b=x').matches(labels), true);
  assert.equal(parseSelector('a in ()').matches(labels), true);
  assert.equal(parseSelector('b in ()').matches(labels), false);
  assert.deepEqual(parseSelector('a in (x,)').requirements[0].values, ['', 'x']);
  assert.deepEqual(parseSelector('a in (,x)').requirements[0].values, ['', 'x']);
  assert.deepEqual(parseSelector('a in (x,,y)').requirements[0].values, ['', 'x', 'y']);
  assert.deepEqual(parseSelector('a notin (,,)').requirements[0].values, ['']);
});

test('set values are de-duplicated and sorted; keywords are identifiers where a key or value goes', () => {
  assert.deepEqual(parseSelector('a in (z,x,z)').requirements[0].values, ['x', 'z']);
  const s = parseSelector('in in (notin, in)');
  assert.deepEqual(s.requirements, [{ key: 'in', operator: 'in', values: ['in', 'notin'] }]);
  assert.equal(s.matches({ in: 'notin' }), true);
  assert.equal(parseSelector('notin=in').matches({ notin: 'in' }), true);
});

test('notin and != also match objects without the key', () => {
  assert.equal(parseSelector('env notin (prod)').matches({}), true);
  assert.equal(parseSelector('env!=prod').matches({ app: 'x' }), true);
  assert.equal(parseSelector('env in (prod)').matches({}), false);
});

test('gt and lt compare labels as 64-bit integers', () => {
  assert.deepEqual(select('tier>2'), ['devel']);
  assert.deepEqual(select('tier<2'), []);
  assert.deepEqual(select('tier<4'), ['devel']);
  assert.equal(parseSelector('n>1').matches({ n: '007' }), true);
  assert.equal(parseSelector('n<10').matches({ n: 'ten' }), false, 'a non-integer label never matches');
  assert.equal(parseSelector('n<10').matches({}), false);
  assert.equal(parseSelector('n>9223372036854775806').matches({ n: '9223372036854775807' }), true);
  assert.equal(parseSelector('n>1').matches({ n: '9223372036854775808' }), false, 'beyond int64 does not parse');
});

test('requirements are sorted by key and print in upstream normal form', () => {
  const s = parseSelector('z=1, a in (y,x),!b,c, d>5, e<6, f==g, h!=i');
  assert.deepEqual(s.requirements.map((r) => r.key), ['a', 'b', 'c', 'd', 'e', 'f', 'h', 'z']);
  assert.equal(s.toString(), 'a in (x,y),!b,c,d>5,e<6,f==g,h!=i,z=1');
  assert.equal(parseSelector(s.toString()).toString(), s.toString());
});

test('requiresExactMatch finds keys pinned to one value, for index lookups', () => {
  const s = parseSelector('app=kubia,env in (prod),tier in (1,2),x!=y');
  assert.equal(s.requiresExactMatch('app'), 'kubia');
  assert.equal(s.requiresExactMatch('env'), 'prod');
  assert.equal(s.requiresExactMatch('tier'), undefined);
  assert.equal(s.requiresExactMatch('x'), undefined);
  assert.equal(s.requiresExactMatch('missing'), undefined);
});

test('malformed selectors are 400 BadRequest with upstream messages', () => {
  const cases: Array<[string, string]> = [
    ['a in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a in (x', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (x y)', "unable to parse requirement: found 'y', expected: ',' or ')'"],
    ['a in (x,', "unable to parse requirement: found '', expected: ',', or identifier"],
    ['a in (x,!)', "unable to parse requirement: found '!', expected: ',', or identifier"],
    ['a notin b', "unable to parse requirement: found 'b' expected: '('"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['!!a', "unable to parse requirement: found '!', expected: identifier"],
    ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a,,b', "found ',', expected: identifier after ','"],
    ['=x', "found '=', expected: !, identifier, or 'end of string'"],
    ['!=x', "found '!=', expected: !, identifier, or 'end of string'"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['UPPER.com/x=1', `unable to parse requirement: <nil>: Invalid value: "UPPER.com/x": prefix part ${SUBDOMAIN_MSG}`],
    ['x=' + 'v'.repeat(64), `unable to parse requirement: values[0][x]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`],
    ['x in (ok,-bad)', `unable to parse requirement: values[0][x]: Invalid value: "-bad": ${LABEL_VALUE_MSG}`],
    ['a>b', `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['a>', `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['a>-1', `unable to parse requirement: values[0][a]: Invalid value: "-1": ${LABEL_VALUE_MSG}`],
    ['a<-b', `unable to parse requirement: [values[0]: Invalid value: "-b": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "-b": ${LABEL_VALUE_MSG}]`],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseSelector(input), (e: unknown) => {
      assert.ok(e instanceof ApiError, input);
      assert.equal(e.code, 400, input);
      assert.equal(e.reason, 'BadRequest', input);
      assert.equal(e.message, message, input);
      return true;
    });
  }
});

test('label keys follow the qualified-name rules', () => {
  assert.equal(parseSelector('app.kubernetes.io/name=kubia').matches({ 'app.kubernetes.io/name': 'kubia' }), true);
  assert.equal(parseSelector('Creation_Method.v2').empty(), false);
  for (const bad of ['-a', 'a/b/c', '/a', 'a/', 'k'.repeat(64)]) {
    assert.throws(() => parseSelector(bad), /^Error: unable to parse requirement: <nil>: Invalid value: /, bad);
  }
});

test('the LabelSelector object form', () => {
  const s = selectorFromLabelSelector({
    matchLabels: { app: 'kubia' },
    matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'devel'] }, { key: 'tier', operator: 'DoesNotExist' }],
  });
  assert.equal(s.matches(pods.prod), true);
  assert.equal(s.matches({ app: 'kubia', env: 'devel', tier: '1' }), false);
  assert.equal(s.toString(), 'app=kubia,env in (devel,prod),!tier');
  assert.equal(selectorFromLabelSelector({ matchExpressions: [{ key: 'env', operator: 'Exists' }, { key: 'app', operator: 'NotIn', values: ['x'] }] }).toString(), 'app notin (x),env');
});

test('an absent LabelSelector selects nothing; an empty one selects everything', () => {
  for (const absent of [undefined, null]) {
    const s = selectorFromLabelSelector(absent);
    assert.equal(s.matches({}), false);
    assert.equal(s.empty(), false);
  }
  const all = selectorFromLabelSelector({});
  assert.equal(all.matches(undefined), true);
  assert.equal(all.empty(), true);
  assert.equal(selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).empty(), true);
});

test('invalid LabelSelector objects throw with upstream messages', () => {
  const cases: Array<[Parameters<typeof selectorFromLabelSelector>[0], string]> = [
    [{ matchExpressions: [{ key: 'a', operator: 'Near' }] }, '"Near" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, '"Gt" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x', 'y'] }] }, 'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist'],
    [{ matchLabels: { 'UPPER.com/x': 'v' } }, `key: Invalid value: "UPPER.com/x": prefix part ${SUBDOMAIN_MSG}`],
    [{ matchLabels: { app: 'a b' } }, `values[0][app]: Invalid value: "a b": ${LABEL_VALUE_MSG}`],
    [{ matchExpressions: [{ key: '', operator: 'In', values: ['-'] }] }, "[key: Invalid value: \"\": name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), values[0][]: Invalid value: \"-\": " + LABEL_VALUE_MSG + ']'],
  ];
  for (const [ls, message] of cases) {
    assert.throws(() => selectorFromLabelSelector(ls), (e: unknown) => e instanceof Error && !(e instanceof ApiError) && e.message === message, message);
  }
});
