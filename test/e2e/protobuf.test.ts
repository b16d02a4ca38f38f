// Kubernetes protobuf request bodies. kubectl >= 1.32 sends its typed-client writes (`kubectl
// create namespace|deployment|job|cronjob|configmap|secret|service ...`, `autoscale`) as
// `Content-Type: application/vnd.kubernetes.protobuf` with `Accept:
// application/vnd.kubernetes.protobuf,application/json`; kubectl 1.27 sends the same commands as
// JSON. Both must leave the same objects behind. Then bad protobuf input (400, nothing stored, the
// server lives on), Accept negotiation (JSON fallback, 406 for protobuf only) and protobuf bodies
// on update, scale, binding and delete. Only the API server runs: pods stay Pending.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { envelope, entry, msg, str, vi } from '../helpers/protobufwriter.js';
import { findKubectl, kubectlRunner, startServer, type KubectlResult, type RunningServer } from './harness.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const ok = (r: KubectlResult): string => {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr.split('\n').filter((l) => !/^I\d{4} /.test(l)).join('\n')}${r.stdout}`);
  return r.stdout;
};

/** The kubectl on PATH and its minor version, if there is one. */
function defaultKubectl(): { binary: string; minor: number } | undefined {
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  if (!which) return undefined;
  const v = spawnSync(which, ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (v.status !== 0) return undefined;
  return { binary: realpathSync(which), minor: parseInt(JSON.parse(v.stdout).clientVersion?.minor ?? '0', 10) };
}

interface Client {
  label: string;
  binary: string;
  /** Whether this kubectl sends typed creates as protobuf (1.32 and later). */
  protobuf: boolean;
}

const reference = findKubectl(27);
const clients: Client[] = [];
const k133 = findKubectl(33);
if (k133) clients.push({ label: '133', binary: k133, protobuf: true });
const dflt = defaultKubectl();
if (dflt) clients.push({ label: 'default', binary: dflt.binary, protobuf: dflt.minor >= 32 });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An object as read back, minus what differs between two identical creations (names, uids, times, controller output). */
function normalize(obj: Json, ns: string): Json {
  const o = structuredClone(obj);
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'namespace', 'selfLink']) delete o.metadata[k];
  for (const k of Object.keys(o.metadata.annotations ?? {})) if (k.startsWith('deployment.kubernetes.io/')) delete o.metadata.annotations[k];
  if (o.metadata.annotations && !Object.keys(o.metadata.annotations).length) delete o.metadata.annotations;
  delete o.status;
  // Allocated per service, so different in every session.
  if (o.kind === 'Service' && o.spec) { delete o.spec.clusterIP; delete o.spec.clusterIPs; }
  if (o.kind === 'Namespace') o.metadata.name = 'NS';
  const text = JSON.stringify(o).replaceAll(ns, 'NS').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UID');
  return JSON.parse(text);
}

describe('protobuf request bodies from real kubectl', { skip: !reference ? 'kubectl 1.27 (the JSON reference) is not installed' : !clients.length ? 'no kubectl >= 1.32 installed' : false }, () => {
  let server: RunningServer;
  const results = new Map<string, Map<string, Json>>();

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
  });

  /** Runs the session with one kubectl in its own namespace; returns the objects it read back. */
  async function session(label: string, binary: string, protobuf: boolean): Promise<Map<string, Json>> {
    const ns = `pb-${label}`;
    const kubectl = kubectlRunner(binary, server, server.dataDir);
    const out = new Map<string, Json>();
    /** A typed create, with the request headers logged so the body's Content-Type can be checked. */
    const create = async (...args: string[]) => {
      const r = await kubectl(['-v=8', ...args]);
      ok(r);
      const types = [...r.stderr.matchAll(/Content-Type: (\S+)/g)].map((m) => m[1]);
      if (protobuf) assert.ok(types.includes(PROTOBUF), `kubectl ${label} ${args.join(' ')} sent no protobuf (request Content-Types: ${types.join(', ')})`);
      else assert.ok(!types.includes(PROTOBUF) && types.includes('application/json'), `kubectl ${label} ${args.join(' ')}: ${types.join(', ')}`);
    };
    const get = async (what: string, namespaced = true) => {
      const obj = JSON.parse(ok(await kubectl([...(namespaced ? ['-n', ns] : []), 'get', what, '-o', 'json'])));
      out.set(what.replace(ns, 'NS'), normalize(obj, ns));
      return obj;
    };

    await create('create', 'namespace', ns);
    await create('-n', ns, 'create', 'deployment', 'web', '--image=busybox', '--replicas=3');
    await create('-n', ns, 'create', 'deployment', 'zero', '--image=busybox', '--replicas=0');
    await create('-n', ns, 'create', 'job', 'j', '--image=busybox');
    await create('-n', ns, 'create', 'cronjob', 'cj', '--image=busybox', '--schedule=@hourly');
    await create('-n', ns, 'create', 'job', 'fromcj', '--from=cronjob/cj');
    // Server-side dry run: decoded, validated, not stored.
    await create('-n', ns, 'create', 'deployment', 'dry', '--image=busybox', '--dry-run=server');
    // `run` and the patches are JSON from every version: they must keep working beside protobuf.
    ok(await kubectl(['-n', ns, 'run', 'nginx', '--image=nginx', '--labels=a=b']));
    ok(await kubectl(['-n', ns, 'scale', 'deployment', 'web', '--replicas=5']));
    ok(await kubectl(['-n', ns, 'label', 'deployment', 'web', 'tier=frontend']));
    ok(await kubectl(['-n', ns, 'annotate', 'deployment', 'web', 'note=hello']));
    await create('-n', ns, 'create', 'configmap', 'cm', '--from-literal=a=b', '--from-literal=greeting=hello world');
    await create('-n', ns, 'create', 'secret', 'generic', 's', '--from-literal=a=b', '--from-literal=pw=s3cr3t!');
    await create('-n', ns, 'create', 'service', 'clusterip', 'svc', '--tcp=80:8080');

    const nsObj = await get(`namespace/${ns}`, false);
    assert.equal(nsObj.status.phase, 'Active');
    const web = await get('deployment/web');
    assert.equal(web.spec.replicas, 5);
    assert.equal(web.metadata.labels.tier, 'frontend');
    assert.equal(web.metadata.annotations.note, 'hello');
    assert.deepEqual(web.spec.template.spec.containers.map((c: Json) => [c.name, c.image]), [['busybox', 'busybox']]);
    const zero = await get('deployment/zero');
    assert.equal(zero.spec.replicas, 0, 'replicas: 0 must survive (a pointer field), not default to 1');
    await get('job/j');
    await get('cronjob/cj');
    // Not compared with 1.27's: newer kubectl marks the CronJob as the controller (a *bool set to true).
    const fromcj = JSON.parse(ok(await kubectl(['-n', ns, 'get', 'job', 'fromcj', '-o', 'json'])));
    const cj = JSON.parse(ok(await kubectl(['-n', ns, 'get', 'cronjob', 'cj', '-o', 'json'])));
    assert.deepEqual(fromcj.metadata.ownerReferences.map((r: Json) => [r.kind, r.name, r.uid]), [['CronJob', 'cj', cj.metadata.uid]]);
    assert.equal(fromcj.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(fromcj.spec.template.spec.restartPolicy, 'OnFailure');
    const pod = await get('pod/nginx');
    assert.deepEqual(pod.metadata.labels, { a: 'b' });
    const dry = await kubectl(['-n', ns, 'get', 'deployment', 'dry']);
    assert.notEqual(dry.code, 0, 'a dry-run create stored the object');
    assert.deepEqual((await get('configmap/cm')).data, { a: 'b', greeting: 'hello world' });
    {
      const s = await get('secret/s');
      assert.deepEqual(s.data, { a: Buffer.from('b').toString('base64'), pw: Buffer.from('s3cr3t!').toString('base64') });
      assert.equal(s.type, 'Opaque');
    }
    assert.deepEqual((await get('service/svc')).spec.ports[0], { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 });
    return out;
  }

  test('kubectl 1.27 (JSON): the reference session', async () => {
    results.set('127', await session('127', reference!, false));
  });

  for (const c of clients) {
    test(`kubectl ${c.label === 'default' ? 'on PATH' : '1.33'}: the same session${c.protobuf ? ' in protobuf' : ''} leaves the same objects`, async () => {
      const mine = await session(c.label, c.binary, c.protobuf);
      const ref = results.get('127');
      assert.ok(ref, 'the reference session did not run');
      assert.deepEqual([...mine.keys()], [...ref.keys()]);
      for (const [what, obj] of mine) assert.deepStrictEqual(obj, ref.get(what), `${what} differs from kubectl 1.27's`);
    });
  }

});

describe('protobuf bodies over raw HTTPS', () => {
  let server: RunningServer;
  let agent: Agent;
  before(async () => {
    server = await startServer();
    const pki = (n: string) => readFileSync(join(server.dataDir, 'pki', n), 'utf8');
    agent = new Agent({ keepAlive: true, ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key') });
  });
  after(async () => {
    agent?.destroy();
    await server?.stop();
    server?.cleanup();
  });

  const send = (method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: Json }> =>
    new Promise((resolve, reject) => {
      const url = new URL(server.url);
      const h: Record<string, string | number> = { Accept: 'application/json', ...headers };
      if (body !== undefined) Object.assign(h, { 'Content-Length': Buffer.byteLength(body) });
      const req = request({ host: url.hostname, port: url.port, path, method, agent, headers: h }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => {
          let parsed: Json;
          try { parsed = JSON.parse(text); } catch { parsed = { raw: text }; }
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: parsed });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const pb = { 'Content-Type': PROTOBUF };
  const namespace = (name: string, ...more: number[][]) => envelope('v1', 'Namespace', msg(1, str(1, name), ...more));

  test('truncated, garbage and mislabelled bodies get a 400 Status; nothing is created; the server lives', async () => {
    const good = namespace('pb-bad');
    // A fixed pseudo-random garbage body, so a failure can be replayed.
    let seed = 7;
    const garbage = Buffer.from(Array.from({ length: 96 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16 & 0xff));
    const bodies: [string, Buffer | string][] = [
      ['truncated', good.subarray(0, good.length - 3)],
      ['cut inside the envelope', good.subarray(0, 9)],
      ['garbage', garbage],
      ['magic + garbage', Buffer.concat([good.subarray(0, 4), garbage])],
      ['JSON labelled protobuf', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pb-bad' } })],
      ['the magic alone', good.subarray(0, 4)],
      ['an unknown kind', envelope('v1', 'Gizmo', msg(1, str(1, 'pb-bad')))],
      ['a wrong wire type', envelope('v1', 'Namespace', vi(1, 3))],
    ];
    for (const [why, body] of bodies) {
      const r = await send('POST', '/api/v1/namespaces', body, pb);
      assert.equal(r.status, 400, `${why}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.kind, 'Status', why);
      assert.equal(r.body.reason, 'BadRequest', why);
      assert.equal(r.body.code, 400, why);
    }
    const truncated = await send('POST', '/api/v1/namespaces', good.subarray(0, good.length - 3), pb);
    assert.match(truncated.body.message, /^Namespace in version "v1" cannot be handled as a Namespace: unexpected EOF/);
    assert.equal((await send('GET', '/api/v1/namespaces/pb-bad')).status, 404);
    assert.equal((await send('GET', '/healthz')).status, 200);
    // Patches are never protobuf (upstream refuses them too).
    assert.equal((await send('PATCH', '/api/v1/namespaces/default', good, pb)).status, 415);
    // And the good body works.
    const created = await send('POST', '/api/v1/namespaces', good, pb);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.metadata.name, 'pb-bad');
  });

  test('Accept: protobuf with a JSON fallback gets JSON; protobuf only gets 406 and creates nothing', async () => {
    for (const accept of [`${PROTOBUF}, */*`, `${PROTOBUF},application/json`]) {
      const name = `pb-accept-${accept.includes('*') ? 'any' : 'json'}`;
      const r = await send('POST', '/api/v1/namespaces', namespace(name), { ...pb, Accept: accept });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.type, 'application/json');
      assert.equal(r.body.metadata.name, name);
      const got = await send('GET', `/api/v1/namespaces/${name}`, undefined, { Accept: accept });
      assert.equal(got.status, 200);
      assert.equal(got.type, 'application/json');
    }
    const only = await send('POST', '/api/v1/namespaces', namespace('pb-accept-only'), { ...pb, Accept: PROTOBUF });
    assert.equal(only.status, 406);
    assert.equal(only.body.kind, 'Status');
    assert.equal(only.body.reason, 'NotAcceptable');
    assert.equal((await send('GET', '/api/v1/namespaces/pb-accept-only')).status, 404);
    assert.equal((await send('GET', '/api/v1/namespaces', undefined, { Accept: PROTOBUF })).status, 406);
    assert.equal((await send('GET', '/apis', undefined, { Accept: PROTOBUF })).status, 406);
  });

  test('update, scale, binding and delete options in protobuf', async () => {
    // PUT a namespace with labels, guarded by its resourceVersion.
    const created = await send('POST', '/api/v1/namespaces', namespace('pb-put'), pb);
    assert.equal(created.status, 201);
    const put = await send('PUT', '/api/v1/namespaces/pb-put',
      namespace('pb-put', str(6, created.body.metadata.resourceVersion), entry(11, 'team', str(2, 'blue'))), pb);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.metadata.labels, { team: 'blue', 'kubernetes.io/metadata.name': 'pb-put' });
    const stale = await send('PUT', '/api/v1/namespaces/pb-put', namespace('pb-put', str(6, created.body.metadata.resourceVersion)), pb);
    assert.equal(stale.status, 409);

    // A deployment, then its scale subresource.
    const labels = entry(1, 'app', str(2, 'w'));
    const template = msg(3, msg(1, msg(11, str(1, 'app'), str(2, 'w'))), msg(2, msg(2, str(1, 'c'), str(2, 'busybox'))));
    const dep = await send('POST', '/apis/apps/v1/namespaces/default/deployments',
      envelope('apps/v1', 'Deployment', msg(1, str(1, 'w')), msg(2, vi(1, 2), msg(2, labels), template)), pb);
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    assert.equal(dep.body.spec.replicas, 2);
    const scale = (n: number) => envelope('autoscaling/v1', 'Scale', msg(1, str(1, 'w'), str(3, 'default')), msg(2, vi(1, n)));
    let s = await send('PUT', '/apis/apps/v1/namespaces/default/deployments/w/scale', scale(4), pb);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal(s.body.spec.replicas, 4);
    // Scale.spec.replicas is a non-pointer omitempty int32: 0 is what Go decodes either way.
    s = await send('PUT', '/apis/apps/v1/namespaces/default/deployments/w/scale', scale(0), pb);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal((await send('GET', '/apis/apps/v1/namespaces/default/deployments/w')).body.spec.replicas, 0);

    // A pod (JSON), bound to a node with a protobuf Binding.
    const pod = await send('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }), { 'Content-Type': 'application/json' });
    assert.equal(pod.status, 201);
    const bind = await send('POST', '/api/v1/namespaces/default/pods/p/binding', envelope('v1', 'Binding', msg(1, str(1, 'p')), msg(2, str(1, 'Node'), str(3, 'node-a'))), pb);
    assert.equal(bind.status, 201, JSON.stringify(bind.body));
    assert.equal((await send('GET', '/api/v1/namespaces/default/pods/p')).body.spec.nodeName, 'node-a');

    // DeleteOptions: a bad propagation policy is refused (so the body was read), a good one deletes.
    const bad = await send('DELETE', '/apis/apps/v1/namespaces/default/deployments/w', envelope('apps/v1', 'DeleteOptions', str(4, 'Sideways')), pb);
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    const del = await send('DELETE', '/apis/apps/v1/namespaces/default/deployments/w', envelope('apps/v1', 'DeleteOptions', str(4, 'Background'), msg(2, str(1, dep.body.metadata.uid))), pb);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    const wrongUid = await send('DELETE', '/api/v1/namespaces/default/pods/p', envelope('v1', 'DeleteOptions', vi(1, 0), msg(2, str(1, 'not-the-uid'))), pb);
    assert.equal(wrongUid.status, 409, JSON.stringify(wrongUid.body));
  });
});
