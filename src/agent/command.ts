// How Kubernetes turns an image's ENTRYPOINT/CMD/ENV and a container's command/args/env into the
// process to run: command replaces ENTRYPOINT (and drops CMD), args replace CMD, and $(VAR)
// references expand from the container's environment ($$ escapes a literal $).
import type { Container, EnvVar } from 'kubernetes-types/core/v1.js';

export interface ImageDefaults {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
}

/** Expands $(NAME) from `vars`; unknown references stay as written, `$$(X)` gives `$(X)`. */
export function expandVars(s: string, vars: ReadonlyMap<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return vars.has(name!) ? vars.get(name!)! : m;
  });
}

/** envFrom's variables and the values of `valueFrom` env vars, resolved by the caller (podsources.ts). */
export interface EnvSources {
  envFrom: [string, string][];
  /** undefined: an optional source or key is missing, and the variable is left out. */
  valueFrom(e: EnvVar): string | undefined;
}

/**
 * The environment as `K=V`: the image's first, then envFrom, then the container's env (later
 * wins, in order); `value`s expand $(VAR) from what is defined before them, `valueFrom`s do not.
 */
export function containerEnv(image: ImageDefaults, container: Container, extra: Record<string, string> = {}, sources?: EnvSources): string[] {
  const vars = new Map<string, string>();
  for (const kv of image.env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) vars.set(kv.slice(0, i), kv.slice(i + 1));
  }
  for (const [k, v] of Object.entries(extra)) vars.set(k, v);
  for (const [k, v] of sources?.envFrom ?? []) vars.set(k, v);
  for (const e of container.env ?? []) {
    if (!e.valueFrom) { vars.set(e.name, expandVars(e.value ?? '', vars)); continue; }
    const v = sources?.valueFrom(e);
    if (v !== undefined) vars.set(e.name, v);
  }
  return [...vars.entries()].map(([k, v]) => `${k}=${v}`);
}

export function containerArgv(image: ImageDefaults, container: Container, env: string[]): string[] {
  const vars = new Map(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]));
  const command = container.command?.length ? container.command : image.entrypoint ?? [];
  const args = container.args?.length ? container.args : container.command?.length ? [] : image.cmd ?? [];
  return [...command, ...args].map((s) => expandVars(s, vars));
}
