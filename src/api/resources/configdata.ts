// core/v1 ConfigMaps and Secrets: configuration as key → value maps, validated as upstream does
// (config-key names, a 1 MiB total, immutable objects, a Secret's type rules). A Secret's
// stringData is merged into data (base64) on write and never stored, as the API does.
import { badRequest, forbiddenField, invalid, required, type FieldError } from '../errors.js';
import type { KubeObject } from '../strategy.js';
import { defineStrategy } from '../strategykit.js';
import { ageColumn, column, nameColumn } from '../table.js';

/** Upstream's MaxSecretSize and the ConfigMap total. */
export const MAX_DATA_BYTES = 1024 * 1024;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const KEY_MESSAGE = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

type Data = Record<string, string>;
interface ConfigObject extends KubeObject { data?: Data; binaryData?: Data; stringData?: Data; immutable?: boolean; type?: string }

/** Upstream's IsConfigMapKey. */
export function configKeyErrors(key: string): string[] {
  const out: string[] = [];
  if (key.length > 253) out.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(key)) out.push(KEY_MESSAGE);
  if (key === '.') out.push("must not be '.'");
  else if (key === '..') out.push("must not be '..'");
  else if (key.startsWith('..')) out.push("must not start with '..'");
  return out;
}

function keyErrors(field: string, data: Data | undefined): FieldError[] {
  return Object.keys(data ?? {}).flatMap((k) => configKeyErrors(k).map((msg) => invalid(`${field}[${k}]`, k, msg)));
}

const tooLong = (field: string): FieldError => ({ type: 'TooLong', field, detail: `must have at most ${MAX_DATA_BYTES} bytes` });

/** Bytes of a base64 value once decoded. */
const decodedLength = (b64: string): number => Buffer.byteLength(b64, 'base64');

/** Go's StdEncoding decoder accepts exactly this; the offset is where it stops, as CorruptInputError says. */
export function base64Error(value: string): number | undefined {
  const bad = value.search(/[^A-Za-z0-9+/=\r\n]/);
  if (bad >= 0) return bad;
  const clean = value.replace(/[\r\n]/g, '');
  const pad = clean.indexOf('=');
  if (pad >= 0 && (!/^=*$/.test(clean.slice(pad)) || clean.length - pad > 2)) return pad;
  if (clean.length % 4 !== 0) return clean.length - (clean.length % 4);
  return undefined;
}

function checkBase64(kind: string, data: Data | undefined): void {
  for (const v of Object.values(data ?? {})) {
    if (typeof v !== 'string') continue;
    const at = base64Error(v);
    if (at !== undefined) throw badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: illegal base64 data at input byte ${at}`);
  }
}

/** Upstream's immutable rules: once `immutable: true`, neither it nor the data may change. */
function immutableErrors(obj: ConfigObject, old: ConfigObject, fields: (keyof ConfigObject)[]): FieldError[] {
  if (!old.immutable) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(forbiddenField('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {})) errs.push(forbiddenField(String(f), 'field is immutable when `immutable` is set'));
  }
  return errs;
}

function validateConfigMap(cm: ConfigObject): FieldError[] {
  const errs = [...keyErrors('data', cm.data), ...keyErrors('binaryData', cm.binaryData)];
  for (const k of Object.keys(cm.binaryData ?? {})) if (cm.data && k in cm.data) errs.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
  const size = Object.entries(cm.data ?? {}).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0)
    + Object.entries(cm.binaryData ?? {}).reduce((n, [k, v]) => n + k.length + decodedLength(v), 0);
  if (size > MAX_DATA_BYTES) errs.push(tooLong(''));
  return errs;
}

const countKeys = (cm: ConfigObject): number => Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;

export const configMapStrategy = defineStrategy<ConfigObject>({
  resource: { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] },
  prepareForCreate: (cm) => checkBase64('ConfigMap', cm.binaryData),
  prepareForUpdate: (cm) => checkBase64('ConfigMap', cm.binaryData),
  validate: validateConfigMap,
  validateUpdate: (cm, old) => [...validateConfigMap(cm), ...immutableErrors(cm, old, ['data', 'binaryData'])],
  columns: [nameColumn, column('Data', 'string', 'How many keys the ConfigMap holds.', countKeys), ageColumn],
});

/** Keys each built-in Secret type must carry (upstream ValidateSecret). */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};
const JSON_KEYS: Record<string, string> = { 'kubernetes.io/dockercfg': '.dockercfg', 'kubernetes.io/dockerconfigjson': '.dockerconfigjson' };

function validateSecret(s: ConfigObject): FieldError[] {
  const data = s.data ?? {};
  const errs = keyErrors('data', data);
  const size = Object.entries(data).reduce((n, [k, v]) => n + k.length + decodedLength(v), 0);
  if (size > MAX_DATA_BYTES) errs.push(tooLong('data'));
  const type = s.type ?? 'Opaque';
  if (!type) errs.push(required('type'));
  for (const k of REQUIRED_KEYS[type] ?? []) if (!(k in data)) errs.push(required(`data[${k}]`));
  const jsonKey = JSON_KEYS[type];
  if (jsonKey && data[jsonKey] !== undefined) {
    try { JSON.parse(Buffer.from(data[jsonKey], 'base64').toString('utf8')); } catch (e) { errs.push(invalid(`data[${jsonKey}]`, '<secret contents redacted>', String((e as Error).message))); }
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) errs.push(required('data[username]'));
  if (type === 'kubernetes.io/service-account-token' && !s.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  return errs;
}

/** stringData wins over data for the same key and is never stored. */
function mergeStringData(s: ConfigObject): void {
  checkBase64('Secret', s.data);
  if (s.stringData) {
    s.data = { ...(s.data ?? {}) };
    for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete s.stringData;
  }
  s.type ||= 'Opaque';
}

export const secretStrategy = defineStrategy<ConfigObject>({
  resource: { group: '', version: 'v1', kind: 'Secret', plural: 'secrets' },
  prepareForCreate: mergeStringData,
  prepareForUpdate: mergeStringData,
  validate: validateSecret,
  validateUpdate(s, old) {
    const errs = [...validateSecret(s), ...immutableErrors(s, old, ['data'])];
    if ((s.type ?? 'Opaque') !== (old.type ?? 'Opaque')) errs.push(invalid('type', s.type, 'field is immutable'));
    return errs;
  },
  selectableFields: (s) => ({ type: s.type ?? 'Opaque' }),
  columns: [
    nameColumn,
    column('Type', 'string', 'The type of the secret.', (s) => s.type ?? 'Opaque'),
    column('Data', 'string', 'How many keys the secret holds.', (s) => Object.keys(s.data ?? {}).length),
    ageColumn,
  ],
});
