// The probers against real listeners on loopback, and the hostile-target defences of the ICMP
// prober (checked by counting real spawn calls: a refused target must never start `ping`).
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  closedPort,
  dnsStand,
  httpStand,
  httpsStand,
  makeCertificate,
  tcpStand,
  type Stand,
  type TlsMaterial,
} from '../test-support/servers.ts';
import { pingArguments, probeDns, probeHttp, probeIcmp, probeTcp, rollingOrder, runJob, type ProbeJob } from './index.ts';
import type { ProbeContext } from './types.ts';

const ctx = (timeoutMs = 3000, sourceAddress = '127.0.0.1'): ProbeContext => ({
  sourceAddress,
  timeoutMs,
  signal: new AbortController().signal,
  path: { link: 'primary', gateway: '127.0.0.1' },
});

let web: Stand, tls: TlsMaterial, web443: Stand, tcp: Stand, dns: Stand & { queries: number };
beforeAll(async () => {
  web = await httpStand();
  tls = makeCertificate('portal.test', 2);
  web443 = await httpsStand(tls);
  tcp = await tcpStand();
  dns = await dnsStand({ 'portal.test': '127.0.0.1' });
});
afterAll(async () => {
  await Promise.all([web?.close(), web443?.close(), tcp?.close(), dns?.close()]);
  tls?.cleanup();
});

describe('http', () => {
  const spec = (path: string, extra = {}) => ({ url: `http://127.0.0.1:${web.port}${path}`, expectStatus: [200], ...extra });
  it('succeeds on 200 with timing phases', async () => {
    const r = await probeHttp(spec('/ok'), ctx());
    expect(r.success).toBe(true);
    expect(r.http?.status).toBe(200);
    expect(Object.keys(r.http!.phases)).toEqual(expect.arrayContaining(['resolve', 'connect', 'processing']));
  });
  it('fails on 500 with the status as reason', async () => {
    const r = await probeHttp(spec('/fail'), ctx());
    expect(r).toMatchObject({ success: false, cause: { kind: 'status', status: 500, expected: [200] }, http: { status: 500 } });
  });
  it('judges a redirect by its exact Location', async () => {
    const good = await probeHttp(spec('/old?id=1', { expectStatus: [301], expectRedirect: 'https://new.example.test/old?id=1' }), ctx());
    expect(good.success).toBe(true);
    const bad = await probeHttp(spec('/old?id=1', { expectStatus: [301], expectRedirect: 'https://elsewhere.test/' }), ctx());
    expect(bad).toMatchObject({ success: false, cause: { kind: 'redirect', expected: 'https://elsewhere.test/' } });
    expect(bad.http?.location).toBe('https://new.example.test/old?id=1');
  });
  it('a slow server costs one timeout, nothing more', async () => {
    const job: ProbeJob = {
      target: 's',
      probe: 'http',
      link: 'primary',
      statusKind: 'http',
      sourceAddress: '127.0.0.1',
      host: '127.0.0.1',
      path: { link: 'primary', gateway: '127.0.0.1' },
      timeoutMs: 700,
      job: { kind: 'http', spec: spec('/slow') },
    };
    const t0 = Date.now();
    const r = await runJob(job);
    // Connected, but no answer: the service hangs, which its operator fixes, not the network.
    expect(r.result).toMatchObject({ success: false, errorKind: 'stalled', cause: { phase: 'response' } });
    expect(Date.now() - t0).toBeLessThan(3000);
  });
  it('HTTPS: trusts the CA file, reads the certificate expiry, checks the name asked for', async () => {
    const ca = [readFileSync(tls.certFile, 'utf8')];
    const r = await probeHttp({ url: `https://127.0.0.1:${web443.port}/ok`, hostHeader: 'portal.test', expectStatus: [200], ca }, ctx());
    expect(r.success).toBe(true);
    const days = (r.http!.certExpiry!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(1);
    expect(days).toBeLessThan(3);
    const untrusted = await probeHttp(
      { url: `https://127.0.0.1:${web443.port}/ok`, hostHeader: 'portal.test', expectStatus: [200] },
      ctx(),
    );
    expect(untrusted).toMatchObject({ success: false, cause: { kind: 'tls', problem: 'untrusted' } });
    const wrongName = await probeHttp(
      { url: `https://127.0.0.1:${web443.port}/ok`, hostHeader: 'other.test', expectStatus: [200], ca },
      ctx(),
    );
    expect(wrongName).toMatchObject({ success: false, cause: { kind: 'tls', problem: 'name', name: 'other.test' } });
  });
  it('refused connection is reported as refused', async () => {
    const r = await probeHttp({ url: `http://127.0.0.1:${await closedPort()}/`, expectStatus: [200] }, ctx());
    expect(r).toMatchObject({ success: false, cause: { kind: 'refused' } });
  });
});

describe('tcp', () => {
  it('connects to a listener, is refused by a closed port', async () => {
    expect((await probeTcp({ host: '127.0.0.1', port: tcp.port }, ctx())).success).toBe(true);
    expect(await probeTcp({ host: '127.0.0.1', port: await closedPort() }, ctx())).toMatchObject({
      success: false,
      cause: { kind: 'refused' },
    });
  });
  it('binds to the link source address, and says so when it cannot', async () => {
    expect((await probeTcp({ host: '127.0.0.1', port: tcp.port }, ctx(3000, '127.0.1.10'))).success).toBe(true);
    // 192.0.2.1 (TEST-NET-1) is on no interface here: binding fails before any packet leaves.
    expect(await probeTcp({ host: '127.0.0.1', port: tcp.port }, ctx(3000, '192.0.2.1'))).toMatchObject({
      success: false,
      cause: { kind: 'no-address', address: '192.0.2.1' },
    });
  });
  it('a name that does not resolve is a resolve failure', async () => {
    const job: ProbeJob = {
      target: 't',
      probe: 'tcp-1',
      link: 'primary',
      statusKind: 'tcp',
      sourceAddress: '127.0.0.1',
      host: '127.0.0.1',
      path: { link: 'primary', gateway: '127.0.0.1' },
      timeoutMs: 3000,
      job: { kind: 'tcp', spec: { host: 'no-such-host.invalid', port: 1 } },
    };
    expect((await runJob(job)).result).toMatchObject({ success: false, errorKind: 'resolve' });
  });
});

describe('dns', () => {
  it('counts answers, fails on NXDOMAIN, is refused by a closed port at once', async () => {
    const ok = await probeDns({ server: '127.0.0.1', port: dns.port, name: 'portal.test', recordType: 'A' }, ctx());
    expect(ok).toMatchObject({ success: true, dns: { answers: 1, rcode: 0 } });
    const nx = await probeDns({ server: '127.0.0.1', port: dns.port, name: 'missing.test', recordType: 'A' }, ctx());
    expect(nx).toMatchObject({ success: false, cause: { kind: 'dns-answer', rcode: 3 }, dns: { rcode: 3 } });
    const job: ProbeJob = {
      target: 'd',
      probe: 'dns',
      link: 'primary',
      statusKind: 'dns',
      sourceAddress: '127.0.0.1',
      host: '127.0.0.1',
      path: { link: 'primary', gateway: '127.0.0.1' },
      timeoutMs: 600,
      job: { kind: 'dns', spec: { server: '127.0.0.1', port: await closedPort(), name: 'portal.test', recordType: 'A' } },
    };
    const closed = await runJob(job);
    expect(closed.result).toMatchObject({ success: false, errorKind: 'refused' });
    expect(closed.result.durationSeconds).toBeLessThan(0.5);
  });
});

describe('icmp', () => {
  it('sends several echoes to 127.0.0.1 and counts them', async () => {
    const r = await probeIcmp({ host: '127.0.0.1', count: 3, spacingSeconds: 0.05 }, ctx(3000, '127.0.1.10'));
    expect(r.success).toBe(true);
    expect(r.icmp).toMatchObject({ sent: 3, received: 3 });
    expect(r.icmp!.rttSeconds).toHaveLength(3);
    for (const t of r.icmp!.rttSeconds) expect(t).toBeGreaterThanOrEqual(0);
  });
  it('a name that does not resolve is a resolve failure, not a dead host', async () => {
    const job: ProbeJob = {
      target: 'x',
      probe: 'icmp',
      link: 'primary',
      statusKind: 'icmp',
      sourceAddress: '127.0.0.1',
      host: '127.0.0.1',
      path: { link: 'primary', gateway: '127.0.0.1' },
      timeoutMs: 3000,
      job: { kind: 'icmp', spec: { host: 'no-such-host.invalid', count: 2, spacingSeconds: 0.2 } },
    };
    const r = await runJob(job);
    expect(r.result).toMatchObject({ success: false, errorKind: 'resolve' });
    expect(r.result.icmp).toBeUndefined();
  });
  it('an unreachable address fails within its deadline', async () => {
    // No route to TEST-NET-2 in the test's namespace (only lo).
    const job: ProbeJob = {
      target: 'x',
      probe: 'icmp',
      link: 'primary',
      statusKind: 'icmp',
      sourceAddress: '127.0.0.1',
      host: '127.0.0.1',
      path: { link: 'primary', gateway: '127.0.0.1' },
      timeoutMs: 1500,
      job: { kind: 'icmp', spec: { host: '198.51.100.7', count: 2, spacingSeconds: 0.2 } },
    };
    const r = await runJob(job);
    expect(r.result.success).toBe(false);
    expect(r.result.durationSeconds).toBeLessThan(3);
  });

  describe('hostile targets never reach ping', () => {
    const require = createRequire(import.meta.url);
    const cp = require('node:child_process') as typeof import('node:child_process');
    let spawned: string[][] = [];
    const realSpawn = cp.spawn;
    beforeAll(() => {
      // Count real spawn calls (the `ping` package requires this same module object).
      (cp as { spawn: unknown }).spawn = (cmd: string, args: string[], opts: object) => {
        spawned.push([cmd, ...args]);
        return realSpawn(cmd, args, opts);
      };
    });
    afterAll(() => {
      (cp as { spawn: unknown }).spawn = realSpawn;
    });
    const hostile = [
      '-f',
      '-h',
      'a;reboot',
      '$(id)',
      '`id`',
      '127.0.0.1 -f',
      '-c 100000 127.0.0.1',
      'x'.repeat(10_000),
      '',
      '--help',
      '127.0.0.1\n-f',
    ];
    for (const h of hostile) {
      it(`refuses ${JSON.stringify(h.slice(0, 20))}${h.length > 20 ? '…' : ''}`, async () => {
        spawned = [];
        const job: ProbeJob = {
          target: 'x',
          probe: 'icmp',
          link: 'primary',
          statusKind: 'icmp',
          sourceAddress: '127.0.0.1',
          host: '127.0.0.1',
          path: { link: 'primary', gateway: '127.0.0.1' },
          timeoutMs: 2000,
          job: { kind: 'icmp', spec: { host: h, count: 1, spacingSeconds: 0.2 } },
        };
        const r = await runJob(job);
        expect(r.result.success).toBe(false);
        expect(r.result.errorKind).toMatch(/^(bad-target|resolve)$/);
        expect(spawned).toEqual([]);
      });
    }
    it('a hostile source address is refused too', () => {
      expect(() =>
        pingArguments('127.0.0.1', { host: '127.0.0.1', count: 1, spacingSeconds: 0.2 }, { sourceAddress: '-f', timeoutMs: 1000 }),
      ).toThrow(/bad-target/);
      expect(() =>
        pingArguments('-h', { host: '-h', count: 1, spacingSeconds: 0.2 }, { sourceAddress: '127.0.0.1', timeoutMs: 1000 }),
      ).toThrow(/bad-target/);
    });
    it('the spawn counter does see a legitimate ping', async () => {
      spawned = [];
      await probeIcmp({ host: '127.0.0.1', count: 1, spacingSeconds: 0.2 }, ctx());
      expect(spawned.length).toBe(1);
      expect(spawned[0]![0]).toBe('ping');
      expect(spawned[0]!.at(-1)).toBe('127.0.0.1');
    });
  });
});

describe('rollingOrder', () => {
  it('alternates the links and lets targets take turns within a link', () => {
    const job = (target: string, probe: string, link: 'primary' | 'backup'): ProbeJob => ({
      target,
      probe,
      link,
      statusKind: 'tcp',
      sourceAddress: '127.0.0.1',
      host: '127.0.0.1',
      path: { link, gateway: '127.0.0.1' },
      timeoutMs: 100,
      job: { kind: 'tcp', spec: { host: '127.0.0.1', port: 1 } },
    });
    const jobs = (['primary', 'backup'] as const).flatMap((l) => [
      job('gateway', 'icmp', l),
      job('portal', 'http', l),
      job('portal', 'icmp', l),
      job('mail', 'tcp', l),
    ]);
    const order = rollingOrder(jobs).map((j) => `${j.target}/${j.probe}@${j.link}`);
    expect(order).toEqual([
      'gateway/icmp@primary',
      'gateway/icmp@backup',
      'portal/http@primary',
      'portal/http@backup',
      'mail/tcp@primary',
      'mail/tcp@backup',
      'portal/icmp@primary',
      'portal/icmp@backup',
    ]);
    expect(rollingOrder([])).toEqual([]);
  });
});
