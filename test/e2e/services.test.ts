// Services end to end on a real single-node cluster (`tinykube up`) with real pods, real kubectl
// and the agent's iptables proxy: `kubectl expose` (1.33 and 1.27), the svc / endpoints /
// endpointslices tables, a ClusterIP reached from a pod (both backends over many requests) and
// from the host, hairpin (a pod reaching itself through its service), NodePort on the node's
// address, scaling and readiness reflected in the endpoints, rules gone with the service, the
// `kubernetes` service, and `tinykube reset` leaving no chain, rule or route behind. Uses a pod
// network (10.42.240.0/24, bridge tksvc0) and a service range (10.44.240.0/24) of its own, and
// reaches only pods it created.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { findKubectl } from './harness.js';
import { ok, realPodsUnavailable, TEST_IMAGE, TestCluster, waitFor } from './cluster.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const kubectlBin = findKubectl(33);
const kubectl127 = findKubectl(27);
const iptables = (() => { try { execFileSync('iptables-save', ['-t', 'nat'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const skip = realPodsUnavailable() || (kubectlBin ? false : 'kubectl 1.33 is not installed') || (iptables ? false : 'needs iptables-save');

const BRIDGE = 'tksvc0';
const SERVICE_CIDR = '10.44.240.0/24';
const SERVICE_NET = '10.44.240.';

/** This cluster's traces in iptables and the routing table (its chains carry the bridge name). */
function traces(): { rules: string[]; routes: string[] } {
  const save = execFileSync('iptables-save', { encoding: 'utf8' });
  const rules = save.split('\n').filter((l) => l.includes(`-${BRIDGE}`) || l.includes(` ${BRIDGE}`));
  const routes = execFileSync('ip', ['route', 'show', 'table', 'all'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(SERVICE_NET) || l.includes(BRIDGE));
  return { rules, routes };
}

/** The hostnames the busybox httpd pods answer with (each serves its own name). */
const HTTPD = 'mkdir -p /www && hostname > /www/index.html && trap "exit 0" TERM && httpd -f -p 8080 -h /www & wait';

describe('services on tinykube up: ClusterIP, NodePort, endpoints and the iptables proxy', { skip }, () => {
  // Bound to every address (not only loopback), so pods reach the API server through the kubernetes service.
  const cluster = new TestCluster({ clusterCidr: '10.42.0.0/16', podCidr: '10.42.240.0/24', bridge: BRIDGE, nodeName: 'svc-node' }, kubectlBin!, ['--service-cidr', SERVICE_CIDR, '--bind-address', '0.0.0.0']);
  const k = async (...args: string[]) => ok(await cluster.kubectl(args));
  const k127 = async (...args: string[]) => ok(await cluster.kubectl(args, undefined, kubectl127!));
  const json = async (...args: string[]): Promise<Json> => JSON.parse(await k(...args, '-o', 'json'));
  const readyIPs = async (svc: string): Promise<string[]> => {
    const ep = await json('get', 'endpoints', svc);
    return (ep.subsets ?? []).flatMap((s: Json) => (s.addresses ?? []).map((a: Json) => a.ip)).sort();
  };
  const webPods = async (): Promise<Json[]> => (await json('get', 'pods', '-l', 'app=web,!role')).items.filter((p: Json) => !p.metadata.deletionTimestamp);
  const readyWeb = (n: number) => waitFor(`${n} ready web pods`, async () => {
    const ps = await webPods();
    return ps.length === n && ps.every((p) => p.status?.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True')) ? ps : undefined;
  });
  /** Waits until the service's ready endpoints are exactly these pods' IPs. */
  const endpointsOf = (svc: string, ips: string[]) => waitFor(`endpoints of ${svc} = ${ips}`, async () => {
    const got = await readyIPs(svc);
    return JSON.stringify(got) === JSON.stringify([...ips].sort()) ? got : undefined;
  });
  /** `n` requests from inside pod `from` to `url`, one connection each; the answers. */
  const fromPod = async (from: string, url: string, n: number): Promise<string[]> => {
    const out = await k('exec', from, '--', 'sh', '-c', `for i in $(seq ${n}); do timeout 5 wget -qO- ${url} || echo FAILED; done`);
    return out.split('\n').map((l) => l.trim()).filter(Boolean);
  };
  let before0: { rules: string[]; routes: string[] };
  let clusterIP = '';

  before(async () => {
    before0 = traces();
    assert.deepEqual(before0, { rules: [], routes: [] }, `no trace of ${BRIDGE} / ${SERVICE_CIDR} before the test`);
    await cluster.start();
  });
  after(async () => {
    await cluster.stop();
    assert.deepEqual(traces(), { rules: [], routes: [] }, 'tinykube reset leaves no chain, rule or route of this cluster');
  });

  test('the kubernetes service: first address of the range, port 443, endpoints on the API server', async () => {
    const svc = await json('get', 'svc', 'kubernetes');
    assert.equal(svc.spec.clusterIP, `${SERVICE_NET}1`);
    assert.deepEqual(svc.spec.ports.map((p: Json) => [p.name, p.port, p.protocol]), [['https', 443, 'TCP']]);
    const ep = await json('get', 'endpoints', 'kubernetes');
    assert.equal(ep.subsets[0].ports[0].port, Number(new URL(cluster.server.url).port));
    const node = await json('get', 'node', 'svc-node');
    assert.equal(ep.subsets[0].addresses[0].ip, node.status.addresses.find((a: Json) => a.type === 'InternalIP').address);
    // The unreachable route for the whole service range is in place.
    assert.match(execFileSync('ip', ['route', 'show', 'type', 'unreachable'], { encoding: 'utf8' }), new RegExp(SERVICE_CIDR.replace(/\./g, '\\.')));
  });

  test('kubectl create deployment + expose: svc, endpoints and endpointslices tables', async () => {
    await k('create', 'deployment', 'web', `--image=${TEST_IMAGE}`, '--replicas=2', '--', 'sh', '-c', HTTPD);
    const pods = await readyWeb(2);
    assert.match(await k('expose', 'deployment', 'web', '--port=80', '--target-port=8080'), /service\/web exposed/);
    const svc = await json('get', 'svc', 'web');
    clusterIP = svc.spec.clusterIP;
    assert.ok(clusterIP.startsWith(SERVICE_NET), clusterIP);
    assert.deepEqual(svc.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 8080 }]);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.sessionAffinity, 'None');
    const ips = pods.map((p) => p.status.podIP);
    await endpointsOf('web', ips);
    const table = await k('get', 'svc,endpoints,endpointslices');
    console.log(table.replace(/^/gm, '# '));
    assert.match(table, /NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    assert.match(table, new RegExp(`service/web\\s+ClusterIP\\s+${clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+80/TCP`));
    assert.match(table, new RegExp(`endpoints/web\\s+${[...ips].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((ip) => `${ip.replace(/\./g, '\\.')}:8080`).join(',')}`));
    assert.match(table, /NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE/);
    assert.match(table, /endpointslice\.discovery\.k8s\.io\/web-[a-z0-9]{5}\s+IPv4\s+8080\s+10\.42\.240\.\d+,10\.42\.240\.\d+/);
    const slices = await json('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web');
    assert.equal(slices.items.length, 1);
    assert.equal(slices.items[0].metadata.ownerReferences[0].kind, 'Service');
    assert.deepEqual(slices.items[0].endpoints.map((e: Json) => e.conditions.ready), [true, true]);
    // kubectl 1.27 exposes too (a second service on the same pods).
    if (kubectl127) {
      assert.match(await k127('expose', 'deployment', 'web', '--name=web127', '--port=8081', '--target-port=8080'), /service\/web127 exposed/);
      await endpointsOf('web127', ips);
    }
  });

  test('from a pod, the ClusterIP reaches both backends; so does the host', async () => {
    await cluster.apply(TestCluster.shPod('client', { client: 'trap "exit 0" TERM; sleep 3600 & wait' }, { terminationGracePeriodSeconds: 1 }, false));
    await cluster.running('client');
    const names = (await webPods()).map((p) => p.metadata.name).sort();
    const answers = await fromPod('client', `http://${clusterIP}/`, 40);
    assert.equal(answers.length, 40);
    assert.ok(!answers.includes('FAILED'), answers.join(' '));
    assert.deepEqual([...new Set(answers)].sort(), names, 'both backends answered (random per connection)');
    // The host: its connect() gets past the unreachable route through the per-IP route, then DNAT.
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add((await (await fetch(`http://${clusterIP}/`, { signal: AbortSignal.timeout(5000) })).text()).trim());
    assert.ok([...seen].every((n) => names.includes(n)), [...seen].join(' '));
    if (kubectl127) assert.ok(names.includes((await fromPod('client', `http://${(await json('get', 'svc', 'web127')).spec.clusterIP}:8081/`, 1))[0]));
    // The API server, through the kubernetes service (a TCP connection: the image has no TLS client).
    assert.equal(await k('exec', 'client', '--', 'sh', '-c', `echo | timeout 5 nc ${SERVICE_NET}1 443 && echo connected`), 'connected\n');
  });

  test('hairpin: a pod reaches itself through its own service', async () => {
    await cluster.apply({ ...TestCluster.shPod('solo', { httpd: HTTPD }, { terminationGracePeriodSeconds: 1 }, false), metadata: { name: 'solo', labels: { app: 'solo' } } });
    await cluster.running('solo');
    await k('expose', 'pod', 'solo', '--port=80', '--target-port=8080');
    const ip = (await json('get', 'svc', 'solo')).spec.clusterIP;
    await endpointsOf('solo', [(await cluster.pod('solo')).status.podIP]);
    assert.deepEqual([...new Set(await fromPod('solo', `http://${ip}/`, 5))], ['solo']);
  });

  test('NodePort: the node address and port reach the backends', async () => {
    await k('expose', 'deployment', 'web', '--name=web-np', '--type=NodePort', '--port=80', '--target-port=8080');
    const svc = await json('get', 'svc', 'web-np');
    const nodePort = svc.spec.ports[0].nodePort;
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
    assert.match(await k('get', 'svc', 'web-np'), new RegExp(`NodePort\\s+\\S+\\s+<none>\\s+80:${nodePort}/TCP`));
    const node = await json('get', 'node', 'svc-node');
    const nodeIP = node.status.addresses.find((a: Json) => a.type === 'InternalIP').address;
    await endpointsOf('web-np', (await webPods()).map((p) => p.status.podIP));
    const names = (await webPods()).map((p) => p.metadata.name);
    const body = await waitFor('node port answers', async () => {
      try { return (await (await fetch(`http://${nodeIP}:${nodePort}/`, { signal: AbortSignal.timeout(3000) })).text()).trim(); } catch { return undefined; }
    }, 20_000);
    assert.ok(names.includes(body), body);
    const fromClient = await fromPod('client', `http://${nodeIP}:${nodePort}/`, 5);
    assert.ok(fromClient.every((n) => names.includes(n)), fromClient.join(' '));
  });

  test('cluster DNS: resolv.conf, service and headless names, NXDOMAIN inside the domain, REFUSED outside', async () => {
    const resolv = await k('exec', 'client', '--', 'cat', '/etc/resolv.conf');
    assert.equal(resolv, 'nameserver 10.42.240.1\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
    const lookup = async (name: string) => cluster.kubectl(['exec', 'client', '--', 'nslookup', name]);
    const web = await waitFor('the DNS server answers', async () => {
      const r = await lookup('web.default.svc.cluster.local');
      return r.code === 0 ? r.stdout : undefined;
    }, 20_000);
    assert.match(web, new RegExp(`Address:\\s+${clusterIP.replace(/\./g, '\\.')}`));
    // The search list: a short name resolves too (busybox nslookup also prints the other search
    // domains' NXDOMAIN, and exits 1 for them).
    assert.match((await lookup('web')).stdout, new RegExp(`Name:\\s+web\\.default\\.svc\\.cluster\\.local\\nAddress:\\s+${clusterIP.replace(/\./g, '\\.')}`));
    await k('expose', 'deployment', 'web', '--name=web-hl', '--cluster-ip=None', '--port=80', '--target-port=8080');
    const ips = (await webPods()).map((p) => p.status.podIP).sort();
    const hl = await waitFor('headless A records', async () => {
      const out = (await lookup('web-hl.default.svc.cluster.local')).stdout;
      const got = [...out.matchAll(/^Address:\s+(10\.42\.240\.\d+)$/gm)].map((m) => m[1]).sort();
      return JSON.stringify(got) === JSON.stringify(ips) ? got : undefined;
    });
    assert.deepEqual(hl, ips);
    const missing = await lookup('nothere.default.svc.cluster.local');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stdout + missing.stderr, /NXDOMAIN/);
    const outside = await lookup('example.com');
    assert.notEqual(outside.code, 0);
    assert.match(outside.stdout + outside.stderr, /REFUSED/);
    // wget by name (the image's resolver, search list included).
    const byName = await fromPod('client', 'http://web/', 4);
    assert.ok(byName.every((n) => n.startsWith('web-')), byName.join(' '));
  });

  test('a pod failing its readiness probe is a notReadyAddress, never a backend', async () => {
    await cluster.apply({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unready', labels: { app: 'web', role: 'unready' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'httpd', image: TEST_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', HTTPD],
          readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 },
        }],
      },
    });
    const ip = await waitFor('unready pod has an IP', async () => (await cluster.pod('unready')).status?.podIP as string | undefined);
    const ep = await waitFor('unready in notReadyAddresses', async () => {
      const e = await json('get', 'endpoints', 'web');
      return (e.subsets ?? []).some((s: Json) => (s.notReadyAddresses ?? []).some((a: Json) => a.ip === ip)) ? e : undefined;
    });
    assert.ok(!(ep.subsets ?? []).some((s: Json) => (s.addresses ?? []).some((a: Json) => a.ip === ip)));
    const slice = (await json('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web')).items[0];
    assert.equal(slice.endpoints.find((e: Json) => e.addresses[0] === ip).conditions.ready, false);
    const answers = await fromPod('client', `http://${clusterIP}/`, 20);
    assert.ok(!answers.includes('unready') && !answers.includes('FAILED'), answers.join(' '));
    await k('delete', 'pod', 'unready', '--wait=false');
  });

  test('scaling the deployment updates the endpoints and the backends', async () => {
    await k('scale', 'deployment', 'web', '--replicas=3');
    const three = await readyWeb(3);
    await endpointsOf('web', three.map((p) => p.status.podIP));
    const answers = await fromPod('client', `http://${clusterIP}/`, 60);
    assert.deepEqual([...new Set(answers)].sort(), three.map((p) => p.metadata.name).sort());
    await k('scale', 'deployment', 'web', '--replicas=1');
    const one = await readyWeb(1);
    await endpointsOf('web', one.map((p) => p.status.podIP));
    // The proxy follows the slices: only the remaining pod answers (the others may still be terminating).
    const single = await waitFor('only one backend answers', async () => {
      const got = new Set(await fromPod('client', `http://${clusterIP}/`, 10));
      return got.size === 1 && got.has(one[0].metadata.name) ? got : undefined;
    });
    assert.equal(single.size, 1);
  });

  test('deleting the service removes its rules; the ClusterIP no longer answers', async () => {
    assert.ok(traces().rules.some((r) => r.includes('default/web:')), 'rules for web exist');
    await k('delete', 'svc', 'web');
    await waitFor('rules for web gone', async () => (traces().rules.some((r) => r.includes('default/web:')) ? undefined : true));
    await waitFor('endpoints deleted with the service', async () => ((await cluster.kubectl(['get', 'endpoints', 'web'])).code !== 0 ? true : undefined));
    const answers = await fromPod('client', `http://${clusterIP}/`, 1);
    assert.deepEqual(answers, ['FAILED']);
    await assert.rejects(fetch(`http://${clusterIP}/`, { signal: AbortSignal.timeout(5000) }));
  });
});
