// Runs every benchmark once at a tiny size so the harness cannot rot (no timing assertions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchmarks } from '../../bench/run.js';

test('every benchmark runs at a tiny size and reports every row', async () => {
  const { rows } = await runBenchmarks([], true);
  assert.ok(rows.length >= 7);
  for (const r of rows) assert.ok(r.measured && !r.measured.includes('NaN'), `${r.name}: ${r.measured}`);
});
