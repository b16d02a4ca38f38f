// Entry point for the benchmarks' hollow node agent process: what `tinykube agent --hollow N
// --server URL --kubeconfig FILE` will run once src/cli/main.ts dispatches to runHollowNodes.
import { runHollowNodes } from '../src/cli/hollow.js';

runHollowNodes(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`tinykube: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
