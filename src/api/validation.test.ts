import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { fieldErrorString } from './errors.js';
import {
  isCIdentifier, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isQualifiedName, isValidLabelValue,
  isValidPathSegmentName, isValidPortName, isValidPortNum, validateAnnotations, validateLabels, validateObjectMeta, type MetaRules,
} from './validation.js';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const subdomainOf = (length: number): string => Array.from({ length: Math.ceil(length / 64) }, () => 'a'.repeat(63)).join('.').slice(0, length);

test('RFC 1123 labels: 63 bytes, lower case, alphanumeric ends, no dots', () => {
  assert.deepEqual(isDNS1123Label('a'.repeat(63)), []);
  assert.deepEqual(isDNS1123Label('123-abc'), []);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1123Label('-a'), [LABEL_MSG]);
  assert.deepEqual(isDNS1123Label('a-'), [LABEL_MSG]);
  assert.deepEqual(isDNS1123Label('Kubia'), [LABEL_MSG]);
  assert.deepEqual(isDNS1123Label(''), [LABEL_MSG]);
  assert.deepEqual(isDNS1123Label('kubia.example'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('é'.repeat(32)), ['must be no more than 63 characters', LABEL_MSG], 'lengths are in bytes');
});

test('RFC 1123 subdomains: 253 bytes, dot-separated labels', () => {
  assert.deepEqual(isDNS1123Subdomain('kubia.example.com'), []);
  assert.deepEqual(isDNS1123Subdomain(subdomainOf(253)), []);
  assert.deepEqual(isDNS1123Subdomain(subdomainOf(254)), ['must be no more than 253 characters']);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  for (const bad of ['Bad_Name', 'UPPER', '-a', 'a.', '.a', 'a..b', 'a.-b', '']) assert.deepEqual(isDNS1123Subdomain(bad), [SUBDOMAIN_MSG], bad);
});

test('RFC 1035 labels start with a letter', () => {
  assert.deepEqual(isDNS1035Label('kubia-svc1'), []);
  assert.deepEqual(isDNS1035Label('1kubia'), ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]);
  assert.equal(isDNS1035Label('a'.repeat(64))[0], 'must be no more than 63 characters');
});

test('qualified names (label keys): optional subdomain prefix, 63-byte name', () => {
  for (const ok of ['creation_method', 'app.kubernetes.io/name', 'MyName', 'my.name', '123-abc', 'a', `${subdomainOf(253)}/${'n'.repeat(63)}`]) assert.deepEqual(isQualifiedName(ok), [], ok);
  assert.deepEqual(isQualifiedName('UPPER.com/x'), [`prefix part ${SUBDOMAIN_MSG}`]);
  assert.deepEqual(isQualifiedName(`${subdomainOf(254)}/x`), ['prefix part must be no more than 253 characters']);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('x/'), ['name part must be non-empty', NAME_PART_MSG]);
  assert.deepEqual(isQualifiedName(`x/${'n'.repeat(64)}`), ['name part must be no more than 63 characters']);
  assert.deepEqual(isQualifiedName('n'.repeat(64)), ['name part must be no more than 63 characters']);
  for (const bad of ['-x', 'x-', '_x', 'a b', 'x/.y']) assert.deepEqual(isQualifiedName(bad), [NAME_PART_MSG], bad);
  assert.deepEqual(isQualifiedName('a/b/c'), ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]);
});

test('label values: empty or up to 63 bytes of a name part', () => {
  for (const ok of ['', 'manual', 'MyValue', 'my_value', '12345', 'v'.repeat(63)]) assert.deepEqual(isValidLabelValue(ok), [], ok);
  assert.deepEqual(isValidLabelValue('v'.repeat(64)), ['must be no more than 63 characters']);
  for (const bad of ['_x', 'x.', 'a b', 'a/b']) assert.deepEqual(isValidLabelValue(bad), [LABEL_VALUE_MSG], bad);
});

test('C identifiers and (relaxed, v1.32+) environment variable names', () => {
  for (const ok of ['MY_VAR', '_x', 'a1']) assert.deepEqual(isCIdentifier(ok), [], ok);
  for (const bad of ['1x', 'a-b', 'a.b', '']) assert.equal(isCIdentifier(bad).length, 1, bad);
  for (const ok of ['MY_VAR', 'my.env-name', '1st', 'a b', '~!@#$%^&*()']) assert.deepEqual(isEnvVarName(ok), [], ok);
  const printable = "a valid environment variable name must consist only of printable ASCII characters other than '='";
  assert.deepEqual(isEnvVarName('A=B'), [printable]);
  assert.deepEqual(isEnvVarName('tab\t'), [printable]);
  assert.deepEqual(isEnvVarName('é'), [printable]);
  assert.deepEqual(isEnvVarName(''), ['environment variable name must be non-empty']);
});

test('port numbers and IANA service port names', () => {
  for (const ok of [1, 80, 65535]) assert.deepEqual(isValidPortNum(ok), [], String(ok));
  for (const bad of [0, -1, 65536, 8.5]) assert.deepEqual(isValidPortNum(bad), ['must be between 1 and 65535, inclusive'], String(bad));
  for (const ok of ['http', 'h2c', 'web-8080', 'a'.repeat(15)]) assert.deepEqual(isValidPortName(ok), [], ok);
  assert.deepEqual(isValidPortName('a'.repeat(16)), ['must be no more than 15 characters']);
  assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('HTTP'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('my--port'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortName('-http'), ['must not begin or end with a hyphen']);
  assert.deepEqual(isValidPortName(''), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']);
});

test('path-segment names', () => {
  assert.deepEqual(isValidPathSegmentName('system:Controller_1'), []);
  assert.deepEqual(isValidPathSegmentName('.'), ["may not be '.'"]);
  assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
  assert.deepEqual(isValidPathSegmentName('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
});

// ---------- object metadata ----------

const namespaced: MetaRules = { namespaced: true, nameValidator: 'subdomain' };
const messages = (meta: ObjectMeta, rules: MetaRules = namespaced): string[] => validateObjectMeta(meta, rules).map(fieldErrorString);

test('valid metadata has no errors', () => {
  assert.deepEqual(messages({
    name: 'kubia-manual', namespace: 'default', generateName: 'kubia-', generation: 1,
    labels: { creation_method: 'manual', 'app.kubernetes.io/name': '' },
    annotations: { 'mycompany.com/someAnnotation': 'foo bar', 'Kubernetes.io/Change-Cause': 'x' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'kubia-1', uid: 'u1', controller: true }, { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2' }],
    finalizers: ['kubernetes', 'example.com/cleanup', 'foregroundDeletion'],
  }), []);
});

test('name or generateName is required; names follow the kind\'s rule', () => {
  assert.deepEqual(messages({ namespace: 'default' }), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(messages({ name: 'Bad_Name', namespace: 'default' }), [`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`]);
  assert.deepEqual(messages({ name: 'a.b' }, { namespaced: false, nameValidator: 'label' }), ['metadata.name: Invalid value: "a.b": must not contain dots']);
  assert.deepEqual(messages({ name: 'a'.repeat(254), namespace: 'default' }), [`metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`]);
  const rbac: MetaRules = { namespaced: false, nameValidator: 'path-segment' };
  assert.deepEqual(messages({ name: 'system:Kube_Controller' }, rbac), []);
  assert.deepEqual(messages({ name: '..' }, rbac), ['metadata.name: Invalid value: "..": may not be \'..\'']);
  assert.deepEqual(messages({ name: 'a/b' }, rbac), ['metadata.name: Invalid value: "a/b": may not contain \'/\'']);
  assert.deepEqual(messages({ name: 'x', generateName: '..' }, rbac), [], 'a prefix may be a dot, the suffix follows');
  assert.deepEqual(messages({ name: 'x', generateName: 'a%' }, rbac), ['metadata.generateName: Invalid value: "a%": may not contain \'%\'']);
});

test('generateName is checked as a prefix: a trailing dash is fine', () => {
  assert.deepEqual(messages({ name: 'kubia-x1', generateName: 'kubia-', namespace: 'default' }), []);
  assert.deepEqual(messages({ name: 'x', generateName: 'Kubia-', namespace: 'default' }), [`metadata.generateName: Invalid value: "Kubia-": ${SUBDOMAIN_MSG}`]);
  assert.deepEqual(messages({ name: 'x', generateName: '-', namespace: 'default' }), [`metadata.generateName: Invalid value: "-": ${SUBDOMAIN_MSG}`]);
  // Upstream masks the character before the dash as well, so this prefix passes.
  assert.deepEqual(messages({ name: 'x', generateName: 'X-', namespace: 'default' }), []);
});

test('namespace is required on namespaced kinds and forbidden on cluster-scoped ones', () => {
  assert.deepEqual(messages({ name: 'x' }), ['metadata.namespace: Required value']);
  assert.deepEqual(messages({ name: 'x', namespace: 'Default' }), [`metadata.namespace: Invalid value: "Default": ${LABEL_MSG}`]);
  assert.deepEqual(messages({ name: 'x', namespace: 'a.b' }), ['metadata.namespace: Invalid value: "a.b": must not contain dots']);
  assert.deepEqual(messages({ name: 'node1', namespace: 'default' }, { namespaced: false, nameValidator: 'subdomain' }), ['metadata.namespace: Forbidden: not allowed on this type']);
});

test('labels: every bad key and value is reported at metadata.labels', () => {
  assert.deepEqual(messages({ name: 'x', namespace: 'd', labels: { 'UPPER.com/ok': 'x y', 'a/b/c': 'v'.repeat(64) } }), [
    `metadata.labels: Invalid value: "UPPER.com/ok": prefix part ${SUBDOMAIN_MSG}`,
    `metadata.labels: Invalid value: "x y": ${LABEL_VALUE_MSG}`,
    'metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\') with an optional DNS subdomain prefix and \'/\' (e.g. \'example.com/MyName\')',
    `metadata.labels: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
  ]);
  assert.deepEqual(validateLabels(undefined, 'spec.nodeSelector'), []);
  assert.deepEqual(validateLabels({ '': 'v' }, 'spec.nodeSelector').map(fieldErrorString), [
    'spec.nodeSelector: Invalid value: "": name part must be non-empty',
    `spec.nodeSelector: Invalid value: "": ${NAME_PART_MSG}`,
  ]);
});

test('annotations: keys are case-insensitive qualified names; 256 KiB in total', () => {
  assert.deepEqual(validateAnnotations({ 'Example.COM/Some_Key': '' }, 'metadata.annotations'), []);
  assert.deepEqual(validateAnnotations({ 'bad key': 'v' }, 'metadata.annotations').map(fieldErrorString), [`metadata.annotations: Invalid value: "bad key": ${NAME_PART_MSG}`]);
  assert.deepEqual(validateAnnotations({ k: 'x'.repeat(256 * 1024 - 1) }, 'metadata.annotations'), [], 'keys and values count, up to the limit');
  const tooBig = ['metadata.annotations: Too long: may not be more than 262144 bytes'];
  assert.deepEqual(messages({ name: 'x', namespace: 'd', annotations: { k: 'x'.repeat(256 * 1024) } }), tooBig);
  assert.deepEqual(messages({ name: 'x', namespace: 'd', annotations: { a: 'x'.repeat(128 * 1024), b: 'x'.repeat(128 * 1024) } }), tooBig);
  assert.deepEqual(messages({ name: 'x', namespace: 'd', annotations: { k: 'é'.repeat(128 * 1024) } }), tooBig, 'sizes are in bytes');
});

test('generation may not be negative', () => {
  assert.deepEqual(messages({ name: 'x', namespace: 'd', generation: -1 }), ['metadata.generation: Invalid value: -1: must be greater than or equal to 0']);
});

test('owner references: required parts, one controller, no Event owners', () => {
  assert.deepEqual(messages({ name: 'x', namespace: 'd', ownerReferences: [{ apiVersion: 'apps/', kind: '', name: '', uid: '' }] }), [
    'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
    'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
    'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
  ]);
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true };
  const errs = messages({ name: 'x', namespace: 'd', ownerReferences: [rs, { ...rs, name: 'b' }] });
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^metadata\.ownerReferences: Invalid value: \[.*\]: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and ReplicaSet\/b$/);
  const event = messages({ name: 'x', namespace: 'd', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: '1' }] });
  assert.match(event[0], /^metadata\.ownerReferences: Invalid value: .*: \/v1, Kind=Event is disallowed from being an owner$/);
  assert.deepEqual(messages({ name: 'x', namespace: 'd', ownerReferences: [{ apiVersion: 'events.k8s.io/v1', kind: 'Event', name: 'e', uid: '1' }] }), []);
});

test('finalizers: qualified names; unprefixed only if standard; orphan excludes foregroundDeletion', () => {
  assert.deepEqual(messages({ name: 'x', namespace: 'd', finalizers: ['example.com/ok', 'my-finalizer', 'UPPER.com/x'] }), [
    `metadata.finalizers: Invalid value: "UPPER.com/x": prefix part ${SUBDOMAIN_MSG}`,
    'metadata.finalizers[1]: Invalid value: "my-finalizer": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  assert.deepEqual(messages({ name: 'x', namespace: 'd', finalizers: ['orphan', 'foregroundDeletion'] }), [
    'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
  ]);
});

test('errors come in upstream order and honour a custom path', () => {
  const errs = validateObjectMeta({ generateName: 'Bad-', labels: { ok: '-' }, annotations: { '-': '' } }, namespaced, 'spec.template.metadata').map((e) => e.field);
  assert.deepEqual(errs, [
    'spec.template.metadata.generateName', 'spec.template.metadata.name', 'spec.template.metadata.namespace',
    'spec.template.metadata.labels', 'spec.template.metadata.annotations',
  ]);
});
