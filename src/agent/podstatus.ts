// Computes a pod's status from what the node observes: the sandbox, and each container's latest
// and previous run. Pure, so the rules (phase, conditions, container states) are tested alone.
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { findCondition, isSidecar } from '../api/pods.js';
import type { Mutable } from '../api/strategy.js';

/** What the runtime says about one run of a container (a subset of the runtime's ContainerState). */
export interface ContainerRun {
  id: string;
  attempt: number;
  state: 'created' | 'running' | 'exited' | 'unknown';
  exitCode?: number;
  oomKilled?: boolean;
  startedAt?: string;
  finishedAt?: string;
}

export interface ContainerObservation {
  latest?: ContainerRun;
  previous?: ContainerRun;
  /** Why the container is not running, when the worker knows better than the runtime (pulls, backoff). */
  waiting?: { reason: string; message?: string };
  image: string;
  imageID?: string;
  /** Probe results for a running latest run (absent: no probes, running means ready and started). */
  ready?: boolean;
  started?: boolean;
}

export interface PodObservation {
  podIP?: string;
  hostIP: string;
  startTime: string;
  init: Map<string, ContainerObservation>;
  containers: Map<string, ContainerObservation>;
  /** Ephemeral containers (`kubectl debug`), by name. */
  ephemeral?: Map<string, ContainerObservation>;
}

export const CONTAINER_ID_PREFIX = 'runc://';

type State = NonNullable<ContainerStatus['state']>;

/** A time as the API writes metav1.Time: RFC 3339 to the second. */
const apiTime = (t: string | undefined): string | undefined => t?.replace(/\.\d+(Z|[+-]\d\d:\d\d)$/, '$1');

function terminated(run: ContainerRun): State {
  const exitCode = run.exitCode ?? 0;
  const reason = run.oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
  return { terminated: { exitCode, reason, startedAt: apiTime(run.startedAt), finishedAt: apiTime(run.finishedAt), containerID: CONTAINER_ID_PREFIX + run.id } };
}

function containerStatus(name: string, o: ContainerObservation): ContainerStatus {
  const { latest, previous, waiting } = o;
  let state: State;
  let lastState: State = {};
  if (waiting) {
    state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
    if (latest?.state === 'exited') lastState = terminated(latest);
    else if (previous?.state === 'exited') lastState = terminated(previous);
  } else if (latest?.state === 'running') {
    state = { running: { startedAt: apiTime(latest.startedAt) } };
    if (previous?.state === 'exited') lastState = terminated(previous);
  } else if (latest?.state === 'exited') {
    state = terminated(latest);
    if (previous?.state === 'exited') lastState = terminated(previous);
  } else {
    state = { waiting: { reason: 'ContainerCreating' } };
  }
  const running = !waiting && latest?.state === 'running';
  return {
    name, state, lastState, ready: running && (o.ready ?? true), started: running && (o.started ?? true), restartCount: latest?.attempt ?? 0,
    image: o.image, imageID: o.imageID ?? '', ...(latest ? { containerID: CONTAINER_ID_PREFIX + latest.id } : {}),
  };
}

/** Whether a container that exited with `exitCode` will be started again under `policy`. */
export const willRestart = (policy: string | undefined, exitCode: number): boolean =>
  policy === 'Always' || policy === undefined || (policy === 'OnFailure' && exitCode !== 0);

function phase(pod: Pod, obs: PodObservation, statuses: ContainerStatus[], initDone: boolean): string {
  if (!obs.podIP || !initDone) return initFailedForGood(pod, obs) ? 'Failed' : 'Pending';
  const policy = pod.spec?.restartPolicy;
  let running = 0;
  let waiting = 0;
  let succeeded = 0;
  let failed = 0;
  for (const s of statuses) {
    const t = s.state?.terminated;
    if (s.state?.running) running++;
    else if (t && !willRestart(policy, t.exitCode)) (t.exitCode === 0 ? succeeded++ : failed++);
    else if (s.state?.waiting && !s.lastState?.terminated) waiting++;
    else running++; // restarting: counts as running, as upstream does
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (failed > 0) return 'Failed';
  return succeeded > 0 ? 'Succeeded' : 'Pending';
}

/** With restartPolicy Never, a failed init container (not a sidecar: those always restart) fails the pod. */
function initFailedForGood(pod: Pod, obs: PodObservation): boolean {
  if (pod.spec?.restartPolicy !== 'Never') return false;
  return (pod.spec.initContainers ?? []).some((c) => {
    const o = obs.init.get(c.name);
    return !isSidecar(c) && o?.latest?.state === 'exited' && (o.latest.exitCode ?? 0) !== 0;
  });
}

/** An init container is done once it succeeded; a sidecar once it runs and its startup probe (if any) passed. */
export function initContainerDone(c: Container, o: ContainerObservation | undefined): boolean {
  if (isSidecar(c)) return o?.latest?.state === 'running' && !o.waiting && (o.started ?? true);
  return o?.latest?.state === 'exited' && o.latest.exitCode === 0;
}

function condition(type: string, ok: boolean, previous: readonly PodCondition[], now: string, reason?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prior = findCondition(previous, type);
  const lastTransitionTime = prior && prior.status === status ? prior.lastTransitionTime : now;
  return { type, status, lastProbeTime: null as unknown as undefined, lastTransitionTime, ...(reason && !ok ? { reason } : {}) };
}

export function podStatus(pod: Pod, obs: PodObservation, now: string): Mutable<PodStatus> {
  const spec = pod.spec!;
  const initStatuses = (spec.initContainers ?? []).map((c) => containerStatus(c.name, obs.init.get(c.name) ?? { image: c.image ?? '' }));
  const statuses = spec.containers.map((c) => containerStatus(c.name, obs.containers.get(c.name) ?? { image: c.image ?? '' }));
  // Initialized stays true once the app containers were made, even while a sidecar restarts.
  const initDone = [...obs.containers.values()].some((o) => o.latest) || (spec.initContainers ?? []).every((c) => initContainerDone(c, obs.init.get(c.name)));
  const sidecarNames = new Set((spec.initContainers ?? []).filter(isSidecar).map((c) => c.name));
  const allReady = statuses.every((s) => s.ready) && initStatuses.filter((s) => sidecarNames.has(s.name)).every((s) => s.ready);
  const previous = pod.status?.conditions ?? [];
  const conditions = [
    condition('PodReadyToStartContainers', !!obs.podIP, previous, now),
    condition('Initialized', initDone, previous, now, 'ContainersNotInitialized'),
    condition('Ready', allReady, previous, now, 'ContainersNotReady'),
    condition('ContainersReady', allReady, previous, now, 'ContainersNotReady'),
    ...previous.filter((c) => c.type === 'PodScheduled'),
  ];
  const status: Mutable<PodStatus> = {
    phase: phase(pod, obs, statuses, initDone),
    conditions: conditions as Mutable<PodCondition>[],
    hostIP: obs.hostIP, hostIPs: [{ ip: obs.hostIP }],
    startTime: obs.startTime,
    containerStatuses: statuses as Mutable<ContainerStatus>[],
    qosClass: pod.status?.qosClass,
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses as Mutable<ContainerStatus>[];
  if (spec.ephemeralContainers?.length) {
    // Never ready (no probes, not part of the pod's readiness), as upstream reports them.
    status.ephemeralContainerStatuses = spec.ephemeralContainers.map((c) => ({ ...containerStatus(c.name, obs.ephemeral?.get(c.name) ?? { image: c.image ?? '' }), ready: false })) as Mutable<ContainerStatus>[];
  }
  if (obs.podIP) {
    status.podIP = obs.podIP;
    status.podIPs = [{ ip: obs.podIP }];
  }
  return status;
}
