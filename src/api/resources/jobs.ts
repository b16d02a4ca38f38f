// batch/v1 Jobs and CronJobs. Jobs get upstream's defaults (completions and parallelism 1, backoff
// limit 6, NonIndexed), a generated selector on their own UID with the matching template labels,
// the rules on what an update may change, and orphaning of pods by default on a delete without a
// propagation policy (batch/v1's compatibility rule). CronJobs get their defaults, a schedule check,
// and columns. Controllers for both live elsewhere.
import type { CronJob, CronJobSpec, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import { invalid, notSupported, required, type FieldError } from '../errors.js';
import type { Mutable } from '../strategy.js';
import type { Obj } from '../strategykit.js';
import { age, ageColumn, column, humanDuration, nameColumn } from '../table.js';
import {
  defaultPodTemplate, defineWorkload, immutable, nonNegative, selectorColumn, selectorUnchanged, templateColumns, validateSelectedTemplate,
  validateStatusCounts, workloadColumns,
} from './workloads.js';

export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const MAX_INT32 = 2147483647;

export function defaultJobSpec(spec: Mutable<JobSpec>): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  defaultPodTemplate(spec.template);
}

/**
 * Unless the user asked for a manual selector, the job selects its pods by its own UID, and the
 * template carries that UID and the job name as labels (upstream's generateSelector).
 */
function generateSelector(job: Mutable<Job>): void {
  const spec = job.spec!;
  if (spec.manualSelector) return;
  if (!spec.template || typeof spec.template !== 'object') return;
  const template = spec.template;
  template.metadata ??= {};
  const labels = (template.metadata.labels ??= {});
  const uid = job.metadata!.uid!;
  const name = job.metadata!.name!;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL]) labels[key] ??= uid;
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels[JOB_CONTROLLER_UID_LABEL] ??= uid;
}

function validateJobSpec(spec: Mutable<JobSpec> | undefined, path = 'spec', checkSelector = true): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required(path)];
  const errs: FieldError[] = [
    ...nonNegative(`${path}.parallelism`, spec.parallelism),
    ...nonNegative(`${path}.completions`, spec.completions),
    ...nonNegative(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds),
    ...nonNegative(`${path}.backoffLimit`, spec.backoffLimit),
    ...nonNegative(`${path}.ttlSecondsAfterFinished`, spec.ttlSecondsAfterFinished),
  ];
  if (spec.completionMode && !COMPLETION_MODES.includes(spec.completionMode)) errs.push(notSupported(`${path}.completionMode`, spec.completionMode, COMPLETION_MODES));
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null)) {
    errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  errs.push(...validateSelectedTemplate(spec, path, checkSelector ? 'job' : undefined, { restartPolicies: JOB_RESTART_POLICIES }));
  return errs;
}

function validateJobUpdate(obj: Obj<Job>, old: Obj<Job>): FieldError[] {
  const next = obj.spec;
  const prev = old.spec;
  const errs = validateJobSpec(next);
  if (!next || !prev) return errs;
  errs.push(
    ...selectorUnchanged(obj, old),
    ...immutable('spec.completions', next.completions, prev.completions),
    ...immutable('spec.completionMode', next.completionMode, prev.completionMode),
  );
  // A suspended job that never started may still get a different template (to be placed elsewhere).
  const neverStarted = prev.suspend === true && !old.status?.startTime;
  if (!neverStarted) errs.push(...immutable('spec.template', next.template, prev.template));
  return errs;
}

const JOB_STATUS_COUNTS = ['active', 'succeeded', 'failed', 'ready', 'terminating'];

const hasCondition = (job: Mutable<Job>, type: string): boolean =>
  !!job.status?.conditions?.some((c) => c.type === type && c.status === 'True');

/** The STATUS column of `kubectl get jobs` (kubectl 1.30+). */
function jobStatus(job: Mutable<Job>): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: Mutable<Job>): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined && job.spec.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Mutable<Job>, now: number): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

export const jobStrategy = defineWorkload<Obj<Job>>({
  resource: { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', categories: ['all'] },
  garbageCollectionPolicy: 'OrphanDependents',
  defaultSpec: defaultJobSpec,
  prepareForCreate(job) {
    generateSelector(job);
    const templateLabels = job.spec!.template?.metadata?.labels;
    if (templateLabels && !Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...templateLabels };
  },
  validateSpec: validateJobSpec,
  validateUpdate: validateJobUpdate,
  status: { initial: () => ({}), validate: (obj) => validateStatusCounts(obj.status, JOB_STATUS_COUNTS) },
  selectableFields: (job) => ({ 'status.successful': String(job.status?.succeeded ?? 0) }),
  columns: [
    nameColumn,
    column('Status', 'string', 'Where the job is: Running, Complete, Failed, Suspended or Terminating.', jobStatus),
    column('Completions', 'string', 'How many pods finished successfully, out of how many are needed.', completions),
    column('Duration', 'string', 'How long the job ran, or has been running.', jobDuration),
    ageColumn, ...workloadColumns(),
  ],
});

// ---------- CronJobs ----------

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
const SCHEDULE_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;

/** A standard 5-field cron line, a macro (@daily) or @every <duration>; TZ= prefixes are refused as upstream does. */
export function scheduleErrors(schedule: string): string[] {
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) return ['cannot use TZ or CRON_TZ in schedule, use timeZone field instead'];
  if (s.startsWith('@')) {
    if (SCHEDULE_MACROS.includes(s)) return [];
    if (/^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) return [];
    return [`unrecognized descriptor: ${s}`];
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return [`expected exactly 5 fields, found ${fields.length}: ${s}`];
  const bad = fields.find((f) => !CRON_FIELD.test(f));
  return bad ? [`failed to parse int from ${bad}`] : [];
}

function defaultCronJobSpec(spec: Mutable<CronJobSpec>): void {
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultPodTemplate(spec.jobTemplate?.spec?.template);
}

function validateCronJobSpec(spec: Mutable<CronJobSpec> | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs: FieldError[] = [];
  if (!spec.schedule) errs.push(required('spec.schedule'));
  else for (const msg of scheduleErrors(spec.schedule)) errs.push(invalid('spec.schedule', spec.schedule, msg));
  if (spec.concurrencyPolicy && !CONCURRENCY_POLICIES.includes(spec.concurrencyPolicy)) {
    errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, CONCURRENCY_POLICIES));
  }
  errs.push(
    ...nonNegative('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds),
    ...nonNegative('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit),
    ...nonNegative('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit),
  );
  if (!spec.jobTemplate || typeof spec.jobTemplate !== 'object') errs.push(required('spec.jobTemplate'));
  else errs.push(...validateJobSpec(spec.jobTemplate.spec as Mutable<JobSpec>, 'spec.jobTemplate.spec', false));
  return errs;
}

export const cronJobStrategy = defineWorkload<Obj<CronJob>>({
  resource: { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: ['all'] },
  defaultSpec: defaultCronJobSpec,
  validateSpec: validateCronJobSpec,
  // The selector lives in the job template, which may change.
  validateUpdate: (cj) => validateCronJobSpec(cj.spec),
  status: { initial: () => ({}) },
  columns: [
    nameColumn,
    column('Schedule', 'string', 'When jobs are created, in cron syntax.', (cj) => cj.spec?.schedule ?? ''),
    column('Timezone', 'string', 'The time zone the schedule is read in.', (cj) => cj.spec?.timeZone ?? '<none>'),
    column('Suspend', 'boolean', 'Whether new jobs are held back.', (cj) => (cj.spec?.suspend === undefined ? '<unset>' : cj.spec.suspend ? 'True' : 'False')),
    column('Active', 'integer', 'How many of its jobs are running.', (cj) => cj.status?.active?.length ?? 0),
    column('Last Schedule', 'string', 'When a job was last created.', (cj, now) => (cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : '<none>')),
    ageColumn,
    ...templateColumns<Obj<CronJob>>((cj) => cj.spec?.jobTemplate?.spec?.template),
    selectorColumn<Obj<CronJob>>((cj) => cj.spec?.jobTemplate?.spec?.selector),
  ],
});
