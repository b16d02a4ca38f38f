// What the sandbox and container halves of the runtime share once init() has run.
import type { ConmonLaunch } from './conmon.js';
import type { ExitWatcher } from './exitwatcher.js';
import type { Layout } from './layout.js';
import type { HostFacts } from './ocispec.js';
import type { Runc } from './runc.js';
import type { Tools } from './tools.js';

export interface RuntimeContext {
  layout: Layout;
  tools: Tools;
  runc: Runc;
  exits: ExitWatcher;
  host: HostFacts;
}

/** The conmon arguments that are the same for every container of this runtime. */
export function conmonBase(ctx: RuntimeContext): Pick<ConmonLaunch, 'conmon' | 'runc' | 'runcRoot' | 'exitDir' | 'socketDir'> {
  return { conmon: ctx.tools.conmon, runc: ctx.tools.runc, runcRoot: ctx.layout.runcRoot, exitDir: ctx.layout.exitDir, socketDir: ctx.layout.socketDir };
}
