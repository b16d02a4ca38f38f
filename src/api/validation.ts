// Name, label and annotation rules of upstream's apimachinery validation (as of v1.33, the version
// tinykube reports), with its messages, so `(Invalid)` errors read as they do on a real cluster.
// Each `is…` check returns the problems it found; an empty list means valid.
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { forbiddenField, invalid, Literal, required, tooLong, type FieldError } from './errors.js';

// Upstream measures lengths in bytes (Go's len), which differs from .length beyond ASCII.
const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');
const anchored = (fmt: string): RegExp => new RegExp(`^${fmt}$`);

const maxLenError = (n: number): string => `must be no more than ${n} characters`;
const EMPTY_ERROR = 'must be non-empty';

/** Upstream's RegexError; its odd `',  or '` spacing between examples is part of the message. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  const eg = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${eg}regex used for validation is '${fmt}')`;
}

/** How upstream prints a []string in a field error: a Go literal, `[]string(nil)` when empty. */
export function goStringSlice(values: readonly string[]): Literal {
  return new Literal(values.length ? `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)');
}

// ---------- DNS names ----------

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1123Label = anchored(DNS1123_LABEL_FMT);
const dns1123Subdomain = anchored(DNS1123_SUBDOMAIN_FMT);
const dns1035Label = anchored(DNS1035_LABEL_FMT);

/** RFC 1123 label: most names that become DNS labels or path components (namespaces, containers). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!dns1123Label.test(value)) {
    // A valid subdomain of acceptable length that is not a label can only have failed on its dots.
    errs.push(dns1123Subdomain.test(value)
      ? 'must not contain dots'
      : regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** RFC 1123 subdomain: the default rule for object names. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push(maxLenError(253));
  if (!dns1123Subdomain.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errs;
}

/** RFC 1035 label: like an RFC 1123 label but starting with a letter (Service names). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!dns1035Label.test(value)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  }
  return errs;
}

// ---------- label keys and values ----------

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_ERROR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const qualifiedName = anchored(QUALIFIED_NAME_FMT);
const labelValue = anchored(LABEL_VALUE_FMT);

/** A label key (also annotation keys and finalizers): `[DNS subdomain prefix '/'] name`, name at most 63. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${regexError(QUALIFIED_NAME_ERROR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const errs: string[] = [];
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '') errs.push(`prefix part ${EMPTY_ERROR}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((e) => `prefix part ${e}`));
  }
  if (name === '') errs.push(`name part ${EMPTY_ERROR}`);
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  // Upstream still runs the pattern on an empty name, so an empty name gets both messages.
  if (!qualifiedName.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_ERROR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** A label value: empty, or a qualified name's name part. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!labelValue.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

// ---------- identifiers and ports ----------

const C_IDENTIFIER_FMT = '[A-Za-z_][A-Za-z0-9_]*';
const cIdentifier = anchored(C_IDENTIFIER_FMT);

export function isCIdentifier(value: string): string[] {
  if (cIdentifier.test(value)) return [];
  return [regexError("a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'", C_IDENTIFIER_FMT, 'my_name', 'MY_NAME', 'MyName')];
}

/**
 * Environment variable names. Since v1.32 (RelaxedEnvironmentVariableValidation, on by default;
 * GA in v1.34) upstream accepts any printable ASCII except '=', no longer C identifiers.
 */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value === '') errs.push(`environment variable name ${EMPTY_ERROR}`);
  if (!/^[\x20-\x3c\x3e-\x7e]*$/.test(value)) errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** IANA_SVC_NAME (RFC 6335), restricted to lower case as upstream does. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

// ---------- path-segment names ----------

/** What may not appear anywhere in a name that is a REST path segment or a storage key component. */
function pathSegmentPrefixErrors(name: string): string[] {
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** The loosest name rule (RBAC objects): anything that survives being a URL path segment. */
export function isValidPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return pathSegmentPrefixErrors(name);
}

// ---------- object metadata ----------

export type NameRule = 'subdomain' | 'label' | 'path-segment';

/**
 * Upstream's maskTrailingDash for generateName prefixes: a trailing dash is fine since a suffix
 * follows. Upstream replaces the last two characters (not just the dash) with 'a'; kept, because
 * it decides which prefixes pass.
 */
const maskTrailingDash = (name: string): string => (name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name);

const nameRules: Record<NameRule, (name: string, prefix: boolean) => string[]> = {
  subdomain: (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name),
  label: (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name),
  'path-segment': (name, prefix) => (prefix ? pathSegmentPrefixErrors(name) : isValidPathSegmentName(name)),
};

export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(key)) errs.push(invalid(path, key, msg));
    for (const msg of isValidLabelValue(value)) errs.push(invalid(path, value, msg));
  }
  return errs;
}

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    // Annotation keys follow the label-key rule, except that case does not matter.
    for (const msg of isQualifiedName(key.toLowerCase())) errs.push(invalid(path, key, msg));
    size += byteLength(key) + byteLength(value);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** Splits an apiVersion as upstream's ParseGroupVersion; an unparsable one yields no group/version. */
function groupVersion(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return { group: '', version: '' };
}

function validateOwnerReferences(refs: readonly OwnerReference[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controller = '';
  for (const ref of refs) {
    const { group, version } = groupVersion(ref.apiVersion ?? '');
    // Upstream does not index these paths: `metadata.ownerReferences.name`, not `[0].name`.
    if (!version) errs.push(invalid(`${path}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(`${path}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(invalid(`${path}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(invalid(`${path}.uid`, ref.uid ?? '', 'uid must not be empty'));
    // Events are deleted by TTL, so nothing may depend on one for garbage collection.
    if (group === '' && version === 'v1' && ref.kind === 'Event') errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller) {
      const current = `${ref.kind}/${ref.name}`;
      if (controller) errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${current}`));
      else controller = current;
    }
  }
  return errs;
}

// Finalizers the garbage collector and namespace controller know; all others need a domain prefix.
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateFinalizers(finalizers: readonly string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers) for (const msg of isQualifiedName(f)) errs.push(invalid(path, f, msg));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(invalid(path, goStringSlice(finalizers), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  // The built-in kinds' own ObjectMeta check (core validation), which indexes its paths.
  finalizers.forEach((f, i) => {
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) errs.push(invalid(`${path}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  return errs;
}

export interface MetaRules {
  namespaced: boolean;
  nameValidator: NameRule;
}

/**
 * Upstream's ValidateObjectMeta for a built-in kind: name (or generateName), namespace, generation,
 * labels, annotations, owner references and finalizers. Expects any generated name to be filled in.
 */
export function validateObjectMeta(meta: ObjectMeta, rules: MetaRules, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const nameRule = nameRules[rules.nameValidator];
  if (meta.generateName) {
    for (const msg of nameRule(meta.generateName, true)) errs.push(invalid(`${path}.generateName`, meta.generateName, msg));
  }
  if (!meta.name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameRule(meta.name, false)) errs.push(invalid(`${path}.name`, meta.name, msg));
  if (!rules.namespaced) {
    if (meta.namespace) errs.push(forbiddenField(`${path}.namespace`, 'not allowed on this type'));
  } else if (!meta.namespace) {
    errs.push(required(`${path}.namespace`));
  } else {
    for (const msg of nameRules.label(meta.namespace, false)) errs.push(invalid(`${path}.namespace`, meta.namespace, msg));
  }
  if ((meta.generation ?? 0) < 0) errs.push(invalid(`${path}.generation`, meta.generation, 'must be greater than or equal to 0'));
  errs.push(
    ...validateLabels(meta.labels, `${path}.labels`),
    ...validateAnnotations(meta.annotations, `${path}.annotations`),
    ...validateOwnerReferences(meta.ownerReferences ?? [], `${path}.ownerReferences`),
    ...validateFinalizers(meta.finalizers ?? [], `${path}.finalizers`),
  );
  return errs;
}
