#!/usr/bin/env node
// Generates src/apiserver/protobuf/schema.json: the protobuf wire schema of every type the API
// server reads from request bodies, so that Kubernetes protobuf bodies
// (`Content-Type: application/vnd.kubernetes.protobuf`, sent by kubectl >= 1.32's typed clients)
// can be decoded to the same JSON object a JSON client would have sent.
//
// Not needed at build or test time: the output is committed. Regenerate with checkouts (or bare
// git directories, e.g. the ones `fetch` leaves in /work/.mirror) of kubernetes/api and
// kubernetes/apimachinery:
//     node scripts/gen-protobuf-schema.mjs --api DIR --apimachinery DIR [--ref v0.33.13] [--check]
//
// Sources, and what each contributes:
// - <pkg>/generated.proto (proto2, written by go-to-protobuf): messages, field numbers, field
//   names, scalar or message types, repeated, map<K,V>.
// - the Go types of the same package (types.go and friends, the `protobuf:"..."` struct tags):
//   what the proto cannot say but the JSON form depends on. gogo writes a non-pointer field even
//   when it holds its zero value, and Go's encoding/json then drops it only if the field is
//   `omitempty`; pointer fields are written only when set. So each field records whether it is a
//   Go pointer, whether its JSON tag is omitempty, its JSON name, and whether it is embedded
//   `json:",inline"` (VolumeSource in Volume: its fields are flattened into the parent object).
//   Go types declared as slices (`type ExtraValue []string`) are wrapped in a message with one
//   repeated field `items`; they are marked so the decoder emits a plain array.
// - src/api/schema/definitions.json (x-kubernetes-group-version-kind): group/version/kind -> message.
//
// Output format (compact, deterministic):
//   { "source": "...", "kinds": { "apps/v1/Deployment": "k8s.io.api.apps.v1.Deployment", ... },
//     "messages": { "<full message name>": { "f": [[number, jsonName, type, flags], ...], "list"?: 1 } } }
// `type` is a scalar (string, bool, int32, int64, uint32, uint64, sint32, sint64, fixed32, fixed64,
// sfixed32, sfixed64, double, float, bytes) or a full message name; a map field's `type` is the
// value type (keys are strings in every Kubernetes map). Flags: 1 repeated, 2 map, 4 omitempty,
// 8 Go pointer, 16 inline (json ",inline"), 32 no Go field matched (emit whatever the wire holds).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outFile = path.join(root, 'src/apiserver/protobuf/schema.json');
const definitionsFile = path.join(root, 'src/api/schema/definitions.json');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const check = args.includes('--check');
const apiDir = opt('api');
const machineryDir = opt('apimachinery');
const ref = opt('ref', 'v0.33.13');
if (!apiDir || !machineryDir) {
  console.error('usage: gen-protobuf-schema.mjs --api DIR --apimachinery DIR [--ref TAG] [--check]');
  process.exit(2);
}

// The Go packages whose messages the server decodes (the groups it serves, plus meta/v1 for
// DeleteOptions and ObjectMeta, autoscaling/v1 for Scale, policy/v1 for Eviction, the review kinds
// of authorization/v1 and authentication/v1) and the
// apimachinery packages they use.
const PACKAGES = [
  { repo: apiDir, dir: 'core/v1' },
  { repo: apiDir, dir: 'apps/v1' },
  { repo: apiDir, dir: 'batch/v1' },
  { repo: apiDir, dir: 'coordination/v1' },
  { repo: apiDir, dir: 'events/v1' },
  { repo: apiDir, dir: 'autoscaling/v1' },
  { repo: apiDir, dir: 'policy/v1' },
  { repo: apiDir, dir: 'discovery/v1' },
  { repo: apiDir, dir: 'authorization/v1' },
  { repo: apiDir, dir: 'authentication/v1' },
  { repo: machineryDir, dir: 'pkg/apis/meta/v1' },
  { repo: machineryDir, dir: 'pkg/runtime' },
  { repo: machineryDir, dir: 'pkg/api/resource' },
  { repo: machineryDir, dir: 'pkg/util/intstr' },
];

// ---- reading a checkout or a bare git directory ----

const isGitDir = (dir) => fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'objects'));
const git = (dir, ...a) => execFileSync('git', ['--git-dir', dir, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });

function listGo(repo, dir) {
  const names = isGitDir(repo)
    ? git(repo, 'ls-tree', '--name-only', ref, `${dir}/`).split('\n').map((p) => path.basename(p))
    : fs.readdirSync(path.join(repo, dir));
  return names.filter((n) => n.endsWith('.go') && !n.endsWith('_test.go') && !n.startsWith('zz_generated') && n !== 'generated.pb.go');
}
const readFile = (repo, file) => (isGitDir(repo) ? git(repo, 'show', `${ref}:${file}`) : fs.readFileSync(path.join(repo, file), 'utf8'));

// ---- generated.proto ----

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** { pkg, messages: Map<name, fields[]> } with fields { number, name, type, repeated, map } (types unresolved). */
function parseProto(text) {
  const src = stripComments(text);
  const pkg = src.match(/^\s*package\s+([\w.]+)\s*;/m)[1];
  const messages = new Map();
  const stack = [];
  for (const raw of src.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    let m;
    if ((m = line.match(/^message\s+(\w+)\s*\{$/))) {
      const name = stack.length ? `${stack.at(-1)}.${m[1]}` : m[1];
      stack.push(name);
      messages.set(name, []);
    } else if (line === '}') {
      stack.pop();
    } else if ((m = line.match(/^(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*(\[[^\]]*\])?\s*;$/))) {
      messages.get(stack.at(-1)).push({ number: Number(m[4]), name: m[3], type: m[2], repeated: m[1] === 'repeated', map: false, packed: /packed\s*=\s*true/.test(m[5] ?? '') });
    } else if ((m = line.match(/^map\s*<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;$/))) {
      if (m[1] !== 'string') throw new Error(`map key type ${m[1]} is not supported (${m[3]})`);
      messages.get(stack.at(-1)).push({ number: Number(m[4]), name: m[3], type: m[2], repeated: false, map: true });
    } else if (/^(syntax|package|import|option|reserved|enum|oneof|extend)\b/.test(line)) {
      if (/^(enum|oneof|extend)\b/.test(line)) throw new Error(`unsupported proto construct: ${line}`);
    } else if (stack.length) {
      throw new Error(`unparsed proto line in ${pkg}.${stack.at(-1)}: ${line}`);
    }
  }
  return { pkg, messages };
}

// ---- the Go types ----

/** struct name -> Map<protobuf field number, { jsonName, omitempty, inline, pointer, skip }>, and names of slice types. */
function parseGo(texts) {
  const structs = new Map();
  const slices = new Set();
  for (const text of texts) {
    for (const m of text.matchAll(/^type\s+(\w+)\s+\[\]/gm)) slices.add(m[1]);
    const re = /^type\s+(\w+)\s+struct\s*\{\n([\s\S]*?)^\}/gm;
    for (const m of text.matchAll(re)) {
      const fields = new Map();
      for (const line of m[2].split('\n')) {
        const tag = line.match(/`([^`]*)`/);
        if (!tag) continue;
        const pb = tag[1].match(/protobuf:"([^"]*)"/);
        if (!pb) continue;
        const parts = pb[1].split(',');
        const number = Number(parts[1]);
        const pbName = parts.find((p) => p.startsWith('name='))?.slice(5);
        const json = tag[1].match(/json:"([^"]*)"/)?.[1] ?? '';
        const [jsonName, ...jsonOpts] = json.split(',');
        const decl = line.slice(0, tag.index).trim().split(/\s+/);
        // `Name Type` or an embedded `Type` / `*Type`.
        const goType = decl.length >= 2 ? decl.slice(1).join(' ') : decl[0];
        fields.set(number, {
          pbName,
          jsonName: jsonName || pbName,
          omitempty: jsonOpts.includes('omitempty'),
          inline: jsonOpts.includes('inline'),
          pointer: goType.startsWith('*'),
          skip: jsonName === '-',
        });
      }
      structs.set(m[1], fields);
    }
  }
  return { structs, slices };
}

// ---- assemble ----

const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'double', 'float', 'bytes']);
const FLAG = { repeated: 1, map: 2, omitempty: 4, pointer: 8, inline: 16, unmatched: 32 };

const protos = [];
for (const p of PACKAGES) {
  const proto = parseProto(readFile(p.repo, `${p.dir}/generated.proto`));
  const go = parseGo(listGo(p.repo, p.dir).map((n) => readFile(p.repo, `${p.dir}/${n}`)));
  protos.push({ ...p, ...proto, go });
}
const known = new Set(protos.flatMap((p) => [...p.messages.keys()].map((n) => `${p.pkg}.${n}`)));

function resolveType(type, pkg) {
  if (SCALARS.has(type)) return type;
  if (type.startsWith('.')) return type.slice(1);
  // Relative names: the innermost scope first (go-to-protobuf only uses same-package names).
  const full = `${pkg}.${type}`;
  if (known.has(full)) return full;
  if (known.has(type)) return type;
  return full;
}

const messages = {};
const unmatched = [];
const missing = new Set();
for (const p of protos) {
  for (const [name, fields] of p.messages) {
    const goFields = p.go.structs.get(name);
    const out = [];
    for (const f of fields.sort((a, b) => a.number - b.number)) {
      const type = resolveType(f.type, p.pkg);
      if (!SCALARS.has(type) && !known.has(type)) missing.add(type);
      const g = goFields?.get(f.number);
      let flags = (f.repeated ? FLAG.repeated : 0) | (f.map ? FLAG.map : 0);
      let jsonName = f.name;
      if (g && (g.pbName === f.name || g.pbName === undefined)) {
        if (g.skip) continue;
        jsonName = g.inline ? '' : g.jsonName;
        flags |= (g.omitempty ? FLAG.omitempty : 0) | (g.pointer ? FLAG.pointer : 0) | (g.inline ? FLAG.inline : 0);
      } else {
        flags |= FLAG.unmatched;
        unmatched.push(`${p.pkg}.${name}.${f.name}`);
      }
      out.push([f.number, jsonName, type, flags]);
    }
    const entry = { f: out };
    // `type X []T` becomes `message X { repeated T items = 1; }`: its JSON form is the array.
    if (p.go.slices.has(name) && fields.length === 1 && fields[0].name === 'items' && fields[0].repeated) entry.list = 1;
    messages[`${p.pkg}.${name}`] = entry;
  }
}
if (missing.size) throw new Error(`messages referenced but not generated (add their package): ${[...missing].join(', ')}`);

// group/version/kind -> message, from the OpenAPI definitions' x-kubernetes-group-version-kind.
const definitions = JSON.parse(fs.readFileSync(definitionsFile, 'utf8'));
const kinds = {};
for (const [defName, def] of Object.entries(definitions)) {
  const message = defName.replace(/^io\.k8s\./, 'k8s.io.');
  if (!messages[message]) continue;
  for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) kinds[`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`] = message;
}
// DeleteOptions is registered in every group version (and in meta.k8s.io/v1), though the OpenAPI
// definitions do not say so: a typed client sends it with its resource's group version.
const DELETE_OPTIONS = 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions';
for (const gv of new Set([...Object.keys(kinds).map((k) => k.slice(0, k.lastIndexOf('/'))), 'meta.k8s.io/v1'])) kinds[`${gv}/DeleteOptions`] = DELETE_OPTIONS;

const sorted = Object.fromEntries(Object.keys(messages).sort().map((k) => [k, messages[k]]));
const sortedKinds = Object.fromEntries(Object.keys(kinds).sort().map((k) => [k, kinds[k]]));
const doc = {
  source: `kubernetes/api and kubernetes/apimachinery ${ref}: ${PACKAGES.map((p) => p.dir).join(', ')} (generated by scripts/gen-protobuf-schema.mjs)`,
  kinds: sortedKinds,
  messages: sorted,
};
// One message per line: compact, and still reviewable in a diff.
const text = `{\n"source": ${JSON.stringify(doc.source)},\n"kinds": ${JSON.stringify(doc.kinds)},\n"messages": {\n${Object.entries(sorted).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n}\n`;

if (unmatched.length) console.error(`${unmatched.length} proto fields without a Go struct field (decoded as on the wire):\n  ${unmatched.join('\n  ')}`);
if (check) {
  const current = fs.existsSync(outFile) ? fs.readFileSync(outFile, 'utf8') : '';
  if (current !== text) {
    console.error(`${path.relative(root, outFile)} is stale: run node scripts/gen-protobuf-schema.mjs`);
    process.exit(1);
  }
  console.log(`${path.relative(root, outFile)} is up to date`);
} else {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, text);
  console.log(`wrote ${path.relative(root, outFile)}: ${Object.keys(sorted).length} messages, ${Object.keys(sortedKinds).length} kinds, ${text.length} bytes`);
}
