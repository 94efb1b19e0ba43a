// The real HAProxy, running a config generated for a test inventory on loopback, in front of two
// small HTTP servers standing in for the portal in the primary and the backup data center.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryText, type Inventory } from '../../inventory/index.ts';
import { certificateFileName, haproxyConfig, HAPROXY_MONITOR_PORT, HEALTH_CHECK } from '../../stacks/index.ts';
import { selfSignedPem, tempDir } from '../../stacks/test-support.ts';

const VIP = '127.0.55.64';
const PRIMARY_IP = '127.0.55.101';
const BACKUP_IP = '127.0.56.101';
const HOST = 'cong.test.invalid';
const LEGACY = 'congcu.test.invalid';

interface Answer {
  status: number;
  location?: string;
  body: string;
}

/** One of the two stand-ins: answers with its name, the path it saw and the Host header. */
function portal(name: string, ip: string, port = 0): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ who: name, url: req.url, host: req.headers.host }));
  });
  return new Promise((ok, fail) => server.once('error', fail).listen(port, ip, () => ok(server)));
}

function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((ok) => server.close(() => ok()));
}

function get(opts: { tls: boolean; host: string; path: string; ca?: string }): Promise<Answer> {
  return new Promise((ok, fail) => {
    const common = {
      host: VIP,
      port: opts.tls ? 443 : 80,
      path: opts.path,
      headers: { host: opts.host },
      timeout: 5000,
      agent: false as const,
    };
    const req = opts.tls ? https.get({ ...common, servername: opts.host, ca: opts.ca }) : http.get(common);
    req.on('response', (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (d: string) => (body += d))
        .on('end', () => ok({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', fail);
  });
}

/** Polls until `pred` holds, at most `ms`; returns the last answer and how long it took. */
async function until(
  ms: number,
  ask: () => Promise<Answer>,
  pred: (a: Answer) => boolean,
): Promise<{ answer: Answer | undefined; after: number }> {
  const start = Date.now();
  let answer: Answer | undefined;
  while (Date.now() - start < ms) {
    answer = await ask().catch(() => undefined);
    if (answer && pred(answer)) return { answer, after: Date.now() - start };
    await new Promise((r) => setTimeout(r, 200));
  }
  return { answer, after: Date.now() - start };
}

const who = (a: Answer | undefined) => (a && a.status === 200 ? (JSON.parse(a.body) as { who: string }).who : undefined);

let primary: http.Server;
let backup: http.Server;
let primaryPort: number;
let haproxy: ChildProcess | undefined;
let haproxyLog = '';
let ca: string;

function inventory(primaryPort: number, backupPort: number): Inventory {
  return loadInventoryText(`
version: 1
demo: true
province: { code: "40", name: Test, effectiveDate: 2025-07-01, watch: { from: 2025-07-01, to: 2025-07-07 } }
dataCenters:
  - id: dc1
    name: Primary
    role: primary
    dockerHost: unix:///var/run/docker.sock
    wan: { parent: lo, subnet: 127.0.55.0/24, gateway: 127.0.55.1 }
    monitoring: { prometheus: 127.0.55.10, alertmanager: 127.0.55.11, grafana: 127.0.55.12, blackbox: 127.0.55.13, board: 127.0.55.14 }
  - id: dc2
    name: Backup
    role: backup
    dockerHost: unix:///var/run/docker.sock
    wan: { parent: lo, subnet: 127.0.56.0/24, gateway: 127.0.56.1 }
    monitoring: { prometheus: 127.0.56.10, alertmanager: 127.0.56.11, grafana: 127.0.56.12, blackbox: 127.0.56.13, board: 127.0.56.14 }
units:
  - code: "16681"
    name: Phường Thành Vinh
    kind: phuong
    portal:
      hostname: ${HOST}
      certificate: portal.pem
      legacyHostnames: [${LEGACY}]
      keepPaths: [/api/tracuu]
      backends:
        - { dataCenter: dc1, address: ${PRIMARY_IP}, port: ${primaryPort}, check: /healthz }
        - { dataCenter: dc2, address: ${BACKUP_IP}, port: ${backupPort}, check: /healthz }
      addresses: { dc1: ${VIP}, dc2: 127.0.56.64 }
    sites:
      - id: hq
        name: HQ
        links: { primary: { kind: wan, address: 127.0.57.10, gateway: 127.0.57.1 } }
`);
}

beforeAll(async () => {
  primary = await portal('primary', PRIMARY_IP);
  backup = await portal('backup', BACKUP_IP);
  primaryPort = (primary.address() as AddressInfo).port;
  const inv = inventory(primaryPort, (backup.address() as AddressInfo).port);
  const unit = inv.units[0]!;
  const dir = tempDir('haproxy-it');
  ca = selfSignedPem(tempDir('haproxy-ca'), [HOST, LEGACY]);
  writeFileSync(join(dir, certificateFileName(unit.portal!)), ca);
  const cfg = join(dir, 'dc1.cfg');
  writeFileSync(cfg, haproxyConfig(inv, unit, inv.dataCenters[0]!));
  const child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  haproxy = child;
  child.on(
    'error',
    (e) =>
      (haproxyLog += `\n${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'haproxy is not installed: apt-get install haproxy' : String(e)}`),
  );
  child.stdout.on('data', (d: Buffer) => (haproxyLog += d.toString()));
  child.stderr.on('data', (d: Buffer) => (haproxyLog += d.toString()));
  const monitor = () =>
    new Promise<Answer>((ok, fail) => {
      http
        .get(
          { host: VIP, port: HAPROXY_MONITOR_PORT, path: '/healthz', agent: false },
          (r) => (r.resume(), ok({ status: r.statusCode ?? 0, body: '' })),
        )
        .on('error', fail);
    });
  const ready = await until(10_000, monitor, (a) => a.status === 200);
  if (ready.answer?.status !== 200) throw new Error(`haproxy did not come up:\n${haproxyLog}`);
});

afterAll(async () => {
  haproxy?.kill('SIGKILL');
  await Promise.all([primary, backup].filter(Boolean).map((s) => stop(s).catch(() => undefined)));
});

describe('HAProxy with a generated config, on loopback', () => {
  it('serves the portal hostname over HTTPS with the unit certificate, from the primary', async () => {
    const r = await until(
      10_000,
      () => get({ tls: true, host: HOST, path: '/thu-tuc?id=7', ca }),
      (a) => who(a) === 'primary',
    );
    expect(who(r.answer), haproxyLog).toBe('primary');
    expect(JSON.parse(r.answer!.body)).toMatchObject({ url: '/thu-tuc?id=7', host: HOST });
  });

  it('redirects plain HTTP on the new hostname to HTTPS', async () => {
    const r = await get({ tls: false, host: HOST, path: '/a?b=1' });
    expect(r).toMatchObject({ status: 301, location: `https://${HOST}/a?b=1` });
  });

  it('answers a legacy hostname with a 301 to the new one, path and query kept (HTTP and HTTPS)', async () => {
    expect(await get({ tls: false, host: LEGACY, path: '/thu-tuc/ho-so?id=1&lang=vi' })).toMatchObject({
      status: 301,
      location: `https://${HOST}/thu-tuc/ho-so?id=1&lang=vi`,
    });
    expect(await get({ tls: true, host: LEGACY, path: '/tin-tuc?p=2', ca })).toMatchObject({
      status: 301,
      location: `https://${HOST}/tin-tuc?p=2`,
    });
    // Only the kept path itself and what is below it are kept.
    expect(await get({ tls: false, host: LEGACY, path: '/api/tracuuX' })).toMatchObject({
      status: 301,
      location: `https://${HOST}/api/tracuuX`,
    });
  });

  it('proxies the kept API paths of the legacy hostname instead of redirecting them', async () => {
    for (const path of ['/api/tracuu?ma=123', '/api/tracuu/ho-so/9']) {
      const r = await get({ tls: false, host: LEGACY, path });
      expect(r.status, `${path}: ${r.body}`).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ url: path, host: LEGACY });
    }
    const tls = await get({ tls: true, host: LEGACY, path: '/api/tracuu?ma=1', ca });
    expect(JSON.parse(tls.body)).toMatchObject({ url: '/api/tracuu?ma=1', host: LEGACY });
  });

  it('moves traffic to the backup within the health-check window when the primary stops, and back when it returns', async () => {
    const ask = () => get({ tls: true, host: HOST, path: '/', ca });
    expect(who((await until(10_000, ask, (a) => who(a) === 'primary')).answer)).toBe('primary');
    await stop(primary);
    // fall × inter, plus one check interval of slack and the polling step.
    const window = (HEALTH_CHECK.fall + 1) * parseInt(HEALTH_CHECK.inter, 10) * 1000 + 2000;
    const failover = await until(window + 10_000, ask, (a) => who(a) === 'backup');
    expect(who(failover.answer), haproxyLog).toBe('backup');
    expect(failover.after).toBeLessThanOrEqual(window);
    // Once on the backup, it stays there while the primary is down.
    for (let i = 0; i < 5; i++) expect(who(await ask())).toBe('backup');

    primary = await portal('primary', PRIMARY_IP, primaryPort);
    const back = await until(20_000, ask, (a) => who(a) === 'primary');
    expect(who(back.answer), haproxyLog).toBe('primary');
  });
});
