// ConfigMaps and Secrets end to end: kubectl 1.27 (JSON) and 1.33 (protobuf) create them, the API
// validates them as upstream, and real pods read them as volumes (atomic ..data files, secrets on
// tmpfs, read-only, updates arriving) and as environment (valueFrom, envFrom, the downward API);
// a pod naming a ConfigMap that does not exist yet waits and then starts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKubectl } from './harness.js';
import { ok, realPodsUnavailable, TEST_IMAGE, TestCluster, waitFor } from './cluster.js';

const k33 = findKubectl(33) ?? 'kubectl';
const k27 = findKubectl(27);
const skip = realPodsUnavailable();

describe('configmaps and secrets', { skip, timeout: 300_000 }, () => {
  const cluster = new TestCluster({ podCidr: '10.42.242.0/24', bridge: 'tkcm0', nodeName: 'cm-node' }, k33);
  const files = mkdtempSync(join(tmpdir(), 'tk-cm-'));
  const kubectl = (args: string[], input?: string, bin = k33) => cluster.kubectl(args, input, bin);
  const exec = async (pod: string, script: string) => ok(await kubectl(['exec', pod, '--', 'sh', '-c', script]));

  before(() => cluster.start());
  after(async () => {
    rmSync(files, { recursive: true, force: true });
    await cluster.stop();
  });

  test('kubectl create configmap/secret (1.27 JSON, 1.33 protobuf), tables, base64, validation', async () => {
    writeFileSync(join(files, 'greeting'), 'hello from a file\n');
    for (const [suffix, bin] of [['', k33], ['-27', k27]] as const) {
      if (!bin) continue;
      ok(await kubectl(['create', 'configmap', `app${suffix}`, '--from-literal=a=1', `--from-file=greeting=${join(files, 'greeting')}`], undefined, bin));
      ok(await kubectl(['create', 'secret', 'generic', `s${suffix}`, '--from-literal=password=hunter2'], undefined, bin));
    }
    assert.match(ok(await kubectl(['get', 'cm', 'app'])), /^NAME\s+DATA\s+AGE\napp\s+2\s+/);
    assert.match(ok(await kubectl(['get', 'secret', 's'])), /^NAME\s+TYPE\s+DATA\s+AGE\ns\s+Opaque\s+1\s+/);
    const both = ok(await kubectl(['get', 'cm,secret']));
    assert.match(both, /^NAME\s+DATA\s+AGE\nconfigmap\/app\s+2\s+/m);
    assert.match(both, /^NAME\s+TYPE\s+DATA\s+AGE\n(?:.*\n)*?secret\/s\s+Opaque\s+1\s+/m);
    assert.match(ok(await kubectl(['explain', 'configmap.immutable'])), /FIELD:\s+immutable/);
    assert.match(ok(await kubectl(['api-resources', '--api-group='])), /^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
    const pw = ok(await kubectl(['get', 'secret', 's', '-o', 'jsonpath={.data.password}']));
    assert.equal(Buffer.from(pw, 'base64').toString(), 'hunter2');
    if (k27) assert.deepEqual(JSON.parse(ok(await kubectl(['get', 'secret', 's-27', '-o', 'json']))).data, { password: pw });

    const invalid = await kubectl(['create', '--validate=false', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { 'b@d': '1' } }));
    assert.match(invalid.stderr, /ConfigMap "bad" is invalid: data\[b@d\]: Invalid value: "b@d": a valid config key must consist of alphanumeric characters/);
    const badB64 = await kubectl(['create', '--validate=false', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad' }, data: { k: '!!!' } }));
    assert.match(badB64.stderr, /Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0/);
    await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } });
    const frozen = await kubectl(['patch', 'cm', 'frozen', '-p', '{"data":{"a":"2"}}']);
    assert.match(frozen.stderr, /ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set/);
    await cluster.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sd' }, stringData: { user: 'admin' } });
    const sd = JSON.parse(ok(await kubectl(['get', 'secret', 'sd', '-o', 'json'])));
    assert.deepEqual([sd.data, sd.stringData, sd.type], [{ user: Buffer.from('admin').toString('base64') }, undefined, 'Opaque']);
  });

  test('a pod reads them as volumes and environment, with the downward API; updates reach the volume', async () => {
    const mount = (name: string, path: string) => ({ name, mountPath: path });
    ok(await kubectl(['create', 'configmap', 'weird', '--from-literal=1bad=x', '--from-literal=WEIRD_OK=y']));
    await cluster.apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'consumer', labels: { app: 'demo' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        volumes: [
          { name: 'cm', configMap: { name: 'app' } },
          { name: 'sec', secret: { secretName: 's', items: [{ key: 'password', path: 'pw' }], defaultMode: 0o400 } },
          { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        ],
        containers: [{
          name: 'main', image: TEST_IMAGE, imagePullPolicy: 'Never', resources: { limits: { memory: '64Mi' } },
          command: ['sh', '-c', 'echo "A=$A PW=$PW CM_a=$CM_a NAME=$POD_NAME IP=$POD_IP MEM=$MEM OPT=${OPT-unset}"; exec sleep 3600'],
          env: [
            { name: 'A', valueFrom: { configMapKeyRef: { name: 'app', key: 'a' } } },
            { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
            { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
          ],
          envFrom: [{ prefix: 'CM_', configMapRef: { name: 'app' } }, { configMapRef: { name: 'weird' } }],
          volumeMounts: [mount('cm', '/etc/cm'), mount('sec', '/etc/sec'), mount('dapi', '/etc/dapi')],
        }],
      },
    });
    const pod = await cluster.running('consumer');
    const logs = ok(await kubectl(['logs', 'consumer']));
    assert.equal(logs, `A=1 PW=hunter2 CM_a=1 NAME=consumer IP=${pod.status.podIP} MEM=64 OPT=unset\n`);
    assert.equal(await exec('consumer', 'echo "$WEIRD_OK"'), 'y\n');
    await waitFor('the InvalidEnvironmentVariableNames event', async () => (/InvalidEnvironmentVariableNames\s+pod\/consumer\s+Keys \[1bad\] from the EnvFrom configMap \S+\/weird were skipped since they are considered invalid environment variable names\./.test(ok(await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=consumer']))) ? true : undefined));
    assert.equal(await exec('consumer', 'cat /etc/cm/a; cat /etc/cm/greeting; cat /etc/sec/pw; echo; cat /etc/dapi/labels'), '1hello from a file\nhunter2\napp="demo"');
    assert.equal(await exec('consumer', 'stat -L -c %a /etc/sec/pw; readlink /etc/cm/a; grep " /etc/sec " /proc/mounts | cut -d" " -f3; touch /etc/cm/x 2>/dev/null || echo read-only'), '400\n..data/a\ntmpfs\nread-only\n');
    const patched = Date.now();
    ok(await kubectl(['patch', 'cm', 'app', '-p', '{"data":{"a":"2"}}']));
    await waitFor('the update in the volume', async () => ((await exec('consumer', 'cat /etc/cm/a')) === '2' ? true : undefined), 60_000);
    console.log(`# ConfigMap update seen in the volume after ${Date.now() - patched} ms (the agent watches ConfigMaps)`);
    ok(await kubectl(['delete', 'pod', 'consumer', '--grace-period=0']));
  });

  test('a missing ConfigMap: CreateContainerConfigError (env) or ContainerCreating (volume) until it exists', async () => {
    const envPod = TestCluster.shPod('env-waiter', { main: 'echo "V=$V"; exec sleep 3600' }, { terminationGracePeriodSeconds: 0 }, false);
    (envPod.spec.containers[0] as Record<string, unknown>).env = [{ name: 'V', valueFrom: { configMapKeyRef: { name: 'later', key: 'v' } } }];
    await cluster.apply(envPod);
    await cluster.apply({ ...TestCluster.shPod('vol-waiter', { main: 'exec sleep 3600' }, { terminationGracePeriodSeconds: 0, volumes: [{ name: 'later', configMap: { name: 'vol-later' } }] }, false) });
    const waiting = (name: string) => waitFor(`${name} waiting`, async () => (await cluster.pod(name)).status?.containerStatuses?.[0]?.state?.waiting);
    const w = await waitFor('CreateContainerConfigError', async () => { const s = await waiting('env-waiter'); return s.reason === 'CreateContainerConfigError' ? s : undefined; });
    assert.equal(w.message, 'configmap "later" not found');
    assert.equal((await waiting('vol-waiter')).reason, 'ContainerCreating');
    await waitFor('FailedMount event', async () => (/MountVolume.SetUp failed for volume "later" : configmap "vol-later" not found/.test(ok(await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=vol-waiter']))) ? true : undefined));
    ok(await kubectl(['create', 'configmap', 'later', '--from-literal=v=now']));
    ok(await kubectl(['create', 'configmap', 'vol-later', '--from-literal=v=now']));
    await cluster.running('env-waiter');
    await cluster.running('vol-waiter');
    assert.equal(ok(await kubectl(['logs', 'env-waiter'])), 'V=now\n');
    ok(await kubectl(['delete', 'pod', 'env-waiter', 'vol-waiter', '--grace-period=0']));
  });
});
