// What the workload kinds (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, CronJob) share: the
// pod template's defaults and checks, label selectors in object form, int-or-percent values,
// immutable fields, status counters, the scale subresource, and the table columns every workload
// prints (containers, images, selector). Messages follow upstream's apps/batch validation.
import type { PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { forbiddenField, invalid, Literal, notSupported, required, type FieldError } from '../errors.js';
import { selectorFromLabelSelector } from '../labels.js';
import type { KubeObject, ScaleAccessor, Strategy } from '../strategy.js';
import { defineStrategy, semanticEqual, type MetaField, type StatusRules, type StrategyDef } from '../strategykit.js';
import { column, type Column } from '../table.js';
import { isQualifiedName, validateAnnotations, validateLabels } from '../validation.js';
import { defaultPodSpec, validatePodSpec } from './pods.js';

export { semanticEqual };

/** The value if it is an array, else empty: strategies must not trip over mistyped input. */
export const arr = <T>(v: readonly T[] | undefined | null): T[] => (Array.isArray(v) ? (v as T[]) : []);

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A workload's spec as a mutable record, created when missing so defaults have somewhere to go. */
export function specOf(obj: KubeObject): Record<string, unknown> {
  if (!isObject(obj.spec)) obj.spec = {};
  return obj.spec as Record<string, unknown>;
}

// ---------- the workload strategy ----------

/** The metadata a workload's status writer may not change besides the spec. */
const STATUS_KEEPS: readonly MetaField[] = ['generation', 'labels', 'ownerReferences', 'finalizers'];

export interface WorkloadDef<O extends KubeObject> extends Omit<StrategyDef<O>, 'defaults' | 'validate' | 'status' | 'generation'> {
  /** Fills the spec's defaults on create and update (the spec is made when missing). */
  defaultSpec?(spec: NonNullable<O['spec']>): void;
  validateSpec(spec: O['spec']): FieldError[];
  /** Default: validateSpec, and spec.selector may not change. */
  validateUpdate?(obj: O, old: O): FieldError[];
  status: Omit<StatusRules<O>, 'keepMetadata'>;
  /** When generation grows besides a spec change. */
  generation?(obj: O, old: O): boolean;
}

/**
 * A workload kind's strategy (ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, CronJob, and
 * PodDisruptionBudget): spec defaults and checks on every write, generation counting spec changes,
 * and a status subresource for the controller that keeps the spec, labels, owners and finalizers.
 */
export function defineWorkload<O extends KubeObject>(def: WorkloadDef<O>): Strategy {
  const { defaultSpec, validateSpec } = def;
  return defineStrategy<O>({
    ...def,
    defaults: defaultSpec && ((obj) => defaultSpec(specOf(obj) as NonNullable<O['spec']>)),
    validate: (obj) => validateSpec(obj.spec as O['spec']),
    validateUpdate: def.validateUpdate ?? ((obj, old) => [...validateSpec(obj.spec as O['spec']), ...selectorUnchanged(obj, old)]),
    status: { ...def.status, keepMetadata: STATUS_KEEPS },
    generation: def.generation ?? true,
  });
}

// ---------- pod templates ----------

/** Fills a pod template's defaults (those of a PodSpec, never the pod-only ones). */
export function defaultPodTemplate(template: unknown): void {
  if (!isObject(template)) return;
  const spec = template.spec;
  if (isObject(spec)) defaultPodSpec(spec as unknown as PodSpec);
}

export interface TemplateRules {
  /** The restart policies the workload allows; the first is named in nothing but the error. */
  restartPolicies: string[];
  /** Pods of long-running workloads may not set activeDeadlineSeconds. */
  forbidActiveDeadline?: boolean;
  /** The kind, for "activeDeadlineSeconds in ReplicaSet is not Supported". */
  kind?: string;
}

/**
 * Upstream's ValidatePodTemplateSpec (labels, annotations, the pod spec) plus the checks every
 * controller adds: the selector must select the template's labels and the restart policy must fit.
 */
export function validatePodTemplate(template: unknown, selector: LabelSelector | undefined, path: string, rules: TemplateRules): FieldError[] {
  if (!isObject(template)) return [required(path)];
  const errs: FieldError[] = [];
  const meta = (isObject(template.metadata) ? template.metadata : {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  if (selector && selectorIsUsable(selector)) {
    const s = selectorFromLabelSelector(selector);
    if (!s.empty() && !s.matches(meta.labels ?? {})) {
      errs.push(invalid(`${path}.metadata.labels`, new Literal(goStringMap(meta.labels)), '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validateLabels(meta.labels, `${path}.metadata.labels`), ...validateAnnotations(meta.annotations, `${path}.metadata.annotations`));
  const spec = template.spec as Record<string, unknown> | undefined;
  errs.push(...validatePodSpec(spec as never, `${path}.spec`));
  if (isObject(spec)) {
    const policy = spec.restartPolicy as string | undefined;
    if (policy && !rules.restartPolicies.includes(policy)) errs.push(notSupported(`${path}.spec.restartPolicy`, policy, rules.restartPolicies));
    if (rules.forbidActiveDeadline && spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
      errs.push(forbiddenField(`${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${rules.kind ?? 'ReplicaSet'} is not Supported`));
    }
  }
  return errs;
}

/**
 * A workload's selector and the pod template it selects, checked together as every workload's
 * validation does; `emptyFor` names the kind in "empty selector is invalid for …" (undefined: the
 * selector is not checked, as in a CronJob's job template).
 */
export function validateSelectedTemplate(
  spec: { selector?: LabelSelector; template?: unknown }, path: string, emptyFor: string | undefined, rules: TemplateRules,
): FieldError[] {
  return [
    ...(emptyFor === undefined ? [] : validateWorkloadSelector(spec.selector, `${path}.selector`, emptyFor)),
    ...validatePodTemplate(spec.template, spec.selector, `${path}.template`, rules),
  ];
}

/** How Go prints a map[string]string in a field error: `map[string]string{"app":"web"}`. */
export function goStringMap(m: Readonly<Record<string, string>> | undefined): string {
  if (!m || !Object.keys(m).length) return 'map[string]string(nil)';
  return `map[string]string{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`;
}

// ---------- label selectors (object form) ----------

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Upstream's ValidateLabelSelector: keys and values of matchLabels, operators and values of matchExpressions. */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  if (!isObject(selector)) return [invalid(path, selector, 'must be an object')];
  const errs: FieldError[] = [];
  const ls = selector as LabelSelector;
  if (ls.matchLabels !== undefined && ls.matchLabels !== null && !isObject(ls.matchLabels)) errs.push(invalid(`${path}.matchLabels`, ls.matchLabels, 'must be a map'));
  else errs.push(...validateLabels(ls.matchLabels, `${path}.matchLabels`));
  arr(ls.matchExpressions).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!isObject(e)) { errs.push(invalid(p, e, 'must be an object')); return; }
    const values = arr(e.values);
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (!values.length) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length) errs.push(forbiddenField(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, e.operator, 'not a valid selector operator'));
    }
    if (!e.key) errs.push(required(`${p}.key`));
    else for (const msg of isQualifiedName(e.key)) errs.push(invalid(`${p}.key`, e.key, msg));
  });
  return errs;
}

function selectorIsUsable(selector: LabelSelector): boolean {
  try {
    selectorFromLabelSelector(selector);
    return arr(selector.matchExpressions).every((e) => SELECTOR_OPERATORS.includes(e.operator));
  } catch {
    return false;
  }
}

/** A workload's selector: required, valid and not empty ("empty selector is invalid for deployment"). */
export function validateWorkloadSelector(selector: unknown, path: string, emptyFor: string): FieldError[] {
  if (selector === undefined || selector === null) return [required(path)];
  const errs = validateLabelSelector(selector, path);
  if (errs.length) return errs;
  const ls = selector as LabelSelector;
  if (!Object.keys(ls.matchLabels ?? {}).length && !arr(ls.matchExpressions).length) {
    errs.push(invalid(path, new Literal(goLabelSelector(ls)), `empty selector is invalid for ${emptyFor}`));
  }
  return errs;
}

/** How Go prints a *metav1.LabelSelector in a field error (roughly: `&v1.LabelSelector{...}`). */
export function goLabelSelector(ls: LabelSelector | undefined): string {
  if (!ls) return '(*v1.LabelSelector)(nil)';
  const exprs = arr(ls.matchExpressions);
  const labels = ls.matchLabels && Object.keys(ls.matchLabels).length ? goStringMap(ls.matchLabels) : 'map[string]string(nil)';
  const expressions = exprs.length
    ? `[]v1.LabelSelectorRequirement{${exprs.map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:${arr(e.values).length ? `[]string{${arr(e.values).map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `&v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${expressions}}`;
}

/** The selector in its string form (`app=web,tier in (a,b)`), `<none>` when empty, as kubectl prints it. */
export function formatLabelSelector(ls: LabelSelector | undefined | null): string {
  if (!ls) return '<none>';
  try {
    const s = selectorFromLabelSelector(ls).toString();
    return s || '<none>';
  } catch {
    return '<error>';
  }
}

/** The selector's string form for the Scale subresource's status.selector ('' when it selects everything). */
export function selectorString(ls: LabelSelector | undefined | null): string {
  if (!ls) return '';
  try {
    return selectorFromLabelSelector(ls).toString();
  } catch {
    return '';
  }
}

// ---------- numbers ----------

export function nonNegative(path: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number' || !Number.isInteger(value)) return [invalid(path, value, 'must be an integer')];
  return value < 0 ? [invalid(path, value, 'must be greater than or equal to 0')] : [];
}

const PERCENT_FMT = '[0-9]+%';
const PERCENT_RE = /^[0-9]+%$/;

/** Upstream's ValidatePositiveIntOrPercent: a non-negative integer or a string such as "25%". */
export function validateIntOrPercent(path: string, value: unknown): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    return PERCENT_RE.test(value) ? [] : [invalid(path, value, `a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '${PERCENT_FMT}')`)];
  }
  if (typeof value === 'number') return nonNegative(path, value);
  return [invalid(path, value, "must be an integer or percentage (e.g '5%')")];
}

/** Upstream's IsNotMoreThan100Percent. */
export function notMoreThan100Percent(path: string, value: unknown): FieldError[] {
  if (typeof value !== 'string' || !PERCENT_RE.test(value)) return [];
  return Number(value.slice(0, -1)) > 100 ? [invalid(path, value, 'must not be greater than 100%')] : [];
}

/** The int value of an int-or-percent, as upstream's getIntOrPercentValue (for "both zero" checks). */
export function intOrPercentRaw(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && PERCENT_RE.test(value)) return Number(value.slice(0, -1));
  return 0;
}

/**
 * Upstream's GetScaledValueFromIntOrPercent: an integer as is, a percentage of `total` rounded up or
 * down. Throws on anything else (validation keeps that out of stored objects).
 */
export function scaledValue(value: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  if (!PERCENT_RE.test(value)) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(value)}`);
  const scaled = (Number(value.slice(0, -1)) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

// ---------- immutability ----------

/** Upstream's ValidateImmutableField: `field is immutable`, with the new value printed. */
export function immutable(path: string, next: unknown, prev: unknown, shown?: Literal | unknown): FieldError[] {
  return semanticEqual(next, prev) ? [] : [invalid(path, shown ?? next, 'field is immutable')];
}

/** spec.selector may not change once set (printed as Go prints the selector). */
export function selectorUnchanged(obj: KubeObject, old: KubeObject): FieldError[] {
  const next = (obj.spec as { selector?: LabelSelector } | undefined)?.selector;
  return immutable('spec.selector', next, (old.spec as { selector?: LabelSelector } | undefined)?.selector, new Literal(goLabelSelector(next)));
}

// ---------- subresources ----------

/** The Scale subresource over spec.replicas / status.replicas / spec.selector. */
export const replicasScale: ScaleAccessor = {
  read(obj) {
    const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
    const status = (obj.status ?? {}) as { replicas?: number };
    return { specReplicas: spec.replicas ?? 0, statusReplicas: status.replicas ?? 0, selector: selectorString(spec.selector) };
  },
  write(obj, replicas) {
    specOf(obj).replicas = replicas;
  },
};

/** The status counters of a workload: each a non-negative integer. */
export function validateStatusCounts(status: unknown, fields: string[]): FieldError[] {
  if (!isObject(status)) return [];
  return fields.flatMap((f) => nonNegative(`status.${f}`, status[f]));
}

/**
 * The status of a workload that counts replicas (upstream's ValidateDeploymentStatus and its
 * siblings): counters non-negative, `atMostReplicas` not above status.replicas, and no more
 * available replicas than ready ones (`readyName` is how the message names readyReplicas).
 */
export function validateReplicaStatus(status: unknown, counts: string[], atMostReplicas: string[], readyName = 'readyReplicas'): FieldError[] {
  const s = (isObject(status) ? status : {}) as Record<string, number | undefined>;
  const errs = validateStatusCounts(s, counts);
  for (const f of atMostReplicas) {
    if ((s[f] ?? 0) > (s.replicas ?? 0)) errs.push(invalid(`status.${f}`, s[f], 'cannot be greater than status.replicas'));
  }
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(invalid('status.availableReplicas', s.availableReplicas, `cannot be greater than ${readyName}`));
  }
  return errs;
}

// ---------- table cells ----------

/** The containers' names and images, comma-separated, as kubectl's wide output of workloads shows them. */
export function containerCells(template: PodTemplateSpec | undefined): [string, string] {
  const containers = arr(template?.spec?.containers);
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(',')];
}

/** The wide CONTAINERS and IMAGES columns of a workload, read from its pod template. */
export function templateColumns<O>(template: (obj: O) => PodTemplateSpec | undefined): Column<O>[] {
  return [
    column('Containers', 'string', 'The names of the containers in the pod template.', (obj) => containerCells(template(obj))[0], { wide: true }),
    column('Images', 'string', 'The images the pod template\'s containers run.', (obj) => containerCells(template(obj))[1], { wide: true }),
  ];
}

/** The wide SELECTOR column of a workload. */
export const selectorColumn = <O>(selector: (obj: O) => LabelSelector | undefined): Column<O> =>
  column('Selector', 'string', 'The label selector that picks the pods this object manages.', (obj) => formatLabelSelector(selector(obj)), { wide: true });

/** The wide columns of a workload with spec.template and spec.selector: CONTAINERS, IMAGES, SELECTOR. */
export function workloadColumns<O extends { spec?: { template?: PodTemplateSpec; selector?: LabelSelector } }>(): Column<O>[] {
  return [...templateColumns<O>((obj) => obj.spec?.template), selectorColumn<O>((obj) => obj.spec?.selector)];
}

/** `map[string]string` printed as upstream's labels.FormatLabels: `k=v,k2=v2`, or `<none>`. */
export function formatLabels(m: Readonly<Record<string, string>> | undefined | null): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${m![k]}`).join(',') : '<none>';
}
