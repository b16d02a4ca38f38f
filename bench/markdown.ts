// Renders a recorded result (bench/results/<date>.json) as the Markdown table of bench/README.md:
// `node dist/bench/markdown.js bench/results/FILE.json`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Row } from './stats.js';

const cell = (s: string | undefined) => (s ?? '-').replace(/\|/g, '\\|').replace(/>=/g, '≥').replace(/<=/g, '≤');

export function markdown(record: { date: string; machine: Record<string, unknown>; rows: Row[]; results: Record<string, { seconds?: number }> }): string {
  const m = record.machine;
  const out = [
    `Recorded ${record.date} (\`bench/results/${record.date.replace(/[:.]/g, '-')}.json\`) on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, kernel ${m.kernel}; `
      + `Node.js ${m.node}, better-sqlite3 ${m.betterSqlite3}, runc ${m.runc}, conmon ${m.conmon}, podman ${m.podman}, CNI plugins ${m.cniPlugins}. `
      + `Durations: ${Object.entries(record.results).map(([k, v]) => `${k} ${Math.round(v.seconds ?? 0)} s`).join(', ')}.`,
    '',
    '| benchmark | goal | measured | reference | ratio | |',
    '|---|---|---|---|---|---|',
    ...record.rows.map((r) => `| ${cell(r.name)} | ${cell(r.goal)} | ${cell(r.measured)} | ${cell(r.reference)} | ${cell(r.ratio)} | ${r.met === undefined ? '' : r.met ? 'ok' : '**MISS**'} |`),
  ];
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(markdown(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
}
