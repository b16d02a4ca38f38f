// Translates a pod's container into the runtime's ContainerSpec: argv and env from the image and
// the container, volume mounts, cgroup resources, and the security settings (securitycontext.ts).
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { quantityMilliValue, quantityValue } from '../api/quantity.js';
import type { ContainerSpec } from './runtime/index.js';
import type { StoredImage } from './runtime/images/index.js';
import { containerArgv, containerEnv } from './command.js';
import type { PreparedVolume } from './volumes.js';
import { SecurityContextError, securitySpec } from './securitycontext.js';
import { envFromSources, envValueFrom, PodSources, SourceError } from './podsources.js';

export class ContainerConfigError extends Error {}

const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;

/** Upstream's mapping: shares from requests, quota from limits, memory limit in bytes. */
export function cgroupResources(c: Container): ContainerSpec['resources'] {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const requestCpu = req.cpu ?? lim.cpu;
  const requestMilli = requestCpu === undefined ? undefined : quantityMilliValue(requestCpu);
  const limitMilli = lim.cpu === undefined ? undefined : quantityMilliValue(lim.cpu);
  const out: NonNullable<ContainerSpec['resources']> = { cpuShares: Math.max(MIN_SHARES, Math.floor(((requestMilli ?? 0) * 1024) / 1000)) };
  if (limitMilli !== undefined) Object.assign(out, { cpuQuota: Math.floor((limitMilli * CPU_PERIOD_US) / 1000), cpuPeriod: CPU_PERIOD_US });
  if (lim.memory !== undefined) out.memoryLimitBytes = quantityValue(lim.memory);
  return out;
}

function mounts(c: Container, volumes: Map<string, PreparedVolume>): ContainerSpec['mounts'] {
  return (c.volumeMounts ?? []).map((m) => {
    const v = volumes.get(m.name);
    if (!v) throw new ContainerConfigError(`volume ${JSON.stringify(m.name)} is not prepared`);
    const hostPath = m.subPath ? join(v.hostPath, m.subPath) : v.hostPath;
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) throw new ContainerConfigError(`subPath ${JSON.stringify(m.subPath)} must be a relative path without '..'`);
    return { hostPath, containerPath: m.mountPath, readOnly: !!m.readOnly || !!v.readOnly };
  });
}

export interface SpecContext {
  pod: Pod;
  /** The ConfigMaps and Secrets this sync read (env valueFrom / envFrom); none: only plain env. */
  sources?: PodSources;
  image: StoredImage;
  attempt: number;
  volumes: Map<string, PreparedVolume>;
  logPath: string;
}

export function containerSpec(c: Container, ctx: SpecContext): ContainerSpec {
  const { pod, image } = ctx;
  let env: string[];
  try {
    const sources = ctx.sources;
    env = containerEnv(image.config, c, { HOSTNAME: pod.spec?.hostname ?? pod.metadata!.name! }, {
      envFrom: sources ? envFromSources(c, sources).vars : [],
      valueFrom: (e) => envValueFrom(e, pod, c, sources ?? new PodSources(pod.metadata!.namespace!, new Map())),
    });
  } catch (e) {
    if (e instanceof SourceError) throw new ContainerConfigError(e.message);
    throw e;
  }
  const command = containerArgv(image.config, c, env);
  if (!command.length) throw new ContainerConfigError('no command specified');
  let security: ReturnType<typeof securitySpec>;
  try {
    security = securitySpec(pod, c, image.layers, image.config.user);
  } catch (e) {
    if (e instanceof SecurityContextError) throw new ContainerConfigError(e.message);
    throw e;
  }
  return {
    ...security,
    name: c.name,
    attempt: ctx.attempt,
    lowerDirs: image.layers,
    command,
    env,
    workingDir: c.workingDir || image.config.workingDir || undefined,
    privileged: !!c.securityContext?.privileged,
    mounts: mounts(c, ctx.volumes),
    resources: cgroupResources(c),
    stopSignal: image.config.stopSignal,
    logPath: ctx.logPath,
    tty: !!c.tty,
    stdin: !!c.stdin, stdinOnce: !!c.stdinOnce,
  };
}
