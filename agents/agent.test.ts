// The whole agent against real listeners on loopback: its /metrics (checked by promtool), its
// /status (checked by the board's schema), thresholds, a hung collector, a slow target that must
// not block the scrape, SIGHUP reloads (bad config refused, removed targets' series removed),
// basic auth and TLS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatusDocument, type SiteSliceDocument, type StatusDocument } from '../inventory/index.ts';
import { startAgent, type RunningAgent } from './index.ts';
import type { Collector } from './host/collector.ts';
import { defaultCollectors } from './host/collectors.ts';
import { dnsStand, httpStand, httpsStand, makeCertificate, tcpStand, type Stand, type TlsMaterial } from './test-support/servers.ts';
import { testSlice } from './test-support/inventory.ts';
import { promtoolCheckMetrics } from './test-support/promtool.ts';

const dir = mkdtempSync(join(tmpdir(), 'sansang-agent-test-'));
let web: Stand, web443: Stand, tcp: Stand, dns: Stand, tls: TlsMaterial;
let running: RunningAgent;
let base: string;
let slice: SiteSliceDocument;
const configFile = join(dir, 'site.json');

const hangs: Collector = { name: 'hangs', metrics: [], collect: () => new Promise(() => undefined) };

function services(withSlow: boolean) {
  return [
    {
      id: 'portal',
      name: 'Portal',
      scope: 'national',
      category: 'public-service-portal',
      probes: [
        { kind: 'http', url: `http://127.0.0.1:${web.port}/ok` },
        { kind: 'icmp', host: '127.0.0.1' },
      ],
    },
    { id: 'lgsp', name: 'LGSP', scope: 'national', category: 'lgsp', probes: [{ kind: 'http', url: `http://127.0.0.1:${web.port}/fail` }] },
    {
      id: 'qlvb',
      name: 'QLVB',
      scope: 'national',
      category: 'document-management',
      probes: [{ kind: 'tcp', host: '127.0.0.1', port: tcp.port }],
    },
    {
      id: 'dns',
      name: 'DNS',
      scope: 'national',
      category: 'dns',
      probes: [{ kind: 'dns', server: '127.0.0.1', port: dns.port, name: 'portal.test' }],
    },
    {
      id: 'video',
      name: 'Video',
      scope: 'national',
      category: 'video-conference',
      probes: [{ kind: 'http', url: `https://127.0.0.1:${web443.port}/ok`, hostHeader: 'portal.test', caFile: tls.certFile }],
    },
    ...(withSlow
      ? [
          {
            id: 'slow',
            name: 'Slow',
            scope: 'national',
            category: 'other',
            probes: [{ kind: 'http', url: `http://127.0.0.1:${web.port}/slow` }],
          },
        ]
      : []),
  ];
}

const get = async (path: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`${base}${path}`, { headers });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
};
const status = async (): Promise<StatusDocument> => parseStatusDocument(JSON.parse((await get('/status')).body));
async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

beforeAll(async () => {
  web = await httpStand();
  tcp = await tcpStand();
  dns = await dnsStand({ 'portal.test': '127.0.0.1' });
  tls = makeCertificate('portal.test', 2);
  web443 = await httpsStand(tls);
  slice = testSlice({
    services: services(true),
    primary: { address: '127.0.1.10', gateway: '127.0.1.1' },
    backup: { address: '127.0.101.10', gateway: '127.0.101.1' },
  });
  writeFileSync(configFile, JSON.stringify(slice));
  running = await startAgent({
    configFile,
    listen: ['127.0.0.1:0'],
    reloadOnSighup: true,
    collectors: [...defaultCollectors, hangs],
    log: () => undefined,
  });
  base = running.urls[0]!;
});
afterAll(async () => {
  await running?.close();
  await Promise.all([web?.close(), web443?.close(), tcp?.close(), dns?.close()]);
  tls?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('agent', () => {
  it('probes every service over both links plus the gateways', async () => {
    const doc = await until('the first round', async () => {
      const d = await status();
      return d.probes.length === running.agent.probeJobs.length && d;
    });
    // 7 service probes + 1 gateway, on two links
    expect(doc.probes.length).toBe(16);
    const by = (t: string, p: string, l: string) => doc.probes.find((x) => x.target === t && x.probe === p && x.link === l);
    expect(by('portal', 'http', 'primary')?.success).toBe(true);
    expect(by('portal', 'icmp', 'backup')).toMatchObject({ success: true, icmp: { sent: 3, received: 3 } });
    expect(by('gateway', 'icmp', 'primary')).toMatchObject({ kind: 'gateway', success: true });
    expect(by('lgsp', 'http', 'primary')).toMatchObject({ success: false, errorKind: 'status', http: { status: 500 } });
    expect(by('dns', 'dns', 'backup')).toMatchObject({ success: true, dns: { answers: 1 } });
    expect(by('video', 'https', 'primary')?.http?.certExpiry).toBeDefined();
    expect(by('slow', 'http', 'primary')).toMatchObject({ success: false, errorKind: 'stalled' });
    expect(doc.agent).toMatchObject({ unit: '16681', site: 'test-site', intervalSeconds: 2 });
  });

  it('a hung collector is abandoned and reported, the others succeed', async () => {
    const doc = await status();
    expect(doc.collectors.find((c) => c.collector === 'hangs')).toMatchObject({ success: false });
    expect(doc.collectors.find((c) => c.collector === 'memory')).toMatchObject({ success: true });
    const m = (await get('/metrics')).body;
    expect(sample(m, 'sansang_collector_success{collector="hangs"}')).toBe(0);
    expect(sample(m, 'sansang_collector_success{collector="memory"}')).toBe(1);
  });

  it('/metrics passes promtool check metrics with no warning', async () => {
    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'sansang_probe_success',
      'sansang_probe_duration_seconds',
      'sansang_probe_icmp_sent_total',
      'sansang_probe_icmp_received_total',
      'sansang_probe_icmp_packet_loss_ratio',
      'sansang_probe_icmp_rtt_seconds_bucket',
      'sansang_probe_http_status_code',
      'sansang_probe_tls_cert_expiry_timestamp_seconds',
      'sansang_probe_last_run_timestamp_seconds',
      'sansang_check_status',
      'sansang_host_time_seconds',
      'sansang_host_memory_total_bytes',
      'sansang_collector_success',
      'sansang_agent_info',
      'sansang_config_last_reload_successful',
    ]) {
      expect(m.body, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
    expect(m.body).not.toMatch(/\b(unit|site)="/);
    expect(m.body).toContain('sansang_probe_icmp_rtt_seconds_bucket{le="0.0001",target="portal",probe="icmp",link="primary"}');
    const r = promtoolCheckMetrics(m.body);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('serves OpenMetrics when the scraper asks for it', async () => {
    const m = await get('/metrics', { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' });
    expect(m.type).toMatch(/^application\/openmetrics-text/);
    expect(m.body.trimEnd().endsWith('# EOF')).toBe(true);
    // OpenMetrics names a counter family without `_total`, its samples with it…
    expect(m.body).toMatch(/^# TYPE sansang_probe_icmp_sent counter$/m);
    expect(m.body).toMatch(/^sansang_probe_icmp_sent_total\{/m);
    // …and a text scrape after it still has the contract's names (prom-client renames in place).
    const text = (await get('/metrics')).body;
    expect(text).toMatch(/^# TYPE sansang_probe_icmp_sent_total counter$/m);
    expect(text).toMatch(/^sansang_probe_icmp_received_total\{/m);
    expect(promtoolCheckMetrics(text).output).toBe('');
  });

  it('a running agent gives each probe its own slot across the interval', async () => {
    const doc = await until('every probe once', async () => {
      const d = await status();
      return d.probes.length === running.agent.probeJobs.length && d;
    });
    const starts = doc.probes.map((p) => Date.parse(p.at));
    const intervalMs = doc.agent.intervalSeconds * 1000;
    const base = Math.min(...starts);
    // Phases within the interval, in eighths: probes started at once would share one or two.
    const eighths = new Set(starts.map((t) => Math.floor((((t - base) % intervalMs) / intervalMs) * 8)));
    expect(doc.probes.length).toBe(16);
    expect(eighths.size).toBeGreaterThanOrEqual(6);
  });

  it('edge checks follow their thresholds', async () => {
    const doc = await until('two rounds of checks', async () => {
      const d = await status();
      return d.checks.find((c) => c.check === 'reach-lgsp')?.ok === false && d;
    });
    const c = (id: string) => doc.checks.find((x) => x.check === id);
    expect(c('wan-primary')).toMatchObject({ ok: true, lastRoundOk: true });
    expect(c('wan-backup')).toMatchObject({ ok: true });
    expect(c('reach-public-service-portal')?.ok).toBe(true);
    expect(c('reach-document-management')?.ok).toBe(true);
    expect(c('dns')?.ok).toBe(true);
    expect(c('reach-lgsp')?.reason).toMatch(/500/);
    // The certificate lasts two days; the item wants 14.
    expect(c('tls-valid')).toMatchObject({ ok: false });
    expect(c('tls-valid')?.reason).toMatch(/valid for (1\.\d|2\.0) days, minimum 14/);
    expect(c('tls-valid')?.cause).toMatchObject({ kind: 'cert-expiring', min: 14 });
    // Items the site has no evidence for are not there; manual and central items never are.
    expect(c('reach-email')).toBeUndefined();
    expect(c('agent-up')).toBeUndefined();
    const m = (await get('/metrics')).body;
    expect(sample(m, 'sansang_check_status{check="wan-primary"}')).toBe(1);
    expect(sample(m, 'sansang_check_status{check="reach-lgsp"}')).toBe(0);
  });

  it('a slow target never blocks /metrics', async () => {
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await get('/metrics');
      expect(performance.now() - t0).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('SIGHUP: a bad config is refused and the old one keeps running; removed targets lose their series', async () => {
    writeFileSync(configFile, '{"sliceVersion": 1, "site": "nonsense"}');
    process.kill(process.pid, 'SIGHUP');
    await until('the refused reload', async () => sample((await get('/metrics')).body, 'sansang_config_last_reload_successful') === 0);
    expect((await status()).probes.some((p) => p.target === 'slow')).toBe(true);

    const smaller = testSlice({
      services: services(false),
      primary: { address: '127.0.1.10', gateway: '127.0.1.1' },
      backup: { address: '127.0.101.10', gateway: '127.0.101.1' },
    });
    writeFileSync(configFile, JSON.stringify(smaller));
    process.kill(process.pid, 'SIGHUP');
    await until('the good reload', async () => sample((await get('/metrics')).body, 'sansang_config_last_reload_successful') === 1);
    const m = (await get('/metrics')).body;
    expect(m).not.toContain('target="slow"');
    expect(m).toContain('target="portal"');
    expect((await status()).probes.some((p) => p.target === 'slow')).toBe(false);
  });

  it('/healthz answers', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });
});

describe('agent with basic auth and TLS', () => {
  it('refuses scrapes without the password and serves HTTPS', async () => {
    const secured = testSlice({
      services: [
        {
          id: 'portal',
          name: 'Portal',
          scope: 'national',
          category: 'public-service-portal',
          probes: [{ kind: 'tcp', host: '127.0.0.1', port: tcp.port }],
        },
      ],
      primary: { address: '127.0.1.10', gateway: '127.0.1.1' },
      agent: {
        basicAuth: { username: 'prometheus', passwordHash: bcrypt.hashSync('s3cret', 4) },
        tls: { certFile: tls.certFile, keyFile: tls.keyFile },
      },
    });
    const a = await startAgent({ slice: secured, listen: ['127.0.0.1:0'], facts: false, log: () => undefined });
    try {
      expect(a.urls[0]).toMatch(/^https:/);
      const ca = (await import('node:fs')).readFileSync(tls.certFile);
      const req = (auth?: string) =>
        new Promise<number>((resolve, reject) => {
          const u = new URL(`${a.urls[0]}/metrics`);
          https
            .get(
              {
                host: u.hostname,
                port: u.port,
                path: u.pathname,
                ca,
                servername: 'portal.test',
                checkServerIdentity: () => undefined,
                headers: auth ? { authorization: auth } : {},
              },
              (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              },
            )
            .on('error', reject);
        });
      expect(await req()).toBe(401);
      expect(await req(`Basic ${Buffer.from('prometheus:wrong').toString('base64')}`)).toBe(401);
      expect(await req(`Basic ${Buffer.from('prometheus:s3cret').toString('base64')}`)).toBe(200);
    } finally {
      await a.close();
    }
  });
});
