// Benchmark entry point: `npm run bench` runs every benchmark at full size, `npm run bench -- NAME`
// one of them, `--tiny` a small smoke size. Results are printed as a table and written as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from './api.js';
import * as deployscale from './deployscale.js';
import * as footprint from './footprint.js';
import * as pods from './pods.js';
import * as scheduler from './scheduler.js';
import * as streams from './streams.js';
import { machine, printTable, type Row } from './stats.js';

const benchmarks: Record<string, (tiny: boolean) => Promise<{ rows: Row[]; raw: Record<string, unknown> }>> = {
  api: (tiny) => api.apiBench(tiny ? api.TINY : api.FULL),
  pods: (tiny) => pods.podBench(tiny ? pods.TINY : pods.FULL),
  burst: (tiny) => pods.burstBench(tiny ? pods.BURST_TINY : pods.BURST_FULL),
  scheduler: (tiny) => scheduler.schedulerBench({ ...(tiny ? scheduler.TINY : scheduler.FULL), profileDir: process.env.TINYKUBE_BENCH_PROFILE_DIR }),
  footprint: (tiny) => footprint.footprintBench(tiny ? footprint.TINY : footprint.FULL),
  streams: (tiny) => streams.streamBench(tiny ? streams.TINY : streams.FULL),
  deployscale: (tiny) => deployscale.deployScaleBench({ ...(tiny ? deployscale.TINY : deployscale.FULL), profileDir: process.env.TINYKUBE_BENCH_PROFILE_DIR }),
};

export async function runBenchmarks(names: string[], tiny: boolean, resultsDir?: string) {
  const selected = names.length ? names : Object.keys(benchmarks);
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  for (const name of selected) if (!benchmarks[name]) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(', ')}`);
  const record = { date: new Date().toISOString(), machine: machine(), tiny, results, rows };
  const file = resultsDir && join(resultsDir, `${record.date.replace(/[:.]/g, '-')}.json`);
  for (const name of selected) {
    // A benchmark that fails is reported as such and the others still run (a full run is long).
    const t0 = performance.now();
    try {
      const r = await benchmarks[name](tiny);
      rows.push(...r.rows);
      results[name] = { ...r.raw, seconds: (performance.now() - t0) / 1000 };
      if (!tiny) printTable(r.rows);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      console.error(`# ${name} failed: ${e instanceof Error ? e.stack : message}`);
      rows.push({ name: `${name}: FAILED`, goal: '-', measured: message.slice(0, 200), reference: '-', ratio: '-', met: false });
      results[name] = { error: message };
    }
    // Written after every benchmark, so a long run that breaks off keeps what it measured.
    if (file) {
      mkdirSync(resultsDir!, { recursive: true });
      writeFileSync(file, JSON.stringify(record, null, 2));
    }
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
  // Exit even if a client socket lingers; non-zero when a benchmark failed (a missed goal is not a failure).
  process.exit(Object.values(record.results).some((r) => (r as { error?: string }).error) ? 1 : 0);
}
