// Checks a decoded request body against its kind's schema the way kube-apiserver's decoder does:
// unknown fields as its strict decoder reports them (paths like `spec.containers[0].foo`), and
// JSON type mismatches in the words of Go's encoding/json ("json: cannot unmarshal string into Go
// struct field PodSpec.spec.containers of type []v1.Container"). Quantity, IntOrString and Time
// decode themselves upstream, so their errors are those of their own parsers.
import {
  definitionName, definitions, goTypeName, INT_OR_STRING, MICRO_TIME, QUANTITY, refName, shortName, TIME, type Schema,
} from './definitions.js';
import { namedGoTypes } from './gotypes.js';
import { quantityError } from '../quantity.js';
import { microTimeError, timeError } from './time.js';

export interface CheckResult {
  /** Paths of fields the schema does not know, in document order, e.g. 'spec.containers[0].foo'. */
  unknownFields: string[];
  /** The decoding error, if any: upstream's decoder stops at (and reports only) one. */
  typeErrors: string[];
}

/** Where the decoder is: the strict-error path, and Go's error context (innermost struct, field names). */
interface Position {
  path: string;
  struct: string;
  fields: string[];
}

/** A custom unmarshaler's error: upstream's decoder returns it at once, ahead of anything else. */
class FatalDecodeError {
  constructor(readonly message: string) {}
}

const jsonKind = (v: unknown): string =>
  typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : Array.isArray(v) ? 'array' : 'object';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's name for the type a schema decodes into; `named` is the field's named Go type, if any. */
function goType(schema: Schema, named?: string): string {
  if (named) return named;
  const ref = refName(schema);
  if (ref === QUANTITY) return 'resource.Quantity';
  if (ref === INT_OR_STRING) return 'intstr.IntOrString';
  if (ref) return goTypeName(ref);
  switch (schema.type) {
    case 'array': return `[]${goType(schema.items ?? {})}`;
    case 'object': return schema.additionalProperties ? `map[string]${goType(schema.additionalProperties)}` : 'map[string]interface {}';
    case 'string': return schema.format === 'byte' ? '[]uint8' : 'string';
    case 'integer': return schema.format === 'int64' ? 'int64' : 'int32';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    default: return 'interface {}';
  }
}

/** The element type inside a named slice type ('[]v1.Capability' -> 'v1.Capability'). */
const namedElement = (named: string | undefined): string | undefined => (named?.startsWith('[]') ? named.slice(2) : undefined);

const INT_RANGE = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63 - 1] } as const;

class Checker {
  readonly unknownFields: string[] = [];
  firstTypeError: string | undefined;

  private typeError(value: string, type: string, at: Position): void {
    if (this.firstTypeError) return;
    this.firstTypeError = at.fields.length
      ? `json: cannot unmarshal ${value} into Go struct field ${at.struct}.${at.fields.join('.')} of type ${type}`
      : `json: cannot unmarshal ${value} into Go value of type ${type}`;
  }

  check(schema: Schema, value: unknown, at: Position, named?: string): void {
    if (value === null || value === undefined) return; // null decodes to the zero value
    const ref = refName(schema);
    if (ref) return this.checkDefinition(ref, value, at, named);
    switch (schema.type) {
      case 'object':
        if (!isObject(value)) return this.typeError(jsonKind(value), goType(schema, named), at);
        if (!schema.additionalProperties) return; // free-form object
        for (const [key, item] of Object.entries(value)) {
          // Go stores a null map value as the element's zero value: {"a": null} in map[string]string is {"a": ""}.
          if (item === null && schema.additionalProperties.type === 'string') value[key] = '';
          this.check(schema.additionalProperties, item, { ...at, path: `${at.path}.${key}` });
        }
        return;
      case 'array':
        if (!Array.isArray(value)) return this.typeError(jsonKind(value), goType(schema, named), at);
        value.forEach((item, i) => {
          if (item === null && schema.items?.type === 'string') value[i] = '';
          this.check(schema.items ?? {}, item, { ...at, path: `${at.path}[${i}]` }, namedElement(named));
        });
        return;
      case 'string':
        if (typeof value !== 'string') this.typeError(jsonKind(value), goType(schema, named), at);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.typeError(jsonKind(value), goType(schema, named), at);
        return;
      case 'integer': {
        if (typeof value !== 'number') return this.typeError(jsonKind(value), goType(schema, named), at);
        const [min, max] = INT_RANGE[schema.format === 'int64' ? 'int64' : 'int32'];
        if (!Number.isInteger(value) || value < min || value > max) this.typeError(`number ${value}`, goType(schema, named), at);
        return;
      }
      case 'number':
        if (typeof value !== 'number') this.typeError(jsonKind(value), goType(schema, named), at);
        return;
    }
  }

  private checkDefinition(name: string, value: unknown, at: Position, named?: string): void {
    if (name === QUANTITY) {
      const err = quantityError(value);
      if (err) throw new FatalDecodeError(err);
      return;
    }
    if (name === INT_OR_STRING) {
      if (typeof value === 'string') return;
      if (typeof value !== 'number') throw new FatalDecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type int32`);
      if (!Number.isInteger(value) || value < INT_RANGE.int32[0] || value > INT_RANGE.int32[1]) {
        throw new FatalDecodeError(`json: cannot unmarshal number ${value} into Go value of type int32`);
      }
      return;
    }
    if (name === TIME || name === MICRO_TIME) {
      if (typeof value !== 'string') throw new FatalDecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type string`);
      const err = name === TIME ? timeError(value) : microTimeError(value);
      if (err) throw new FatalDecodeError(err);
      return;
    }
    const def = definitions[name];
    if (!def) return;
    if (def.type !== 'object' || !def.properties) {
      // Free-form (RawExtension, FieldsV1, JSON...) or a scalar definition.
      if (def.type && def.type !== 'object') this.check(def, value, at, named);
      return;
    }
    if (!isObject(value)) return this.typeError(jsonKind(value), named ?? goTypeName(name), at);
    const struct = shortName(name);
    for (const [key, item] of Object.entries(value)) {
      const path = at.path ? `${at.path}.${key}` : key;
      const prop = def.properties[key];
      if (!prop) {
        this.unknownFields.push(path);
        continue;
      }
      this.check(prop, item, { path, struct, fields: [...at.fields, key] }, namedGoTypes[name]?.[key]);
    }
  }

  /** Checks a whole object of a definition; returns the result as upstream would report it. */
  run(name: string, obj: unknown): CheckResult {
    try {
      this.checkDefinition(name, obj, { path: '', struct: '', fields: [] });
    } catch (e) {
      if (e instanceof FatalDecodeError) return { unknownFields: this.unknownFields, typeErrors: [e.message] };
      throw e;
    }
    return { unknownFields: this.unknownFields, typeErrors: this.firstTypeError ? [this.firstTypeError] : [] };
  }
}

/**
 * Checks `obj` against the schema of group/version/kind. A kind without a schema checks clean.
 * The caller words the results: `strict decoding error: unknown field "spec.foo"`, and type errors
 * as they are.
 */
export function checkObject(group: string, version: string, kind: string, obj: unknown): CheckResult {
  const name = definitionName(group, version, kind);
  if (!name) return { unknownFields: [], typeErrors: [] };
  return new Checker().run(name, obj);
}
