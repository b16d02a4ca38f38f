// The seed documents' kubectl session (Kubernetes in Action ch. 3), run with real kubectl 1.27 and
// 1.33 against a real tinykube server. Pods stay Pending: no node runs them in this suite.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { findKubectl, fixtures, kubectlRunner, startServer, type KubectlResult, type RunningServer } from './harness.js';

const ok = (r: KubectlResult): string => {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
};
const names = (out: string): string[] => out.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]).sort();

for (const minor of [27, 33]) {
  const binary = findKubectl(minor);
  describe(`kubectl 1.${minor}: the seed session`, { skip: binary ? false : `kubectl 1.${minor} is not installed` }, () => {
    let server: RunningServer;
    let kubectl: ReturnType<typeof kubectlRunner>;
    before(async () => {
      server = await startServer();
      kubectl = kubectlRunner(binary!, server, fixtures);
    });
    after(async () => {
      await server.stop();
      server.cleanup();
    });

    test('explain pods and pods.spec.containers', async () => {
      const pods = ok(await kubectl(['explain', 'pods']));
      assert.match(pods, /KIND:\s+Pod/);
      assert.match(pods, /VERSION:\s+v1/);
      assert.match(pods, /DESCRIPTION:/);
      assert.match(pods, /spec\s+<(Object|PodSpec)>/);
      const containers = ok(await kubectl(['explain', 'pods.spec.containers']));
      assert.match(containers, /FIELD:\s+containers\s+<\[\]Container>/);
      assert.match(containers, /image\s+<string>/);
      assert.match(containers, /name\s+<string>\s+-required-/);
    });

    test('create -f, get -o yaml / -o json, AlreadyExists', async () => {
      assert.match(ok(await kubectl(['create', '-f', 'kubia-manual.yaml'])), /pod\/kubia-manual created/);
      const yaml = ok(await kubectl(['get', 'po', 'kubia-manual', '-o', 'yaml']));
      assert.match(yaml, /^apiVersion: v1$/m);
      assert.match(yaml, /^kind: Pod$/m);
      assert.match(yaml, /restartPolicy: Always/);
      assert.match(yaml, /terminationGracePeriodSeconds: 30/);
      assert.match(yaml, /phase: Pending/);
      const json = JSON.parse(ok(await kubectl(['get', 'po', 'kubia-manual', '-o', 'json'])));
      assert.equal(json.metadata.name, 'kubia-manual');
      assert.equal(json.metadata.namespace, 'default');
      assert.match(json.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.equal(json.spec.containers[0].imagePullPolicy, 'Always');
      const again = await kubectl(['create', '-f', 'kubia-manual.yaml']);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /Error from server \(AlreadyExists\).*pods "kubia-manual" already exists/);
    });

    test('labels: --show-labels, label, --overwrite, -L', async () => {
      ok(await kubectl(['create', '-f', 'kubia-manual-with-labels.yaml']));
      const shown = ok(await kubectl(['get', 'po', '--show-labels']));
      assert.match(shown, /kubia-manual-v2 .*creation_method=manual,env=prod/);
      assert.match(shown, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+LABELS$/m);
      ok(await kubectl(['label', 'po', 'kubia-manual', 'creation_method=manual']));
      const clash = await kubectl(['label', 'po', 'kubia-manual-v2', 'env=debug']);
      assert.notEqual(clash.code, 0);
      assert.match(clash.stderr, /'env' already has a value \(prod\), and --overwrite is false/);
      ok(await kubectl(['label', 'po', 'kubia-manual-v2', 'env=debug', '--overwrite']));
      const cols = ok(await kubectl(['get', 'po', '-L', 'creation_method,env']));
      assert.match(cols, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+CREATION_METHOD\s+ENV$/m);
      assert.match(cols, /kubia-manual-v2\s+0\/1\s+Pending\s+0\s+\S+\s+manual\s+debug/);
      assert.match(cols, /kubia-manual\s+0\/1\s+Pending\s+0\s+\S+\s+manual\s*$/m);
    });

    test('every label selector form', async () => {
      ok(await kubectl(['run', 'kubia-prod', '--image=luksa/kubia', '--labels=env=prod,app=kubia']));
      const sel = async (s: string) => names(ok(await kubectl(['get', 'po', '-l', s])));
      assert.deepEqual(await sel('creation_method=manual'), ['kubia-manual', 'kubia-manual-v2']);
      assert.deepEqual(await sel('env'), ['kubia-manual-v2', 'kubia-prod']);
      assert.deepEqual(await sel('!env'), ['kubia-manual']);
      assert.deepEqual(await sel('creation_method!=manual'), ['kubia-prod']);
      assert.deepEqual(await sel('env in (prod,devel)'), ['kubia-prod']);
      assert.deepEqual(await sel('env notin (prod,devel)'), ['kubia-manual', 'kubia-manual-v2']);
      assert.deepEqual(await sel('app=kubia,env=prod'), ['kubia-prod']);
      const none = await kubectl(['get', 'po', '-l', 'env=nothing']);
      assert.match(none.stderr, /No resources found in default namespace\./);
    });

    test('annotate, then describe shows it', async () => {
      ok(await kubectl(['annotate', 'pod', 'kubia-manual', 'mycompany.com/someannotation=foo bar']));
      const d = ok(await kubectl(['describe', 'pod', 'kubia-manual']));
      assert.match(d, /Name:\s+kubia-manual/);
      assert.match(d, /Annotations:\s+mycompany\.com\/someannotation: foo bar/);
      assert.match(d, /Status:\s+Pending/);
      assert.match(d, /Labels:\s+creation_method=manual/);
    });

    test('namespaces: create -f, -n, the same name twice, --all-namespaces', async () => {
      assert.match(ok(await kubectl(['create', '-f', 'custom-namespace.yaml'])), /namespace\/custom-namespace created/);
      ok(await kubectl(['create', '-f', 'kubia-manual.yaml', '-n', 'custom-namespace']));
      const all = ok(await kubectl(['get', 'po', '--all-namespaces']));
      assert.match(all, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
      assert.match(all, /^custom-namespace\s+kubia-manual\s/m);
      assert.match(all, /^default\s+kubia-manual\s/m);
      const ns = ok(await kubectl(['get', 'ns']));
      for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'custom-namespace']) assert.match(ns, new RegExp(`^${n}\\s+Active`, 'm'));
      const missing = await kubectl(['create', '-f', 'kubia-manual.yaml', '-n', 'no-such-namespace']);
      assert.match(missing.stderr, /Error from server \(NotFound\).*namespaces "no-such-namespace" not found/);
    });

    test('get po -w sees a create, a label change and a delete', async () => {
      const w = spawn(binary!, ['get', 'po', '-w', '--cache-dir', `${server.dataDir}/watch-cache`], { env: { ...process.env, KUBECONFIG: server.kubeconfig } });
      let out = '';
      w.stdout.on('data', (d) => { out += d; });
      const waitFor = async (re: RegExp) => {
        for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
        assert.match(out, re);
      };
      try {
        await waitFor(/kubia-manual-v2/);
        ok(await kubectl(['run', 'watched', '--image=busybox']));
        await waitFor(/^watched\s+0\/1\s+Pending/m);
        const before = out.split('\n').filter((l) => l.startsWith('watched')).length;
        ok(await kubectl(['label', 'po', 'watched', 'seen=yes']));
        await waitFor(new RegExp(`(^watched\\s.*\\n[^]*){${before + 1}}`, 'm'));
        ok(await kubectl(['delete', 'po', 'watched']));
        const lines = () => out.split('\n').filter((l) => l.startsWith('watched')).length;
        for (let i = 0; i < 50 && lines() < before + 2; i++) await new Promise((r) => setTimeout(r, 100));
        assert.ok(lines() >= before + 2, out);
      } finally {
        w.kill();
      }
    });

    test('nodes: get nodes and label node on a Node created through the API', async () => {
      const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' } } };
      ok(await kubectl(['create', '-f', '-'], JSON.stringify(node)));
      assert.match(ok(await kubectl(['get', 'nodes'])), /^node-a\s+Unknown\s+<none>\s+\S+/m);
      ok(await kubectl(['label', 'node', 'node-a', 'gpu=true']));
      assert.match(ok(await kubectl(['get', 'nodes', '-l', 'gpu=true'])), /^node-a\s/m);
      ok(await kubectl(['delete', 'node', 'node-a']));
    });

    test('apply -f: create, unchanged, changed label', async () => {
      const manifest = (env: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'applied', labels: { env } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
      assert.match(ok(await kubectl(['apply', '-f', '-'], manifest('prod'))), /pod\/applied created/);
      assert.match(ok(await kubectl(['apply', '-f', '-'], manifest('prod'))), /pod\/applied unchanged/);
      assert.match(ok(await kubectl(['apply', '-f', '-'], manifest('devel'))), /pod\/applied configured/);
      assert.match(ok(await kubectl(['get', 'po', 'applied', '--show-labels'])), /env=devel/);
    });

    test('invalid objects are refused with field paths', async () => {
      const bad = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'c' }] } });
      const r = await kubectl(['create', '-f', '-'], bad);
      assert.notEqual(r.code, 0);
      // kubectl lists each cause of an Invalid error on its own line.
      assert.match(r.stderr, /The Pod "Bad_Name" is invalid: \n\* metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
      assert.match(r.stderr, /^\* spec\.containers\[0\]\.image: Required value$/m);
      const unknown = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'i' }], bogus: 1 } });
      const u = await kubectl(['create', '-f', '-'], unknown);
      assert.notEqual(u.code, 0);
      assert.match(u.stderr, /unknown field "spec\.bogus"/);
    });

    test('delete po NAME, delete -l, delete ns, delete po --all, delete all --all', async () => {
      assert.match(ok(await kubectl(['delete', 'po', 'kubia-manual'])), /pod "kubia-manual" deleted/);
      const byLabel = ok(await kubectl(['delete', 'po', '-l', 'creation_method=manual']));
      assert.match(byLabel, /pod "kubia-manual-v2" deleted/);
      assert.match(ok(await kubectl(['delete', 'ns', 'custom-namespace'])), /namespace "custom-namespace" deleted/);
      for (let i = 0; i < 100; i++) {
        const r = await kubectl(['get', 'ns', 'custom-namespace']);
        if (r.code !== 0) { assert.match(r.stderr, /NotFound/); break; }
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.notEqual((await kubectl(['get', 'ns', 'custom-namespace'])).code, 0);
      ok(await kubectl(['run', 'extra', '--image=busybox']));
      ok(await kubectl(['delete', 'po', '--all']));
      assert.match((await kubectl(['get', 'po'])).stderr, /No resources found in default namespace\./);
      ok(await kubectl(['run', 'extra2', '--image=busybox']));
      assert.match(ok(await kubectl(['delete', 'all', '--all'])), /pod "extra2" deleted/);
      assert.match((await kubectl(['get', 'po'])).stderr, /No resources found/);
    });
  });
}
