// Pods: defaults, validation, update rules, graceful deletion and table columns as upstream.
import type { Container, Pod, PodSpec, PodStatus, Volume } from 'kubernetes-types/core/v1.js';
import { duplicate, forbiddenField, invalid, notSupported, required, type FieldError } from '../errors.js';
import { isPodTerminal, isSidecar } from '../pods.js';
import { defineStrategy, type Obj } from '../strategykit.js';
import { age, ageColumn, column, nameColumn, orNone } from '../table.js';
import { isDNS1123Label, isValidPortName, validateLabels } from '../validation.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
/**
 * Upstream's --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds
 * (300): TINYKUBE_DEFAULT_TOLERATION_SECONDS in the API server's environment sets both (tests use
 * a few seconds to see evictions).
 */
export const DEFAULT_TOLERATION_SECONDS = ((v) => (v && /^\d+$/.test(v) ? Number(v) : 300))(process.env.TINYKUBE_DEFAULT_TOLERATION_SECONDS);

/** The value if it is an array, else empty: strategies must not trip over mistyped input. */
const arr = <T>(v: T[] | undefined | null): T[] => (Array.isArray(v) ? v : []);

/** `:latest` or no tag means the image may change under the same name: always pull. */
export function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  const lastPart = image.split('/').pop()!;
  if (lastPart.includes('@')) return 'IfNotPresent';
  const tag = lastPart.includes(':') ? lastPart.split(':').pop() : undefined;
  return !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Container): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.resources ??= {};
  for (const p of arr(c.ports)) p.protocol ??= 'TCP';
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!probe) continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
    if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP';
  }
  for (const e of arr(c.env)) if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
}

function defaultVolume(v: Volume): void {
  if (v.configMap) v.configMap.defaultMode ??= 420;
  if (v.secret) v.secret.defaultMode ??= 420;
  if (v.hostPath) v.hostPath.type ??= '';
  const hasSource = Object.keys(v).some((k) => k !== 'name');
  if (!hasSource) v.emptyDir = {};
}

/**
 * Defaults of every PodSpec, the pod's own and the templates of workloads alike (upstream's
 * SetDefaults_PodSpec and the defaults of containers, probes and volumes).
 */
export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const c of [...arr(spec.initContainers), ...arr(spec.containers)]) if (c && typeof c === 'object') defaultContainer(c);
  for (const v of arr(spec.volumes)) if (v && typeof v === 'object') defaultVolume(v);
  // On the host's network a container port is a host port (so the scheduler keeps two apart).
  if (spec.hostNetwork) {
    for (const c of [...arr(spec.initContainers), ...arr(spec.containers)]) for (const p of arr(c?.ports)) if (p && !p.hostPort) p.hostPort = p.containerPort;
  }
}

/**
 * What only a Pod gets, never a pod template (upstream's SetDefaults_Pod and the ServiceAccount,
 * Priority and DefaultTolerationSeconds admission plugins): a template keeps these fields empty,
 * so a workload's template is not changed by them.
 */
function defaultPodOnly(spec: PodSpec): void {
  spec.enableServiceLinks ??= true;
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  // Requests default to limits on pods only.
  for (const c of [...arr(spec.initContainers), ...arr(spec.containers)]) {
    if (c && typeof c === 'object' && c.resources?.limits) c.resources.requests = { ...c.resources.limits, ...(c.resources.requests ?? {}) };
  }
  addDefaultTolerations(spec);
}

const defaultPod = (spec: PodSpec): void => {
  defaultPodSpec(spec);
  defaultPodOnly(spec);
};

/** What the DefaultTolerationSeconds admission plugin adds: 300 s on not-ready and unreachable nodes. */
function addDefaultTolerations(spec: PodSpec): void {
  const tolerations = (spec.tolerations ??= []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const has = tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
    if (!has) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
}

export function qosClass(spec: PodSpec): string {
  const containers = [...arr(spec.initContainers), ...arr(spec.containers)];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function validateContainers(list: unknown, path: string, requireOne: boolean, volumeNames: Set<string>, seenNames: Set<string>): FieldError[] {
  const init = path.endsWith('.initContainers');
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) return requireOne ? [required(path)] : [];
  if (!Array.isArray(list)) return [invalid(path, list, 'must be a list')];
  const errs: FieldError[] = [];
  list.forEach((c: Container, i) => {
    const p = `${path}[${i}]`;
    if (!c || typeof c !== 'object') { errs.push(invalid(p, c, 'must be an object')); return; }
    if (!c.name) errs.push(required(`${p}.name`));
    else {
      for (const msg of isDNS1123Label(c.name)) errs.push(invalid(`${p}.name`, c.name, msg));
      if (seenNames.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
      seenNames.add(c.name);
    }
    if (!c.image || !String(c.image).trim()) errs.push(required(`${p}.image`));
    if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      if (!init) errs.push(forbiddenField(`${p}.restartPolicy`, 'may not be set for non-init containers'));
      else if (c.restartPolicy !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
    }
    if (init && !isSidecar(c)) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[probe]) errs.push(forbiddenField(`${p}.${probe}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
    const portNames = new Set<string>();
    arr(c.ports).forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
        errs.push(invalid(`${pp}.containerPort`, port.containerPort, 'must be between 1 and 65535, inclusive'));
      }
      if (port.hostPort !== undefined && (!Number.isInteger(port.hostPort) || port.hostPort < 0 || port.hostPort > 65535)) {
        errs.push(invalid(`${pp}.hostPort`, port.hostPort, 'must be between 1 and 65535, inclusive'));
      }
      if (port.protocol && !PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${pp}.protocol`, port.protocol, PROTOCOLS));
      if (port.name) {
        for (const msg of isValidPortName(port.name)) errs.push(invalid(`${pp}.name`, port.name, msg));
        if (portNames.has(port.name)) errs.push(duplicate(`${pp}.name`, port.name));
        portNames.add(port.name);
      }
    });
    arr(c.volumeMounts).forEach((m, j) => {
      const mp = `${p}.volumeMounts[${j}]`;
      if (!m.name) errs.push(required(`${mp}.name`));
      else if (!volumeNames.has(m.name)) errs.push({ type: 'NotFound', field: `${mp}.name`, value: m.name });
      if (!m.mountPath) errs.push(required(`${mp}.mountPath`));
    });
    arr(c.env).forEach((e, j) => { if (!e.name) errs.push(required(`${p}.env[${j}].name`)); });
  });
  return errs;
}

export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required(`${path}.containers`)];
  const errs: FieldError[] = [];
  const volumeNames = new Set<string>();
  arr(spec.volumes).forEach((v, i) => {
    if (!v.name) errs.push(required(`${path}.volumes[${i}].name`));
    else {
      for (const msg of isDNS1123Label(v.name)) errs.push(invalid(`${path}.volumes[${i}].name`, v.name, msg));
      if (volumeNames.has(v.name)) errs.push(duplicate(`${path}.volumes[${i}].name`, v.name));
      volumeNames.add(v.name);
    }
  });
  const names = new Set<string>();
  errs.push(...validateContainers(spec.containers, `${path}.containers`, true, volumeNames, names));
  errs.push(...validateContainers(spec.initContainers, `${path}.initContainers`, false, volumeNames, names));
  if (spec.restartPolicy && !RESTART_POLICIES.includes(spec.restartPolicy)) errs.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (spec.dnsPolicy && !DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds !== null && spec.terminationGracePeriodSeconds < 0) {
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds <= 0) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  if (spec.nodeSelector) errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.hostname) for (const msg of isDNS1123Label(spec.hostname)) errs.push(invalid(`${path}.hostname`, spec.hostname, msg));
  if (spec.hostNetwork) {
    for (const [list, cs] of [['containers', spec.containers], ['initContainers', spec.initContainers]] as const) {
      arr(cs).forEach((c, i) => arr(c?.ports).forEach((p, j) => {
        if (p.hostPort && p.hostPort !== p.containerPort) errs.push(invalid(`${path}.${list}[${i}].ports[${j}].hostPort`, p.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
      }));
    }
  }
  return errs;
}

/** Fields an ephemeral container may not have (it is never restarted, exposed or probed). */
const EPHEMERAL_FORBIDDEN = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resources', 'resizePolicy'] as const;

/** An update of spec.ephemeralContainers: the old ones unchanged, the new ones valid, unique names, a real target. */
export function validateEphemeralContainers(next: PodSpec, prev: PodSpec): FieldError[] {
  const path = 'spec.ephemeralContainers';
  const list = arr(next.ephemeralContainers);
  const errs: FieldError[] = [];
  for (const old of arr(prev.ephemeralContainers)) {
    const now = list.find((c) => c.name === old.name);
    if (!now) errs.push(forbiddenField(path, `existing ephemeral containers "${old.name}" may not be removed`));
    else if (JSON.stringify(now) !== JSON.stringify(old)) errs.push(forbiddenField(path, `existing ephemeral containers "${old.name}" may not be changed`));
  }
  const names = new Set([...arr(next.containers), ...arr(next.initContainers)].map((c) => c.name));
  const volumes = new Set(arr(next.volumes).map((v) => v.name));
  errs.push(...validateContainers(list, path, false, volumes, names));
  list.forEach((c, i) => {
    for (const f of EPHEMERAL_FORBIDDEN) {
      if (c[f as keyof typeof c] !== undefined && !(f === 'resources' && !Object.keys(c.resources ?? {}).length)) {
        errs.push(forbiddenField(`${path}[${i}].${f}`, 'cannot be set for an Ephemeral Container'));
      }
    }
    if (c.targetContainerName && !arr(next.containers).some((t) => t.name === c.targetContainerName) && !arr(next.initContainers).some((t) => t.name === c.targetContainerName)) {
      errs.push({ type: 'NotFound', field: `${path}[${i}].targetContainerName`, value: c.targetContainerName });
    }
  });
  return errs;
}

const MUTABLE_SPEC_MESSAGE = 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** The spec with every field a pod update may change blanked out, to compare old and new. */
function immutablePart(spec: PodSpec): string {
  const s = structuredClone(spec) as PodSpec;
  for (const c of [...arr(s.containers), ...arr(s.initContainers)]) delete (c as Partial<Container>).image;
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  return JSON.stringify(s);
}

function validatePodUpdate(pod: Obj<Pod>, old: Obj<Pod>): FieldError[] {
  const next = pod.spec!;
  const prev = old.spec!;
  const errs = validatePodSpec(next, 'spec');
  if (errs.length) return errs;
  if (immutablePart(next) !== immutablePart(prev)) return [forbiddenField('spec', MUTABLE_SPEC_MESSAGE)];
  const kept = arr(prev.tolerations).every((t) => arr(next.tolerations).some((n) => JSON.stringify(n) === JSON.stringify(t)));
  if (!kept) return [forbiddenField('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  return [];
}

// ---------- table ----------

function podStatusReason(pod: Pod): string {
  const status: PodStatus = pod.status ?? {};
  let reason = status.reason || status.phase || 'Pending';
  const initStatuses = arr(status.initContainerStatuses);
  let initializing = false;
  const sidecars = new Set(arr(pod.spec?.initContainers).filter(isSidecar).map((c) => c.name));
  initStatuses.forEach((c, i) => {
    if (initializing || sidecars.has(c.name)) return;
    const t = c.state?.terminated;
    const w = c.state?.waiting;
    if (t && t.exitCode === 0) return;
    initializing = true;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (w?.reason && w.reason !== 'PodInitializing') reason = `Init:${w.reason}`;
    else reason = `Init:${i}/${arr(pod.spec?.initContainers).length}`;
  });
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...arr(status.containerStatuses)].reverse()) {
      const w = c.state?.waiting;
      const t = c.state?.terminated;
      if (w?.reason) reason = w.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata?.deletionTimestamp && status.reason !== 'NodeLost') reason = 'Terminating';
  return reason;
}

function restarts(pod: Pod, now: number): string {
  let count = 0;
  let last = 0;
  const sidecars = new Set(arr(pod.spec?.initContainers).filter(isSidecar).map((c) => c.name));
  for (const c of [...arr(pod.status?.containerStatuses), ...arr(pod.status?.initContainerStatuses).filter((i) => sidecars.has(i.name))]) {
    count += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished) last = Math.max(last, Date.parse(finished));
  }
  return last ? `${count} (${age(new Date(last).toISOString(), now)} ago)` : String(count);
}

function readinessGates(pod: Pod): string {
  const gates = arr(pod.spec?.readinessGates);
  if (!gates.length) return '<none>';
  const ok = gates.filter((g) => pod.status?.conditions?.some((c) => c.type === g.conditionType && c.status === 'True')).length;
  return `${ok}/${gates.length}`;
}

/** READY: ready containers out of all, sidecars counted once started, as kubectl's own printer counts them. */
function readyText(pod: Pod): string {
  const sidecars = new Set(arr(pod.spec?.initContainers).filter(isSidecar).map((c) => c.name));
  const sidecarStatuses = arr(pod.status?.initContainerStatuses).filter((c) => sidecars.has(c.name));
  const ready = arr(pod.status?.containerStatuses).filter((c) => c.ready).length + sidecarStatuses.filter((c) => c.started && c.ready).length;
  return `${ready}/${arr(pod.spec?.containers).length + sidecars.size}`;
}

export const podStrategy = defineStrategy<Obj<Pod>>({
  resource: { group: '', version: 'v1', kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'] },
  allowUnconditionalUpdate: false,
  defaults(pod) {
    if (pod.spec && typeof pod.spec === 'object') defaultPod(pod.spec);
  },
  validate: (pod) => {
    const errs = validatePodSpec(pod.spec, 'spec');
    if (arr(pod.spec?.ephemeralContainers).length) errs.push(forbiddenField('spec.ephemeralContainers', 'cannot be set on create'));
    return errs;
  },
  validateUpdate: validatePodUpdate,
  status: {
    initial: (pod) => ({ phase: 'Pending', qosClass: pod.spec && typeof pod.spec === 'object' ? qosClass(pod.spec) : 'BestEffort' }),
    keepMetadata: ['ownerReferences'],
    validate(pod) {
      const phase = pod.status?.phase;
      const phases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
      return phase && !phases.includes(phase) ? [notSupported('status.phase', phase, phases)] : [];
    },
  },
  subresources: [
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    // Served by the node's agent through the API server (src/apiserver/podstreams.ts).
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  ],
  subresourceUpdates: {
    // `kubectl debug`: only spec.ephemeralContainers changes, and only by additions.
    ephemeralcontainers: {
      prepare(pod, old) {
        const added = pod.spec?.ephemeralContainers;
        Object.assign(pod, { spec: { ...old.spec, ephemeralContainers: added }, status: old.status });
        if (!added) delete pod.spec!.ephemeralContainers;
        pod.metadata.labels = old.metadata.labels;
        pod.metadata.annotations = old.metadata.annotations;
      },
      validate: (pod, old) => validateEphemeralContainers(pod.spec!, old.spec!),
    },
  },
  selectableFields: (pod) => ({
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
    'status.phase': pod.status?.phase ?? '',
    'status.podIP': pod.status?.podIP ?? '',
    'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
  }),
  gracefulDeletion(pod, requested) {
    // Nothing runs yet (unscheduled) or any more (finished): there is nothing to stop gracefully.
    if (!pod.spec?.nodeName || isPodTerminal(pod)) return { gracePeriodSeconds: 0 };
    const grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return { gracePeriodSeconds: Math.max(0, grace) };
  },
  columns: [
    nameColumn,
    column('Ready', 'string', 'How many of the pod\'s containers are ready, out of all of them.', readyText),
    column('Status', 'string', 'A short summary of where the pod is in its life: its phase, or the reason a container is waiting or ended.', podStatusReason),
    column('Restarts', 'string', 'How many times the pod\'s containers were restarted, and when the last one ended.', restarts),
    ageColumn,
    column('IP', 'string', 'The IP address the pod got on the pod network.', (pod) => orNone(pod.status?.podIP), { wide: true }),
    column('Node', 'string', 'The node the pod was scheduled to.', (pod) => orNone(pod.spec?.nodeName), { wide: true }),
    column('Nominated Node', 'string', 'The node the pod is expected to run on once preemption finishes.', (pod) => orNone(pod.status?.nominatedNodeName), { wide: true }),
    column('Readiness Gates', 'string', 'Extra conditions the pod waits for before it counts as ready.', readinessGates, { wide: true }),
  ],
});
