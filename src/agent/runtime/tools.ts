// The host tools the runtime execs, and the Debian packages that provide them, so a missing tool
// fails init() with the install command instead of an ENOENT deep inside a pod start.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Tool → Debian package. */
const HOST_TOOLS: Record<string, string> = {
  runc: 'runc',
  conmon: 'conmon',
  catatonit: 'catatonit',
  script: 'bsdutils',
  ip: 'iproute2',
  mount: 'mount',
  umount: 'mount',
};
const CNI_PLUGINS = ['loopback', 'bridge', 'host-local', 'portmap'] as const;
const CNI_PACKAGE = 'containernetworking-plugins';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a tool on PATH (plus the sbin dirs, which a non-login root shell may lack). */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  return dirs.filter(Boolean).map((d) => join(d, name)).find(executable);
}

export interface Tools {
  runc: string;
  conmon: string;
  catatonit: string;
  /** Gives `runc exec --tty` the terminal it wants. */
  script: string;
}

/** Finds every tool; lists all that are missing in one error naming the packages to install. */
export function findTools(cniBinDir: string): Tools {
  const missing = new Map<string, string>();
  const found: Record<string, string> = {};
  for (const [tool, pkg] of Object.entries(HOST_TOOLS)) {
    const path = which(tool);
    if (path) found[tool] = path;
    else missing.set(tool, pkg);
  }
  for (const plugin of CNI_PLUGINS) if (!executable(join(cniBinDir, plugin))) missing.set(`${cniBinDir}/${plugin}`, CNI_PACKAGE);
  if (missing.size) {
    const packages = [...new Set(missing.values())].join(' ');
    throw new Error(`missing host tools: ${[...missing.keys()].join(', ')}; install them with: apt-get install ${packages}`);
  }
  return { runc: found.runc, conmon: found.conmon, catatonit: found.catatonit, script: found.script };
}
