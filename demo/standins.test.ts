// The demo's stand-ins as the agent meets them: HTTP answering a probe's body and JSON
// expectations, a URL list's rows (each as its row expects), the mail stand-in (SMTP, IMAP with
// STARTTLS and the canary's forwarding); the demo faults that break one URL mapping and the
// forwarding of an old domain, and their restoring. The agent's own jobs (buildJobs, runJob) run
// against them on loopback, on ports of their own.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sayCause } from '../inventory/index.ts';
import { buildJobs, runJob, type ProbeJob } from '../agents/probes/index.ts';
import { probeHttp } from '../agents/probes/http.ts';
import { testInventory, testSlice, type TestSiteOptions } from '../agents/test-support/inventory.ts';
import { makeCertificate, type TlsMaterial } from '../agents/test-support/servers.ts';
import { freePort } from '../dashboards/board/testing.ts';
import { StandIns } from './standins.ts';

const dir = mkdtempSync(join(tmpdir(), 'sansang-standins-'));
let tls: TlsMaterial;
let standIns: StandIns;
let jobs: ProbeJob[];
let ports: { web: number; api: number; smtp: number; imap: number };

const job = (target: string) => jobs.find((j) => j.target === target)!;
const run = async (target: string) => (await runJob(job(target))).result;

beforeAll(async () => {
  tls = makeCertificate('mail.new.test', 30);
  ports = { web: await freePort(), api: await freePort(), smtp: await freePort(), imap: await freePort() };
  const web = `http://127.0.0.1:${ports.web}`;
  writeFileSync(
    join(dir, 'urls.csv'),
    [
      'url,status,location,body',
      `${web}/thu-tuc?id=1,301,https://new.example.test/thu-tuc?id=1,`,
      `${web}/api/tracuu?ma=1,200,,"""trangThai"":""da-tiep-nhan"""`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'canary.password'), 'canary-pw\n');
  const mailTls = { serverName: 'mail.new.test', caFile: tls.certFile };
  const services = [
    {
      id: 'cong',
      name: 'Cổng (stand-in)',
      scope: 'provincial',
      category: 'public-service-portal',
      hostedIn: ['dc1'],
      probes: [{ kind: 'http', url: `${web}/`, expectStatus: [200], expectBody: 'Cổng dịch vụ công' }],
    },
    {
      id: 'api',
      name: 'API (stand-in)',
      scope: 'provincial',
      category: 'lgsp',
      hostedIn: ['dc1'],
      probes: [
        {
          kind: 'http',
          url: `http://127.0.0.1:${ports.api}/health`,
          expectStatus: [200],
          expectJson: { path: 'data.status', equals: 'up' },
        },
      ],
    },
    {
      id: 'duong-dan',
      name: 'Đường dẫn (stand-in)',
      scope: 'provincial',
      category: 'important-urls',
      hostedIn: ['dc1'],
      probes: [{ kind: 'url-list', file: join(dir, 'urls.csv') }],
    },
    {
      id: 'thu',
      name: 'Thư (stand-in)',
      scope: 'provincial',
      category: 'email',
      hostedIn: ['dc1'],
      probes: [
        { kind: 'smtp', host: '127.0.0.1', port: ports.smtp, security: 'starttls', ...mailTls },
        { kind: 'imap', host: '127.0.0.1', port: ports.imap, security: 'starttls', ...mailTls },
      ],
    },
    {
      id: 'chuyen-tiep',
      name: 'Chuyển tiếp thư (stand-in)',
      scope: 'provincial',
      category: 'email-forwarding',
      hostedIn: ['dc1'],
      probes: [
        {
          kind: 'mail-forward',
          smtp: { host: '127.0.0.1', port: ports.smtp, serverName: 'mail.new.test' },
          imap: { host: '127.0.0.1', port: ports.imap, serverName: 'mail.new.test' },
          username: 'canary@new.test',
          passwordFile: join(dir, 'canary.password'),
          mailbox: 'canary',
          maxDelay: '1s',
          every: '1s',
          caFile: tls.certFile,
        },
      ],
    },
  ];
  const o: TestSiteOptions = {
    services,
    primary: { address: '127.0.0.1', gateway: '127.0.0.2' },
    agent: { interval: '4s' },
    email: { domain: 'new.test', oldDomains: ['old.test'] },
  };
  standIns = new StandIns(testInventory(o), { cert: readFileSync(tls.certFile, 'utf8'), key: readFileSync(tls.keyFile, 'utf8') });
  await standIns.startAll();
  jobs = buildJobs(testSlice(o), dir).filter((j) => j.target !== 'gateway');
}, 30_000);

afterAll(async () => {
  await standIns?.stopAll();
  tls?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("the demo's stand-ins", () => {
  it('answer every probe as it expects: a body, a JSON path, each row of a URL list, SMTP and IMAP with STARTTLS, the canary forwarded', async () => {
    const results = await Promise.all(jobs.map((j) => runJob(j)));
    expect(Object.fromEntries(results.map((r) => [`${r.result.target}/${r.result.probe}`, r.result.error ?? 'ok']))).toEqual({
      'cong/http': 'ok',
      'api/http': 'ok',
      'duong-dan/urls': 'ok',
      [`thu/smtp-${ports.smtp}`]: 'ok',
      [`thu/imap-${ports.imap}`]: 'ok',
      'chuyen-tiep/forward': 'ok',
    });
    expect(results.find((r) => r.result.target === 'duong-dan')!.result.urls).toMatchObject({ total: 2, failing: 0 });
  });

  it('a page or an API answering otherwise fails on its body and its JSON path', async () => {
    const body = await probeHttp({ url: `http://127.0.0.1:${ports.web}/`, expectStatus: [200], expectBody: 'Trang báo lỗi' }, ctx());
    expect(body).toMatchObject({ success: false, cause: { kind: 'http-body', expected: 'Trang báo lỗi' } });
    const json = await probeHttp(
      { url: `http://127.0.0.1:${ports.api}/health`, expectStatus: [200], expectJson: { path: 'data.status', equals: 'down' } },
      ctx(),
    );
    expect(json).toMatchObject({ success: false, cause: { kind: 'http-json', path: 'data.status', got: '"up"' } });
  });

  it('break-url: that URL answers 404 and the list fails naming it; restored, it passes', async () => {
    const url = `http://127.0.0.1:${ports.web}/thu-tuc?id=1`;
    expect(() => standIns.breakUrl(`http://127.0.0.1:${ports.web}/nowhere`, true)).toThrow(/no URL list/);
    standIns.breakUrl(url, true);
    const r = await run('duong-dan');
    expect(r).toMatchObject({
      success: false,
      cause: { kind: 'url-failed', url, expected: '301 → https://new.example.test/thu-tuc?id=1', got: '404', failing: 1, total: 2 },
    });
    expect(sayCause(r.cause!, 'vi').what).toContain(`${url}: cần 301 → https://new.example.test/thu-tuc?id=1, nhận 404`);
    standIns.breakUrl(url, false);
    expect(await run('duong-dan')).toMatchObject({ success: true });
  });

  it('break-forwarding: the canary to the old domain never arrives; restored, it does', async () => {
    expect(() => standIns.breakForwarding('other.test', true)).toThrow(/no forwarding from other\.test/);
    standIns.breakForwarding('old.test', true);
    // One canary per `every` (1 s): the next run sends a new one.
    await new Promise((r) => setTimeout(r, 1100));
    const r = await run('chuyen-tiep');
    expect(r).toMatchObject({ success: false, cause: { kind: 'mail-not-forwarded', from: 'canary@old.test', to: 'canary@new.test' } });
    standIns.breakForwarding('old.test', false);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await run('chuyen-tiep')).toMatchObject({ success: true, mail: { to: 'canary@new.test' } });
  });
});

function ctx() {
  return {
    sourceAddress: '127.0.0.1',
    timeoutMs: 3000,
    signal: new AbortController().signal,
    path: { link: 'primary' as const, gateway: '127.0.0.1', service: 'Cổng (stand-in)', operator: 'DC1' },
  };
}
