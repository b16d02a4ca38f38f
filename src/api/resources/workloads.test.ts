// The workload strategies through the generic registry: defaults, validation messages, generation,
// status subresource rules, table cells; and the shared helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import type { KubeObject, Strategy } from '../strategy.js';
import { SqliteStore } from '../../storage/sqlite.js';
import { Registry } from '../../apiserver/registry.js';
import { controllerRevisionStrategy } from './controllerrevisions.js';
import { daemonSetStrategy } from './daemonsets.js';
import { deploymentStrategy } from './deployments.js';
import { cronJobStrategy, jobStrategy, scheduleErrors } from './jobs.js';
import { replicaSetStrategy } from './replicasets.js';
import { statefulSetStrategy } from './statefulsets.js';
import { formatLabelSelector, replicasScale, scaledValue, validateIntOrPercent, validateLabelSelector } from './workloads.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function registry(strategy: Strategy) {
  const r = new Registry(new SqliteStore(':memory:'), strategy, () => {});
  await r.start();
  return r;
}

const template = (labels: Record<string, string> = { app: 'web' }, spec: object = {}) => ({
  metadata: { labels }, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }], ...spec },
});

const deployment = (name = 'web', spec: object = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec },
});

async function invalid(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 422, e.message);
    return e.message;
  }
  assert.fail('expected a 422');
}

test('Deployment defaults: RollingUpdate 25%/25%, 10 revisions, 600 s deadline, template but not pod-only defaults', async () => {
  const r = await registry(deploymentStrategy);
  const d = (await r.create('default', deployment())).obj as Json;
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.replicas, 1);
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.metadata.generation, 1);
  assert.deepEqual(d.status, {});
  const spec = d.spec.template.spec;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(spec.containers[0].terminationMessagePath, '/dev/termination-log');
  // What only pods get stays out of templates.
  for (const f of ['serviceAccountName', 'enableServiceLinks', 'priority', 'tolerations', 'preemptionPolicy']) assert.equal(spec[f], undefined, f);
});

test('Deployment validation: selector required, must match the template, no empty selector, strategy rules', async () => {
  const r = await registry(deploymentStrategy);
  assert.equal(await invalid(r.create('default', deployment('a', { selector: undefined }))), 'Deployment "a" is invalid: spec.selector: Required value');
  assert.match(await invalid(r.create('default', deployment('b', { selector: { matchLabels: { app: 'other' } } }))),
    /spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"web"\}: `selector` does not match template `labels`/);
  assert.match(await invalid(r.create('default', deployment('c', { selector: {} }))), /spec\.selector: Invalid value: .*: empty selector is invalid for deployment/);
  assert.match(await invalid(r.create('default', deployment('d', { replicas: -1 }))), /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
  assert.match(await invalid(r.create('default', deployment('e', { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }))),
    /spec\.strategy\.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'/);
  assert.match(await invalid(r.create('default', deployment('f', { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }))),
    /spec\.strategy\.rollingUpdate\.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0/);
  assert.match(await invalid(r.create('default', deployment('g', { strategy: { rollingUpdate: { maxSurge: '5', maxUnavailable: '120%' } } }))),
    /maxSurge: Invalid value: "5": a valid percent string.*maxUnavailable: Invalid value: "120%": must not be greater than 100%/);
  assert.match(await invalid(r.create('default', deployment('h', { template: template({ app: 'web' }, { restartPolicy: 'Never' }) }))),
    /spec\.template\.spec\.restartPolicy: Unsupported value: "Never": supported values: "Always"/);
  assert.match(await invalid(r.create('default', deployment('i', { minReadySeconds: 700 }))),
    /spec\.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds/);
  assert.match(await invalid(r.create('default', deployment('j', { strategy: { type: 'BlueGreen' } }))),
    /spec\.strategy\.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"/);
});

test('Deployment updates: generation grows with spec or annotation changes only; the selector is immutable', async () => {
  const r = await registry(deploymentStrategy);
  const created = (await r.create('default', deployment())).obj as Json;
  const same = (await r.update('default', 'web', structuredClone(created))).obj as Json;
  assert.equal(same.metadata.generation, 1, 'a no-op update');
  const labeled = structuredClone(same);
  labeled.metadata.labels = { team: 'a' };
  const afterLabel = (await r.update('default', 'web', labeled)).obj as Json;
  assert.equal(afterLabel.metadata.generation, 1, 'labels are not spec');
  const annotated = structuredClone(afterLabel);
  annotated.metadata.annotations = { note: 'x' };
  const afterAnnotation = (await r.update('default', 'web', annotated)).obj as Json;
  assert.equal(afterAnnotation.metadata.generation, 2, 'annotations are copied to replica sets, so they count');
  const scaled = structuredClone(afterAnnotation);
  scaled.spec.replicas = 4;
  assert.equal(((await r.update('default', 'web', scaled)).obj as Json).metadata.generation, 3);
  const moved = structuredClone(scaled);
  delete moved.metadata.resourceVersion;
  moved.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
  moved.spec.template.metadata.labels.tier = 'x';
  assert.match(await invalid(r.update('default', 'web', moved)),
    /spec\.selector: Invalid value: &v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"web", "tier":"x"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: field is immutable/);
});

test('status subresource: keeps spec, generation and labels; a main update keeps status', async () => {
  const r = await registry(deploymentStrategy);
  const d = (await r.create('default', deployment())).obj as Json;
  const next = structuredClone(d);
  next.spec.replicas = 9;
  next.metadata.labels = { sneaky: 'yes' };
  next.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' };
  next.status = { replicas: 1, observedGeneration: 1 };
  const s = (await r.update('default', 'web', next, { subresource: 'status' })).obj as Json;
  assert.equal(s.spec.replicas, 1);
  assert.equal(s.metadata.labels, undefined);
  assert.equal(s.metadata.generation, 1);
  assert.equal(s.metadata.annotations['deployment.kubernetes.io/revision'], '1', 'annotations pass, as upstream lets the controller record the revision');
  assert.deepEqual(s.status, { replicas: 1, observedGeneration: 1 });
  const main = structuredClone(s);
  main.status = {};
  assert.deepEqual(((await r.update('default', 'web', main)).obj as Json).status, { replicas: 1, observedGeneration: 1 });
  const bad = structuredClone(s);
  bad.status = { replicas: 1, readyReplicas: 2 };
  assert.match(await invalid(r.update('default', 'web', bad, { subresource: 'status' })), /status\.readyReplicas: Invalid value: 2: cannot be greater than status\.replicas/);
});

test('table cells: kubectl get deploy / rs / sts / ds columns', async () => {
  const now = Date.now();
  const d = { ...deployment(), metadata: { name: 'web', creationTimestamp: new Date(now - 65_000).toISOString() }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 1 } } as Json;
  d.spec.replicas = 3;
  assert.deepEqual(deploymentStrategy.table.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1]]);
  assert.deepEqual(deploymentStrategy.table.cells(d, now), ['web', '2/3', 3, 1, '65s', 'web', 'busybox:1.36', 'app=web']);
  const rs = { ...d, status: { replicas: 2, readyReplicas: 1 } };
  assert.deepEqual(replicaSetStrategy.table.cells(rs, now).slice(0, 5), ['web', 3, 2, 1, '65s']);
  assert.deepEqual(replicaSetStrategy.table.columns.map((c) => c.name).slice(0, 5), ['Name', 'Desired', 'Current', 'Ready', 'Age']);
  assert.deepEqual(statefulSetStrategy.table.cells({ ...d, status: { readyReplicas: 1 } }, now), ['web', '1/3', '65s', 'web', 'busybox:1.36']);
  const ds = { ...d, spec: { ...d.spec, template: template({ app: 'web' }, { nodeSelector: { disk: 'ssd' } }) }, status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } };
  assert.deepEqual(daemonSetStrategy.table.cells(ds, now), ['web', 2, 2, 1, 2, 1, 'disk=ssd', '65s', 'web', 'busybox:1.36', 'app=web']);
  assert.deepEqual(replicaSetStrategy.selectableFields!(rs), { 'status.replicas': '2' });
});

test('scale accessor reads spec/status replicas and the selector string, and writes spec.replicas', () => {
  const d = { ...deployment(), status: { replicas: 2 } } as Json;
  d.spec.replicas = 3;
  d.spec.selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] };
  assert.deepEqual(replicasScale.read(d), { specReplicas: 3, statusReplicas: 2, selector: 'app=web,tier in (a,b)' });
  replicasScale.write(d, 7);
  assert.equal(d.spec.replicas, 7);
});

test('ReplicaSet: defaults, status.replicas 0 at creation, same selector rules', async () => {
  const r = await registry(replicaSetStrategy);
  const rs = (await r.create('default', { ...deployment('rs'), apiVersion: 'apps/v1', kind: 'ReplicaSet' })).obj as Json;
  assert.equal(rs.spec.replicas, 1);
  assert.deepEqual(rs.status, { replicas: 0 });
  assert.match(await invalid(r.create('default', { ...deployment('x', { selector: {} }), kind: 'ReplicaSet' })), /empty selector is invalid for deployment/);
  assert.match(await invalid(r.create('default', { ...deployment('y', { template: template({ app: 'web' }, { activeDeadlineSeconds: 5 }) }), kind: 'ReplicaSet' })),
    /spec\.template\.spec\.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported/);
});

test('StatefulSet: defaults and the fields an update may not change', async () => {
  const r = await registry(statefulSetStrategy);
  const sts = (await r.create('default', { ...deployment('db', { serviceName: 'db' }), kind: 'StatefulSet' })).obj as Json;
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(sts.spec.revisionHistoryLimit, 10);
  const changed = structuredClone(sts);
  changed.spec.serviceName = 'other';
  assert.match(await invalid(r.update('default', 'db', changed)), /spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template'/);
  const scaled = structuredClone(sts);
  scaled.spec.replicas = 3;
  assert.equal(((await r.update('default', 'db', scaled)).obj as Json).metadata.generation, 2);
});

test('DaemonSet: defaults maxUnavailable 1 / maxSurge 0; both set is refused', async () => {
  const r = await registry(daemonSetStrategy);
  const ds = (await r.create('default', { ...deployment('agent'), kind: 'DaemonSet' })).obj as Json;
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.deepEqual(ds.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  assert.match(await invalid(r.create('default', { ...deployment('b', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } }), kind: 'DaemonSet' })),
    /spec\.updateStrategy\.rollingUpdate\.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero/);
});

test('Job: generated selector and labels on its UID, job defaults, OnFailure/Never only, immutable template', async () => {
  const r = await registry(jobStrategy);
  const created = (await r.create('default', {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox:1.36' }] } } },
  })).obj as Json;
  const uid = created.metadata.uid;
  assert.deepEqual(created.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.deepEqual(created.spec.template.metadata.labels, {
    'controller-uid': uid, 'batch.kubernetes.io/controller-uid': uid, 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi',
  });
  assert.deepEqual(created.metadata.labels, created.spec.template.metadata.labels);
  for (const [k, v] of Object.entries({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed' })) {
    assert.equal(created.spec[k], v, k);
  }
  assert.equal(jobStrategy.garbageCollectionPolicy, 'OrphanDependents');
  assert.match(await invalid(r.create('default', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bad' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } } })),
    /spec\.template\.spec\.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"/);
  const changed = structuredClone(created);
  changed.spec.template.spec.containers[0].image = 'busybox:1.37';
  assert.match(await invalid(r.update('default', 'pi', changed)), /spec\.template: Invalid value: .*: field is immutable/);
  const now = Date.now();
  const cells = jobStrategy.table.cells({ ...created, status: { succeeded: 1, startTime: new Date(now - 5000).toISOString(), completionTime: new Date(now - 2000).toISOString(), conditions: [{ type: 'Complete', status: 'True' }] } }, now);
  assert.deepEqual(cells.slice(0, 4), ['pi', 'Complete', '1/1', '3s']);
});

test('CronJob: defaults and schedule checks', async () => {
  const r = await registry(cronJobStrategy);
  const cj = (await r.create('default', {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } } },
  })).obj as Json;
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.deepEqual(scheduleErrors('@hourly'), []);
  assert.deepEqual(scheduleErrors('@every 1h30m'), []);
  assert.deepEqual(scheduleErrors('0 0 * * MON-FRI'), []);
  assert.equal(scheduleErrors('* * *').length, 1);
  assert.equal(scheduleErrors('TZ=UTC * * * * *')[0], 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
});

test('ControllerRevision: data required and immutable; CONTROLLER column', async () => {
  const r = await registry(controllerRevisionStrategy);
  assert.match(await invalid(r.create('default', { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'x' }, revision: 1 })), /data: Required value: data is mandatory/);
  const cr = (await r.create('default', {
    apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 2, data: { spec: {} },
    metadata: { name: 'web-1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] },
  })).obj as Json;
  assert.deepEqual(controllerRevisionStrategy.table.cells(cr, Date.now()).slice(0, 3), ['web-1', 'statefulset.apps/web', 2]);
  const changed = structuredClone(cr);
  changed.data = { spec: { x: 1 } };
  assert.match(await invalid(r.update('default', 'web-1', changed)), /data: Invalid value: .*: field is immutable/);
});

test('helpers: int-or-percent, label selectors', () => {
  assert.equal(scaledValue('25%', 3, true), 1);
  assert.equal(scaledValue('25%', 3, false), 0);
  assert.equal(scaledValue('50%', 5, true), 3);
  assert.equal(scaledValue(2, 10, true), 2);
  assert.throws(() => scaledValue('abc', 3, true));
  assert.deepEqual(validateIntOrPercent('f', '10%'), []);
  assert.equal(validateIntOrPercent('f', -1)[0].detail, 'must be greater than or equal to 0');
  assert.deepEqual(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] }, 's').map((e) => `${e.field}: ${e.detail}`),
    ["s.matchExpressions[0].values: must be specified when `operator` is 'In' or 'NotIn'"]);
  assert.equal(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Is' }] }, 's')[0].detail, 'not a valid selector operator');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
});
