// App containers: an overlay rootfs, an OCI config that joins the pod's namespaces, and conmon as
// the parent. The state of each lives in containers/<id>/ (record, bundle, conmon's markers).
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conmonPidFile, createWithConmon, exitFile, oomFile, pidFile } from './conmon.js';
import { conmonBase, type RuntimeContext } from './context.js';
import { containerStateOf } from './containerstate.js';
import type { ContainerSpec, ContainerState, Sandbox } from './specs.js';
import { podFilesOf } from './layout.js';
import { unmountUnder } from './mounts.js';
import { appSpec } from './ocispec.js';
import { mountOverlay } from './overlay.js';
import { inNetworkNamespace, processAlive, readPid } from './proc.js';
import { netnsOf, readRecord, readRecords, writeRecord, type ContainerRecord, type SandboxRecord } from './records.js';
import type { RuncExecOptions } from './runc.js';
import { stopUntilExited } from './termination.js';

const STARTED_FILE = 'started';

const now = (): string => new Date().toISOString();
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);
const readText = (path: string): Promise<string | undefined> => readFile(path, 'utf8').then((t) => t.trim(), () => undefined);

export class Containers {
  constructor(private readonly ctx: RuntimeContext) {}

  private dir(id: string): string {
    return this.ctx.layout.containerDir(id);
  }

  async create(sandbox: Sandbox, spec: ContainerSpec): Promise<string> {
    const sb = await readRecord<SandboxRecord>(this.ctx.layout.sandboxDir(sandbox.id));
    if (!sb) throw new Error(`sandbox ${sandbox.id} does not exist`);
    const infraPid = sb.infraPid ?? sb.ready?.infraPid;
    if (!sb.pinned && !infraPid) throw new Error(`sandbox ${sandbox.id} is not ready`);
    // /proc/<pid>/ns/* of a dead infra could be another process's after PID reuse: check it is still the pod's.
    if (infraPid && (sb.shareProcessNamespace || !sb.pinned) && !(await inNetworkNamespace(infraPid, netnsOf(sb)))) {
      throw new Error(`the infra container of sandbox ${sb.id} is not running`);
    }
    if (sb.pinned && sb.netnsPath && !(await exists(sb.netnsPath))) throw new Error(`the network namespace of sandbox ${sb.id} is gone`);
    const id = `${sb.id}-${spec.name}-${spec.attempt}`;
    const dir = this.dir(id);
    try {
      await mkdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`container ${id} already exists`);
      throw e;
    }
    const record: ContainerRecord = {
      id, sandboxId: sb.id, name: spec.name, attempt: spec.attempt, logPath: spec.logPath, createdAt: now(),
      stopSignal: spec.stopSignal || 'SIGTERM', killAll: sb.shareProcessNamespace,
    };
    try {
      await writeRecord(dir, record);
      const rootfs = await mountOverlay(spec.lowerDirs, dir);
      const config = appSpec({
        rootfs, container: spec, netnsPath: sb.netnsPath, infraPid, pinned: sb.pinned, sharePid: sb.shareProcessNamespace,
        cgroupsPath: `${sb.cgroupParent}/${id}`, pod: podFilesOf(this.ctx.layout.sandboxDir(sb.id)), host: this.ctx.host, hostNamespaces: sb.host,
      });
      await writeFile(join(dir, 'config.json'), JSON.stringify(config));
      await createWithConmon({ ...conmonBase(this.ctx), id, bundle: dir, dir, logPath: spec.logPath, terminal: spec.tty, stdin: spec.stdin, stdinOnce: spec.stdinOnce });
    } catch (e) {
      await this.remove(id).catch(() => {});
      throw e;
    }
    return id;
  }

  async start(id: string): Promise<void> {
    await this.ctx.runc.start(id);
    await writeFile(join(this.dir(id), STARTED_FILE), now());
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    const record = await readRecord<ContainerRecord>(this.dir(id));
    if (!record) throw new Error(`container ${id} does not exist`);
    await stopUntilExited(this.ctx, id, this.dir(id), { signal: record.stopSignal, graceMs: graceSeconds * 1000, killAll: record.killAll });
  }

  /** Kills the container if it still runs, deletes it from runc, unmounts and removes its dir; keeps the log. */
  async remove(id: string): Promise<void> {
    const dir = this.dir(id);
    const record = await readRecord<ContainerRecord>(dir);
    await stopUntilExited(this.ctx, id, dir, { signal: 'KILL', graceMs: 0, killAll: record?.killAll ?? true });
    await this.ctx.runc.delete(id);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
    await rm(this.ctx.exits.exitFile(id), { force: true });
  }

  async state(id: string): Promise<ContainerState | undefined> {
    const record = await readRecord<ContainerRecord>(this.dir(id));
    return record && this.observe(record);
  }

  /** Every container this runtime made (or those of one sandbox), from the records and the files beside them (no runc call). */
  async list(sandboxId?: string): Promise<ContainerState[]> {
    const records = await readRecords<ContainerRecord>(this.ctx.layout.containersDir, (name) => !sandboxId || name.startsWith(`${sandboxId}-`));
    return Promise.all(records.map((r) => this.observe(r)));
  }

  /** Ids of the containers of one sandbox (for its teardown). */
  async idsIn(sandboxId: string): Promise<string[]> {
    return (await readRecords<ContainerRecord>(this.ctx.layout.containersDir, (name) => name.startsWith(`${sandboxId}-`))).filter((r) => r.sandboxId === sandboxId).map((r) => r.id);
  }

  exec(id: string, argv: string[], opts: RuncExecOptions = {}): ChildProcess {
    return this.ctx.runc.exec(id, argv, opts);
  }

  /**
   * From files alone, as runc itself decides: conmon's exit file, else runc's exec fifo (present until
   * `runc start`) tells created from running while conmon lives. Only a container without exit file
   * and conmon (conmon killed, or a reboot) costs a `runc state`.
   */
  private async observe(record: ContainerRecord): Promise<ContainerState> {
    const dir = this.dir(record.id);
    const [code, exitStat, oom, startedAt, pid] = await Promise.all([
      readText(exitFile(dir)),
      stat(exitFile(dir)).catch(() => undefined),
      exists(oomFile(dir)),
      readText(join(dir, STARTED_FILE)),
      readPid(pidFile(dir)),
    ]);
    // The started file is written once `runc start` returns, which can be after a short-lived process already exited.
    const exitAt = exitStat && (startedAt && startedAt > exitStat.mtime.toISOString() ? startedAt : exitStat.mtime.toISOString());
    const exit = code !== undefined && code !== '' && exitAt ? { code: Number(code), at: exitAt } : undefined;
    if (exit) return containerStateOf(record, { pid, startedAt, exit, oom, conmonAlive: false });
    const conmonPid = await readPid(conmonPidFile(dir));
    const conmonAlive = conmonPid !== undefined && (await processAlive(conmonPid, [record.id]));
    const runcStatus = conmonAlive
      ? (await exists(join(this.ctx.layout.runcRoot, record.id, 'exec.fifo')) ? 'created' : 'running')
      : (await this.ctx.runc.state(record.id))?.status;
    return containerStateOf(record, { runcStatus, pid, startedAt, oom, conmonAlive });
  }
}
