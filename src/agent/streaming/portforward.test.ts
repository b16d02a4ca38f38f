// dialInNetns into this process's own network namespace (/proc/self/ns/net as nsenter and the
// helper see it), against servers on loopback addresses made here. Needs root (setns).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DialError, dialFailureMessage, dialInNetns, netnsDialerPids, stopNetnsDialers, warmNetnsDialer } from './portforward.js';
import { which } from '../runtime/tools.js';

const skip = process.getuid?.() !== 0 ? 'needs root (nsenter)' : !which('nsenter') ? 'nsenter missing (apt-get install util-linux)' : false;
if (skip) console.log(`# port-forward unit tests skipped: ${skip}`);
const OWN_NETNS = '/proc/self/ns/net';

describe('dialFailureMessage', () => {
  it('words failures as containerd does', () => {
    assert.equal(dialFailureMessage('/var/run/netns/x', 81, [
      { host: '127.0.0.1', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:81' },
      { host: '::1', code: 'EADDRNOTAVAIL', message: 'connect EADDRNOTAVAIL ::1:81' },
      { host: '10.46.1.2', code: 'EWHATEVER', message: 'something else' },
    ]), 'failed to connect to localhost:81 inside namespace "/var/run/netns/x", IPv4: dial tcp4 127.0.0.1:81: connect: connection refused '
      + 'IPv6: dial tcp6 [::1]:81: connect: cannot assign requested address pod IP: dial tcp4 10.46.1.2:81: connect: something else');
  });
});

function listen(host: string, handler: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => {});
      handler(s);
    }).once('error', reject).listen(0, host, () => resolve(server));
  });
}
const portOf = (s: Server): number => (s.address() as AddressInfo).port;
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};
function collect(conn: Duplex): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    conn.on('data', (b: Buffer) => { got += b; });
    conn.once('close', () => resolve(got));
  });
}

describe('dialInNetns', { skip }, () => {
  let echo: Server;
  const dirsBefore = readdirSync(tmpdir()).filter((n) => n.startsWith('tkpf-'));
  before(async () => {
    // Upper-cases what it gets; answers "bye" when the client half-closes, then closes.
    echo = await listen('127.0.0.1', (s) => {
      s.on('data', (b: Buffer) => s.write(b.toString().toUpperCase()));
      s.on('end', () => s.end('bye'));
    });
  });
  after(async () => {
    echo?.close();
    await stopNetnsDialers();
  });

  it('connects to 127.0.0.1:port inside the namespace through one helper; data, half-close and close go through', async () => {
    const t0 = performance.now();
    await warmNetnsDialer(OWN_NETNS);
    console.log(`# dialer start (nsenter + node): ${(performance.now() - t0).toFixed(1)} ms`);
    const conn = await dialInNetns(OWN_NETNS, portOf(echo));
    const got = collect(conn);
    conn.write('hello');
    await sleep(20);
    conn.end();
    assert.equal(await got, 'HELLObye');
    assert.equal(netnsDialerPids().length, 1);
    const again = await dialInNetns(OWN_NETNS, portOf(echo));
    again.end('x');
    assert.equal(await collect(again), 'Xbye');
    assert.equal(netnsDialerPids().length, 1, 'the same helper serves the next dial');
  });

  it('passes bytes the server sends at once (they may come with the helper\'s OK)', async () => {
    const greeter = await listen('127.0.0.1', (s) => s.end('greetings'));
    try {
      for (let i = 0; i < 10; i++) assert.equal(await collect(await dialInNetns(OWN_NETNS, portOf(greeter))), 'greetings');
    } finally {
      greeter.close();
    }
  });

  it('rejects with connection refused when nobody listens (127.0.0.1 and ::1 tried, as containerd does)', async () => {
    const free = await listen('127.0.0.1', () => {});
    const port = portOf(free);
    await new Promise((r) => free.close(r));
    const err = await dialInNetns(OWN_NETNS, port).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof DialError, String(err));
    assert.equal(err.code, 'ECONNREFUSED');
    assert.match(err.message, new RegExp(`^failed to connect to localhost:${port} inside namespace "/proc/self/ns/net", IPv4: dial tcp4 127\\.0\\.0\\.1:${port}: connect: connection refused IPv6: dial tcp6 \\[::1\\]:${port}: connect: `));
    await assert.rejects(dialInNetns(OWN_NETNS, 0), /invalid port 0/);
    await assert.rejects(dialInNetns('/var/run/netns/tk-no-such-netns', 80), (e: Error) => !(e as DialError).code && /no-such-netns/.test(e.message));
  });

  it('falls back to the pod IP for a server bound to that address only', async () => {
    const onPodIp = await listen('127.0.0.2', (s) => s.end('on the pod ip'));
    try {
      assert.equal(await collect(await dialInNetns(OWN_NETNS, portOf(onPodIp), { podIP: '127.0.0.2' })), 'on the pod ip');
      await assert.rejects(dialInNetns(OWN_NETNS, portOf(onPodIp)), /connection refused/);
    } finally {
      onPodIp.close();
    }
  });

  it('closing the Duplex ends the connection; a server reset closes the Duplex', async () => {
    let serverSide: Socket | undefined;
    const holder = await listen('127.0.0.1', (s) => { serverSide = s; });
    try {
      const conn = await dialInNetns(OWN_NETNS, portOf(holder));
      conn.on('error', () => {});
      await sleep(20);
      const ended = new Promise((r) => serverSide!.once('end', r));
      conn.destroy();
      await ended; // the server sees the end at once (and the connection is closed after the grace)
      const conn2 = await dialInNetns(OWN_NETNS, portOf(holder));
      conn2.on('error', () => {});
      await sleep(20);
      const closed2 = new Promise((r) => conn2.once('close', r));
      serverSide!.resetAndDestroy();
      await closed2;
    } finally {
      holder.close();
    }
  });

  it('sets up 20 connections in parallel and carries 64 MiB', async () => {
    const times: number[] = [];
    const conns = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const t0 = performance.now();
      const c = await dialInNetns(OWN_NETNS, portOf(echo));
      times.push(performance.now() - t0);
      c.write(`c${i}`);
      return c;
    }));
    const answers = await Promise.all(conns.map((c) => {
      const got = collect(c);
      setTimeout(() => c.end(), 20);
      return got;
    }));
    assert.deepEqual(answers, conns.map((_, i) => `C${i}bye`));
    times.sort((a, b) => a - b);
    console.log(`# dial setup, 20 parallel (ms): min ${times[0].toFixed(2)} p50 ${times[10].toFixed(2)} max ${times[19].toFixed(2)}`);

    const size = 64 * 1024 * 1024;
    const sink = await listen('127.0.0.1', (s) => {
      s.on('data', () => {});
      const chunk = Buffer.alloc(1024 * 1024, 7);
      let sent = 0;
      const pump = (): void => {
        while (sent < size) {
          sent += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
        s.end();
      };
      pump();
    });
    try {
      const t0 = performance.now();
      const conn = await dialInNetns(OWN_NETNS, portOf(sink));
      let n = 0;
      conn.on('data', (b: Buffer) => { n += b.length; });
      await new Promise((r) => conn.once('end', r));
      const s = (performance.now() - t0) / 1000;
      console.log(`# 64 MiB through dialInNetns (own netns): ${(n / 1048576 / s).toFixed(0)} MiB/s`);
      assert.equal(n, size);
    } finally {
      sink.close();
    }
  });

  it('stopNetnsDialers ends the helper and its socket dir', async () => {
    const pids = netnsDialerPids();
    assert.equal(pids.length, 1);
    await stopNetnsDialers();
    assert.deepEqual(netnsDialerPids(), []);
    for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(20);
    assert.equal(pids.some(alive), false);
    await sleep(20);
    assert.deepEqual(readdirSync(tmpdir()).filter((n) => n.startsWith('tkpf-') && !dirsBefore.includes(n)), []);
    // And a new dial starts a new one.
    const conn = await dialInNetns(OWN_NETNS, portOf(echo));
    conn.end('z');
    assert.equal(await collect(conn), 'Zbye');
  });
});
