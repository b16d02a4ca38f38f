#!/usr/bin/env node
// Generates src/api/schema/definitions.json: OpenAPI (v2-style) definitions for every type that the
// `kubernetes-types` package declares, keyed by upstream's definition names
// (io.k8s.api.core.v1.Pod, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...).
//
// Regenerate after upgrading kubernetes-types (or @kubernetes/client-node):
//     node scripts/gen-schema.mjs            # writes src/api/schema/definitions.json
//     node scripts/gen-schema.mjs --check    # exits 1 when the committed file is stale
//
// Sources, and what each contributes:
// - kubernetes-types/**/*.d.ts (parsed with the TypeScript compiler API): types, properties,
//   `required` (non-optional members), and group-version-kind (literal `apiVersion` + `kind`).
//   JSDoc prose is upstream's text and is deliberately dropped; our own descriptions live in
//   src/api/schema/descriptions.ts and are applied when the served documents are built.
// - @kubernetes/client-node's generated models: integer widths (int32/int64), doubles and the
//   `byte` string format, which TypeScript's `number`/`string` cannot express.
// Patch and list metadata (x-kubernetes-patch-*, x-kubernetes-list-*) is ours too:
// src/api/schema/patchmeta.ts, also applied at build time.
//
// The output is deterministic: definitions and properties sorted, no timestamps.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const ts = require('typescript');

const typesDir = path.dirname(require.resolve('kubernetes-types/package.json'));
const clientModelsDir = path.join(path.dirname(require.resolve('@kubernetes/client-node/package.json')), 'dist/gen/models');
const outFile = path.join(root, 'src/api/schema/definitions.json');

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const REF = (name) => ({ $ref: `#/definitions/${name}` });

/** Upstream's Go package for each kubernetes-types module ('core/v1' -> io.k8s.api.core.v1). */
function packageOf(module) {
  const special = {
    'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
    'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
    runtime: 'io.k8s.apimachinery.pkg.runtime',
    version: 'io.k8s.apimachinery.pkg.version',
    'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  };
  return special[module] ?? `io.k8s.api.${module.replace('/', '.')}`;
}

/** Definitions that are not plain structs: upstream gives them a scalar type and format (or none). */
const SCALAR_DEFINITIONS = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  [INT_OR_STRING]: { type: 'string', format: 'int-or-string' },
  // Any JSON value: no type at all.
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': {},
};

/** Kinds that kubernetes-types types with a plain `apiVersion: string` but upstream tags anyway. */
const EXTRA_KINDS = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': [{ group: '', kind: 'Status', version: 'v1' }],
};

// ---- numeric and byte formats, from @kubernetes/client-node's attribute maps ----

/** className -> baseName -> { type, format } */
function loadClientFormats() {
  const byClass = new Map();
  const entry = /"baseName":\s*"([^"]+)",\s*"type":\s*"([^"]*)",\s*"format":\s*"([^"]*)"/g;
  for (const file of fs.readdirSync(clientModelsDir)) {
    if (!file.endsWith('.js')) continue;
    const text = fs.readFileSync(path.join(clientModelsDir, file), 'utf8');
    const fields = new Map();
    for (const m of text.matchAll(entry)) fields.set(m[1], { type: m[2], format: m[3] });
    if (fields.size) byClass.set(file.slice(0, -3), fields);
  }
  return byClass;
}

const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** The client model class for a type: group-prefixed when upstream names collide, else bare. */
function clientClassFor(clientFormats, module, typeName) {
  const [group, version] = module.split('/');
  if (!version) return undefined;
  for (const candidate of [`${capitalize(group)}${capitalize(version)}${typeName}`, `${capitalize(version)}${typeName}`]) {
    if (clientFormats.has(candidate)) return clientFormats.get(candidate);
  }
  return undefined;
}

// ---- TypeScript declarations -> schemas ----

function listModules(dir, prefix = '') {
  const out = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) out.push(...listModules(full, `${prefix}${name}/`));
    else if (name.endsWith('.d.ts')) out.push(`${prefix}${name.slice(0, -'.d.ts'.length)}`);
  }
  return out;
}

/** name -> module, for the imports and local declarations of one file. */
function scopeOf(sourceFile, module) {
  const scope = new Map();
  for (const stmt of sourceFile.statements) {
    if (ts.isImportDeclaration(stmt)) {
      const from = path.posix.normalize(path.posix.join(path.posix.dirname(module), stmt.moduleSpecifier.text));
      for (const el of stmt.importClause?.namedBindings?.elements ?? []) scope.set(el.name.text, from);
    } else if ((ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) && stmt.name) {
      scope.set(stmt.name.text, module);
    }
  }
  return scope;
}

class Generator {
  constructor() {
    this.clientFormats = loadClientFormats();
    this.definitions = {};
    this.unmatchedNumbers = [];
  }

  run() {
    for (const module of listModules(typesDir)) {
      const file = path.join(typesDir, `${module}.d.ts`);
      const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const scope = scopeOf(sf, module);
      for (const stmt of sf.statements) {
        if (ts.isInterfaceDeclaration(stmt)) this.addInterface(stmt, module, scope);
        else if (ts.isTypeAliasDeclaration(stmt)) this.addAlias(stmt, module);
      }
    }
    this.definitions[INT_OR_STRING] = SCALAR_DEFINITIONS[INT_OR_STRING];
    return sortKeys(this.definitions);
  }

  addAlias(decl, module) {
    const name = `${packageOf(module)}.${decl.name.text}`;
    const scalar = SCALAR_DEFINITIONS[name];
    if (!scalar) throw new Error(`no schema known for type alias ${name}`);
    this.definitions[name] = scalar;
  }

  addInterface(decl, module, scope) {
    const name = `${packageOf(module)}.${decl.name.text}`;
    if (SCALAR_DEFINITIONS[name]) {
      this.definitions[name] = SCALAR_DEFINITIONS[name];
      return;
    }
    const formats = clientClassFor(this.clientFormats, module, decl.name.text);
    const properties = {};
    const required = [];
    const literals = {};
    for (const member of decl.members) {
      if (!ts.isPropertySignature(member)) continue;
      const prop = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(member.getSourceFile());
      const format = formats?.get(prop);
      properties[prop] = this.schemaOf(member.type, scope, format, `${name}.${prop}`);
      if (!member.questionToken) required.push(prop);
      if (ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal)) literals[prop] = member.type.literal.text;
    }
    const def = { type: 'object' };
    if (Object.keys(properties).length) def.properties = properties;
    if (required.length) def.required = required.sort();
    const gvk = literals.apiVersion && literals.kind ? [gvkOf(literals.apiVersion, literals.kind)] : EXTRA_KINDS[name];
    if (gvk) def['x-kubernetes-group-version-kind'] = gvk;
    this.definitions[name] = def;
  }

  /** A property's schema; `format` is the client model's entry for that property, if any. */
  schemaOf(node, scope, format, where) {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return format?.format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return this.numberSchema(format, where);
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
        return {};
      case ts.SyntaxKind.ArrayType:
        return { type: 'array', items: this.schemaOf(node.elementType, scope, format, where) };
      case ts.SyntaxKind.LiteralType:
        if (ts.isStringLiteral(node.literal)) return { type: 'string' };
        break;
      case ts.SyntaxKind.UnionType: {
        const kinds = node.types.map((t) => t.kind).sort();
        if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) return REF(INT_OR_STRING);
        if (node.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) return { type: 'string' };
        break;
      }
      case ts.SyntaxKind.TypeLiteral: {
        const index = node.members.find(ts.isIndexSignatureDeclaration);
        if (index && node.members.length === 1) return { type: 'object', additionalProperties: this.schemaOf(index.type, scope, format, where) };
        break;
      }
      case ts.SyntaxKind.TypeReference: {
        const ref = node.typeName.getText(node.getSourceFile());
        if (ref === 'Array' && node.typeArguments?.length === 1) {
          return { type: 'array', items: this.schemaOf(node.typeArguments[0], scope, format, where) };
        }
        const module = scope.get(ref);
        if (module) return REF(`${packageOf(module)}.${ref}`);
        break;
      }
    }
    throw new Error(`${where}: unsupported TypeScript type ${ts.SyntaxKind[node.kind]}`);
  }

  numberSchema(format, where) {
    if (format?.format === 'double') return { type: 'number', format: 'double' };
    if (format?.format === 'int32' || format?.format === 'int64') return { type: 'integer', format: format.format };
    this.unmatchedNumbers.push(where);
    return { type: 'integer', format: 'int32' };
  }
}

function gvkOf(apiVersion, kind) {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', kind, version: apiVersion }
    : { group: apiVersion.slice(0, slash), kind, version: apiVersion.slice(slash + 1) };
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}

const generator = new Generator();
const definitions = generator.run();
const text = `${JSON.stringify(definitions, null, 1)}\n`;
if (generator.unmatchedNumbers.length) {
  console.error(`note: ${generator.unmatchedNumbers.length} numeric fields have no width in the client models; typed int32:`);
  for (const w of generator.unmatchedNumbers) console.error(`  ${w}`);
}
if (process.argv.includes('--check')) {
  const current = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
  if (current !== text) {
    console.error(`${path.relative(root, outFile)} is stale: run node scripts/gen-schema.mjs`);
    process.exit(1);
  }
  console.log(`${path.relative(root, outFile)} is up to date`);
} else {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, text);
  console.log(`wrote ${Object.keys(definitions).length} definitions (${text.length} bytes) to ${path.relative(root, outFile)}`);
}
