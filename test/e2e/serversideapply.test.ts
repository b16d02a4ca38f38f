// `kubectl apply --server-side` with real kubectl (1.27 and 1.33) against `tinykube server`:
// create, re-apply, fields dropped from the configuration, conflicts with another manager and
// --force-conflicts, as on a real cluster.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findKubectl, fixtures, kubectlRunner, startServer, type RunningServer } from './harness.js';

const deployment = (opts: { replicas?: number; image: string; labels?: Record<string, string> }) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'ssa', labels: opts.labels ?? { app: 'ssa' } },
  spec: {
    ...(opts.replicas !== undefined && { replicas: opts.replicas }),
    selector: { matchLabels: { app: 'ssa' } },
    template: { metadata: { labels: { app: 'ssa' } }, spec: { containers: [{ name: 'web', image: opts.image }] } },
  },
});

for (const minor of [27, 33]) {
  const bin = findKubectl(minor);
  describe(`kubectl 1.${minor} apply --server-side`, { skip: bin ? false : `kubectl 1.${minor} is not installed` }, () => {
    let server: RunningServer;
    let kubectl: ReturnType<typeof kubectlRunner>;
    before(async () => {
      server = await startServer();
      kubectl = kubectlRunner(bin!, server, fixtures);
    });
    after(async () => {
      await server.stop();
      server.cleanup();
    });
    const get = async () => JSON.parse((await kubectl(['get', 'deployment', 'ssa', '-o', 'json', '--show-managed-fields'])).stdout);

    test('creates, re-applies, drops the fields left out, and reports conflicts with other managers', async () => {
      const created = await kubectl(['apply', '--server-side', '-f', '-'], deployment({ replicas: 2, image: 'nginx:1', labels: { app: 'ssa', tier: 'web' } }));
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout.trim(), 'deployment.apps/ssa serverside-applied');
      let d = await get();
      assert.equal(d.spec.replicas, 2);
      type Entry = { manager: string; operation: string; subresource?: string };
      const kubectlEntries = (obj: { metadata: { managedFields: Entry[] } }) => obj.metadata.managedFields.filter((e) => e.manager.startsWith('kubectl')).map((e) => [e.manager, e.operation]);
      // The deployment controller's own writes (revision annotation, status) are recorded too, as upstream's kube-controller-manager.
      assert.deepEqual(kubectlEntries(d), [['kubectl', 'Apply']]);
      assert.ok(!(await kubectl(['get', 'deployment', 'ssa', '-o', 'yaml'])).stdout.includes('managedFields'), 'kubectl hides managedFields');
      assert.match((await kubectl(['get', 'deployment', 'ssa', '-o', 'yaml', '--show-managed-fields'])).stdout, /manager: kubectl\n\s+operation: Apply/);

      // Another manager takes spec.replicas; applying a different count is a conflict.
      assert.equal((await kubectl(['scale', 'deployment', 'ssa', '--replicas=5'])).code, 0);
      const conflict = await kubectl(['apply', '--server-side', '-f', '-'], deployment({ replicas: 3, image: 'nginx:2' }));
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl[^"]*"( with subresource "scale")? using apps\/v1: \.spec\.replicas/);
      assert.match(conflict.stderr, /--force-conflicts/);
      d = await get();
      assert.equal(d.spec.replicas, 5, 'a refused apply changes nothing');
      assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1');

      // Leaving replicas out releases it; the dropped label goes; the new image is set.
      const again = await kubectl(['apply', '--server-side', '-f', '-'], deployment({ image: 'nginx:2' }));
      assert.equal(again.code, 0, again.stderr);
      d = await get();
      assert.deepEqual([d.spec.replicas, d.spec.template.spec.containers[0].image, d.metadata.labels], [5, 'nginx:2', { app: 'ssa' }]);

      const forced = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], deployment({ replicas: 1, image: 'nginx:2' }));
      assert.equal(forced.code, 0, forced.stderr);
      d = await get();
      assert.equal(d.spec.replicas, 1);
      assert.deepEqual(kubectlEntries(d), [['kubectl', 'Apply']], 'the scaler owns nothing any more');

      // Dry run changes nothing; a bad manifest is refused whole.
      const dry = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], deployment({ replicas: 4, image: 'nginx:3' }));
      assert.equal(dry.code, 0, dry.stderr);
      assert.equal((await get()).spec.replicas, 1);
      const unknown = await kubectl(['apply', '--server-side', '-f', '-'], deployment({ image: 'nginx:2' }).replace('"replicas"', '"replicaz"').replace('"selector"', '"replicaz": 1, "selector"'));
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /unknown field "spec.replicaz"/);
      assert.equal((await kubectl(['delete', 'deployment', 'ssa'])).code, 0);
    });
  });
}
