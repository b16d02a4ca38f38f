// Benchmark entry point: `npm run bench` runs every benchmark at full size, `npm run bench -- NAME`
// one of them, `--tiny` a small smoke size. Results are printed as a table and written as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from './api.js';
import * as pods from './pods.js';
import { machine, printTable, type Row } from './stats.js';

const benchmarks: Record<string, (tiny: boolean) => Promise<{ rows: Row[]; raw: Record<string, unknown> }>> = {
  api: (tiny) => api.apiBench(tiny ? api.TINY : api.FULL),
  pods: (tiny) => pods.podBench(tiny ? pods.TINY : pods.FULL),
};

export async function runBenchmarks(names: string[], tiny: boolean, resultsDir?: string) {
  const selected = names.length ? names : Object.keys(benchmarks);
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  for (const name of selected) {
    const bench = benchmarks[name];
    if (!bench) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(', ')}`);
    const r = await bench(tiny);
    rows.push(...r.rows);
    results[name] = r.raw;
  }
  const record = { date: new Date().toISOString(), machine: machine(), tiny, results, rows };
  if (resultsDir) {
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `${record.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(record, null, 2));
  }
  return { rows, record };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const tiny = args.includes('--tiny');
  const here = dirname(fileURLToPath(import.meta.url));
  const { rows, record } = await runBenchmarks(args.filter((a) => !a.startsWith('--')), tiny, tiny ? undefined : join(here, '../../bench/results'));
  console.log(`machine: ${JSON.stringify(record.machine)}`);
  printTable(rows);
}
