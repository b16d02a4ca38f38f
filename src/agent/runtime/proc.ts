// Liveness of processes the runtime did not start itself (conmon daemonizes). PID 1 on this kind of
// host reaps orphans lazily, so an exited conmon lingers as a zombie and `kill -0` still succeeds:
// read /proc/<pid>/stat instead, and check the command line against PID reuse.
import { readFile, stat } from 'node:fs/promises';

/** True if `pid` is alive (not a zombie) and its argv contains every string in `argvIncludes`. */
export async function processAlive(pid: number, argvIncludes: string[] = []): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself contain ') '.
    if (status.slice(status.lastIndexOf(')') + 2).startsWith('Z')) return false;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return argvIncludes.every((s) => argv.includes(s));
  } catch {
    return false;
  }
}

export async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True if the process `pid` is in the network namespace bound at `netnsPath`: guards against PID reuse. */
export async function inNetworkNamespace(pid: number, netnsPath: string): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([stat(`/proc/${pid}/ns/net`), stat(netnsPath)]);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}
