#!/usr/bin/env node
// Runs every compiled test file with node's test runner: unit tests (beside the sources) first,
// then the end-to-end tests in test/e2e. `--unit` runs only the unit tests.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  let out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const unitOnly = process.argv.includes('--unit');
const unit = find('dist/src');
const e2e = unitOnly ? [] : find('dist/test');
let failed = false;
for (const [label, files, extra] of [['unit', unit, []], ['e2e', e2e, ['--test-concurrency=1']]]) {
  if (!files.length) continue;
  console.log(`\n# ${label} tests: ${files.length} files`);
  const r = spawnSync(process.execPath, ['--test', ...extra, ...files], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
