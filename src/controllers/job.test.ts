import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../api/errors.js';
import { RestClient } from '../client/rest.js';
import {
  formatIndexes, isPodFailed, JOB_TRACKING_FINALIZER, JobController, parseIndexes, pastBackoffLimitOnFailure, podBackoffMs, podFromTemplate,
} from './job.js';
import { until, withController } from '../../test/helpers/controllers.js';

test('completed indexes: parse and format as upstream ("1,3-5")', () => {
  assert.deepEqual([...parseIndexes('0,2-4,9', 5)], [0, 2, 3, 4]);
  assert.equal(formatIndexes([4, 0, 2, 3, 7]), '0,2-4,7');
  assert.equal(formatIndexes([]), '');
});

test('failure counting: failed or deleted-before-success pods; OnFailure counts container restarts of live pods', () => {
  assert.equal(isPodFailed({ status: { phase: 'Failed' } }), true);
  assert.equal(isPodFailed({ metadata: { deletionTimestamp: 't' }, status: { phase: 'Running' } }), true);
  assert.equal(isPodFailed({ metadata: { deletionTimestamp: 't' }, status: { phase: 'Succeeded' } }), false);
  const job = (backoffLimit: number): Job => ({ spec: { backoffLimit, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } } });
  const restarted = (n: number, phase = 'Running'): Pod => ({ status: { phase, containerStatuses: [{ name: 'c', restartCount: n, image: '', imageID: '', ready: false }] } });
  assert.equal(pastBackoffLimitOnFailure(job(6), [restarted(2)]), false, 'the seed job: 2 restarts of 6');
  assert.equal(pastBackoffLimitOnFailure(job(2), [restarted(1), restarted(1)]), true);
  assert.equal(pastBackoffLimitOnFailure(job(2), [restarted(5, 'Succeeded')]), false, 'finished pods do not count');
  assert.equal(pastBackoffLimitOnFailure(job(0), [restarted(1)]), true);
  assert.equal(podBackoffMs(0), 0);
  assert.deepEqual([1, 2, 3, 10].map((n) => podBackoffMs(n)), [10_000, 20_000, 40_000, 360_000]);
});

test('pods from the template: labels, owner, tracking finalizer; Indexed pods get their index', () => {
  const job: Job = { metadata: { name: 'pi', namespace: 'default', uid: 'u1' }, spec: { template: { metadata: { labels: { app: 'pi' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
  const p = podFromTemplate(job);
  assert.equal(p.metadata!.generateName, 'pi-');
  assert.deepEqual(p.metadata!.finalizers, [JOB_TRACKING_FINALIZER]);
  assert.equal(p.metadata!.labels!['batch.kubernetes.io/job-name'], 'pi');
  assert.deepEqual(p.metadata!.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  const ix = podFromTemplate(job, 3);
  assert.equal(ix.metadata!.generateName, 'pi-3-');
  assert.equal(ix.metadata!.annotations!['batch.kubernetes.io/job-completion-index'], '3');
  assert.equal(ix.spec!.hostname, 'pi-3');
  assert.equal(ix.spec!.containers[0].env![0].name, 'JOB_COMPLETION_INDEX');
});

// ---------- against a real API server (no other controllers; the test plays the node) ----------

const jobManifest = (name: string, spec: object) => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
});

function helpers(client: RestClient) {
  const pods = async (job: string): Promise<Pod[]> =>
    (await client.get<{ items: Pod[] }>(`/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/job-name=${job}`)}`)).items;
  const getJob = (name: string) => client.get<Job>(`/apis/batch/v1/namespaces/default/jobs/${name}`);
  /** What a node does: the pod ran and ended with `phase` (Running+Ready for 'Running'). */
  const finish = (p: Pod, phase: 'Succeeded' | 'Failed' | 'Running', restartCount = 0) =>
    client.patch(`/api/v1/namespaces/default/pods/${p.metadata!.name}/status`, {
      status: {
        phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }],
        containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: phase === 'Running', restartCount, state: phase === 'Running' ? { running: {} } : { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } } }],
      },
    }, 'application/strategic-merge-patch+json');
  const cond = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  return { pods, getJob, finish, cond };
}

test('a job with completions 3, parallelism 2: two at a time, counted through the finalizer, SuccessCriteriaMet then Complete', () => withController((c) => new JobController(c, { backoffBaseMs: 100 }), async (client) => {
  const { pods, getJob, finish, cond } = helpers(client);
  await client.post('/apis/batch/v1/namespaces/default/jobs', jobManifest('three', { completions: 3, parallelism: 2 }));
  const first = await until('two pods', async () => ((await pods('three')).length === 2 ? pods('three') : undefined));
  assert.ok(first.every((p) => p.metadata!.finalizers?.includes(JOB_TRACKING_FINALIZER)));
  await until('active 2', async () => ((await getJob('three')).status?.active === 2 ? true : undefined));
  await finish(first[0], 'Running');
  await until('ready 1', async () => ((await getJob('three')).status?.ready === 1 ? true : undefined));
  await finish(first[0], 'Succeeded');
  await finish(first[1], 'Succeeded');
  const third = await until('a third pod', async () => (await pods('three')).find((p) => !first.some((f) => f.metadata!.uid === p.metadata!.uid)));
  assert.equal((await pods('three')).length, 3, 'only one more: completions - succeeded');
  await finish(third, 'Succeeded');
  const done = await until('Complete', async () => { const j = await getJob('three'); return cond(j, 'Complete') ? j : undefined; });
  assert.equal(done.status!.succeeded, 3);
  assert.equal(done.status!.failed ?? 0, 0);
  assert.equal(done.status!.active, 0);
  assert.ok(done.status!.completionTime && done.status!.startTime);
  assert.deepEqual(done.status!.conditions!.map((c) => `${c.type}:${c.reason}`), ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
  assert.ok((await pods('three')).every((p) => !p.metadata!.finalizers?.includes(JOB_TRACKING_FINALIZER)), 'finalizers removed');
  assert.equal(done.status!.uncountedTerminatedPods?.succeeded, undefined);
}, 'tinykube-job-'));

test('backoffLimit with restartPolicy Never: failed pods are replaced after a backoff, then FailureTarget and Failed; a deleted pod counts as failed', () => withController((c) => new JobController(c, { backoffBaseMs: 1500 }), async (client) => {
  const { pods, getJob, finish, cond } = helpers(client);
  await client.post('/apis/batch/v1/namespaces/default/jobs', jobManifest('flaky', { backoffLimit: 2 }));
  const p1 = await until('pod 1', async () => (await pods('flaky'))[0]);
  await finish(p1, 'Failed');
  const t = Date.now();
  const p2 = await until('pod 2', async () => (await pods('flaky')).find((p) => p.metadata!.uid !== p1.metadata!.uid));
  assert.ok(Date.now() - t >= 400, 'replaced after the backoff (finishedAt has whole seconds)');
  await until('failed 1', async () => ((await getJob('flaky')).status?.failed === 1 ? true : undefined));
  // Deleting a running pod counts as a failure (its finalizer keeps it until counted).
  await client.delete(`/api/v1/namespaces/default/pods/${p2.metadata!.name}`);
  await until('failed 2', async () => ((await getJob('flaky')).status?.failed === 2 ? true : undefined));
  const p3 = await until('pod 3', async () => (await pods('flaky')).find((p) => ![p1, p2].some((x) => x.metadata!.uid === p.metadata!.uid) && !p.metadata!.deletionTimestamp));
  await finish(p3, 'Failed');
  const failed = await until('Failed', async () => { const j = await getJob('flaky'); return cond(j, 'Failed') ? j : undefined; });
  assert.equal(failed.status!.failed, 3);
  assert.deepEqual(failed.status!.conditions!.map((c) => `${c.type}:${c.reason}`), ['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded']);
  assert.equal(cond(failed, 'Failed')!.message, 'Job has reached the specified backoff limit');
  assert.equal(failed.status!.completionTime, undefined);
}, 'tinykube-job-'));

test('OnFailure restarts count, activeDeadlineSeconds deletes the active pods, ttlSecondsAfterFinished deletes the job, suspend deletes pods', () => withController((c) => new JobController(c, { backoffBaseMs: 100 }), async (client) => {
  const { pods, getJob, finish, cond } = helpers(client);
  await client.post('/apis/batch/v1/namespaces/default/jobs', jobManifest('restarts', { backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } }));
  const r = await until('pod', async () => (await pods('restarts'))[0]);
  await finish(r, 'Running', 2);
  const failed = await until('Failed', async () => { const j = await getJob('restarts'); return cond(j, 'Failed') ? j : undefined; });
  assert.equal(cond(failed, 'Failed')!.reason, 'BackoffLimitExceeded');
  assert.equal(failed.status!.failed, 1, 'the deleted active pod counts');

  await client.post('/apis/batch/v1/namespaces/default/jobs', jobManifest('deadline', { activeDeadlineSeconds: 1, ttlSecondsAfterFinished: 1 }));
  await until('pod', async () => (await pods('deadline'))[0]);
  const expired = await until('DeadlineExceeded', async () => { const j = await getJob('deadline'); return cond(j, 'Failed') ? j : undefined; });
  assert.equal(cond(expired, 'Failed')!.reason, 'DeadlineExceeded');
  assert.equal(cond(expired, 'Failed')!.message, 'Job was active longer than specified deadline');
  assert.deepEqual(await pods('deadline'), [], 'the active pod was deleted');
  await until('ttl deletion', async () => (await getJob('deadline').then(() => undefined, (e) => (e instanceof ApiError && e.code === 404 ? true : undefined))));

  await client.post('/apis/batch/v1/namespaces/default/jobs', jobManifest('paused', { parallelism: 2, completions: 4 }));
  await until('two pods', async () => ((await pods('paused')).length === 2 ? true : undefined));
  await client.patch('/apis/batch/v1/namespaces/default/jobs/paused', { spec: { suspend: true } });
  const suspended = await until('Suspended', async () => { const j = await getJob('paused'); return cond(j, 'Suspended') && !(await pods('paused')).length ? j : undefined; });
  assert.equal(suspended.status!.active, 0);
  await client.patch('/apis/batch/v1/namespaces/default/jobs/paused', { spec: { suspend: false } });
  await until('resumed', async () => ((await pods('paused')).length === 2 ? true : undefined));
  assert.equal((await getJob('paused')).status?.conditions?.find((c) => c.type === 'Suspended')?.status, 'False');
}, 'tinykube-job-'));

test('Indexed: one pod per index, completedIndexes, succeeded from indexes', () => withController((c) => new JobController(c, { backoffBaseMs: 100 }), async (client) => {
  const { pods, getJob, finish, cond } = helpers(client);
  await client.post('/apis/batch/v1/namespaces/default/jobs', jobManifest('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  const all = await until('three pods', async () => { const p = await pods('idx'); return p.length === 3 ? p : undefined; });
  const index = (p: Pod) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index'];
  assert.deepEqual(all.map(index).sort(), ['0', '1', '2']);
  await finish(all.find((p) => index(p) === '1')!, 'Succeeded');
  await until('completedIndexes 1', async () => ((await getJob('idx')).status?.completedIndexes === '1' ? true : undefined));
  await finish(all.find((p) => index(p) === '0')!, 'Failed');
  const again = await until('index 0 again', async () => (await pods('idx')).find((p) => index(p) === '0' && p.status?.phase !== 'Failed'));
  await finish(again, 'Succeeded');
  await finish(all.find((p) => index(p) === '2')!, 'Succeeded');
  const done = await until('Complete', async () => { const j = await getJob('idx'); return cond(j, 'Complete') ? j : undefined; });
  assert.equal(done.status!.completedIndexes, '0-2');
  assert.equal(done.status!.succeeded, 3);
  assert.equal(done.status!.failed, 1);
}, 'tinykube-job-'));

test('pods of a deleted or orphaning job lose the tracking finalizer', () => withController((c) => new JobController(c), async (client) => {
  const { pods } = helpers(client);
  await client.post('/apis/batch/v1/namespaces/default/jobs', jobManifest('gone', {}));
  await client.post('/apis/batch/v1/namespaces/default/jobs', jobManifest('orphaning', {}));
  const gone = await until('pod', async () => (await pods('gone'))[0]);
  const orphan = await until('pod', async () => (await pods('orphaning'))[0]);
  await client.delete('/apis/batch/v1/namespaces/default/jobs/gone', { propagationPolicy: 'Background' });
  // What the garbage collector does on an Orphan delete: the owner reference goes.
  await client.patch(`/api/v1/namespaces/default/pods/${orphan.metadata!.name}`, { metadata: { ownerReferences: null } });
  await until('finalizers removed', async () => {
    const p = await pods('gone');
    const o = await pods('orphaning');
    return [...p, ...o].every((x) => !x.metadata!.finalizers?.includes(JOB_TRACKING_FINALIZER)) ? true : undefined;
  });
  assert.equal((await pods('gone'))[0]?.metadata!.uid ?? gone.metadata!.uid, gone.metadata!.uid);
}, 'tinykube-job-'));
