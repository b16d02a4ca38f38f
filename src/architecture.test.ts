// The import rules of issue 11, checked on the sources: a file imports only its own folder tree or
// a lower floor (never a sibling on its floor), and no import circle exists anywhere in src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The test runs compiled from dist/src/, the sources are two levels up from there. */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

const FLOORS: Record<string, number> = {
  api: 0,
  storage: 1,
  streams: 1,
  client: 2,
  scheduler: 3,
  agent: 3,
  apiserver: 4,
  controllers: 4,
  daemons: 5,
  cli: 6,
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports (also `import type` and `import('./x.js')`), as source paths. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g), ...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** The top folder of src/ a file lives in, or undefined for a file directly in src/. */
const area = (file: string): string | undefined => {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0] : undefined;
};

const graph = new Map(sources(SRC).map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));
const show = (f: string) => relative(SRC, f);

test('every src folder has a floor', () => {
  const unknown = [...new Set([...graph.keys()].map(area).filter((a) => a !== undefined && !(a in FLOORS)))];
  assert.ok(unknown.length === 0, `folders without a floor: ${unknown.join(', ')}`);
});

test('no import goes up a floor or across to a sibling on the same floor', () => {
  const bad: string[] = [];
  for (const [file, deps] of graph) {
    const from = area(file);
    if (from === undefined) continue;
    for (const dep of deps) {
      const to = area(dep);
      if (to === undefined || to === from) continue;
      if (!(FLOORS[to] < FLOORS[from])) bad.push(`${show(file)} → ${show(dep)} (${from} ${FLOORS[from]} → ${to} ${FLOORS[to]})`);
    }
  }
  assert.ok(bad.length === 0, `imports against the floors:\n${bad.join('\n')}`);
});

test('no import circle', () => {
  // Tarjan's strongly connected components: every component larger than one file is a circle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  const report = circles.map((c) => {
    const members = new Set(c);
    const edges = c.flatMap((f) => (graph.get(f) ?? []).filter((d) => members.has(d)).map((d) => `  ${show(f)} → ${show(d)}`));
    return `circle of ${c.length} files:\n${edges.join('\n')}`;
  });
  assert.ok(report.length === 0, `import circles:\n${report.join('\n')}`);
});
