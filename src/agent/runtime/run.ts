// Runs a host tool (runc, ip, mount, a CNI plugin) and returns its stdout. Node cannot setns,
// unshare or mount by itself, so every privileged step of the runtime is a fork+exec.
import { spawn } from 'node:child_process';

export class CommandError extends Error {
  constructor(readonly argv: readonly string[], readonly code: number | null, readonly stdout: string, readonly stderr: string) {
    super(`${argv.join(' ')}: ${(stderr || stdout).trim() || `exit code ${code}`}`);
  }
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      if (code === 0) resolve(stdout);
      else reject(new CommandError([cmd, ...args], code, stdout, Buffer.concat(err).toString()));
    });
    child.stdin.on('error', () => {}); // a tool that exits without reading its input is reported by its exit code
    child.stdin.end(opts.input ?? '');
  });
}
