// The watch room at province scale, end to end on loopback: a 130-unit province, stand-in agents
// whose LGSP item is what a real HTTP probe of an LGSP stand-in finds, a real Prometheus running
// the generated rules, a real Alertmanager (Debian's 0.25) with the generated alertmanager.yml,
// a board in Prometheus mode and a webhook receiver with one path per team.
//
// Stopping the LGSP stand-in gives exactly one notification per responsible team (the province's
// data center team and the four commune response teams: every team covers units that have the
// item) and one incident banner on the board. Acknowledging the incident on the board silences
// its repeats in Alertmanager; the LGSP back, the board ends the acknowledgement and its silence.
// Timings are shortened for the test through the inventory (agent interval 2 s, `for` 0 s,
// group wait 3 s, group interval 1 s, repeat interval 4 s), one set-up for every assertion.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChecklist, loadInventoryFile, writeGeneratedFiles, type Inventory } from '../../inventory/index.ts';
import { ALERTMANAGER_FILE, INCIDENT_ALERT } from '../../dashboards/alertmanager.ts';
import { alertmanagerFiles, rulesFiles, startBoard, TokenBook, type RunningBoard } from '../../dashboards/index.ts';
import { allFor, freePort, quickCentralFor, startStandIn, type StandInAgent } from '../../dashboards/board/testing.ts';
import { startAlertmanager, startPrometheus, type Running } from '../support/monitoring.ts';
import { startWebhookStandIn, type HttpStandIn, type WebhookCall } from '../support/notify-standins.ts';
import { generatedProvince } from '../support/province.ts';

const TOKEN = 'ttdl-watch-room-token-0123456789';
const UNITS = 130;
let dir: string;
let inv: Inventory;
let hook: HttpStandIn<WebhookCall>;
let am: Running;
let prom: Running;
let board: RunningBoard;
let lgsp: Server;
let lgspPort = 0;
let prober: NodeJS.Timeout | undefined;
const agents: StandInAgent[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await sleep(200);
  }
}

async function startLgsp(): Promise<void> {
  lgsp = createServer((req, res) => res.writeHead(req.url === '/lgsp/health' ? 200 : 404).end('ok'));
  await new Promise<void>((resolve) => lgsp.listen(lgspPort, '127.0.0.1', resolve));
  lgspPort = (lgsp.address() as { port: number }).port;
}
const stopLgsp = () =>
  new Promise<void>((resolve) => {
    lgsp.closeAllConnections();
    lgsp.close(() => resolve());
  });

/** What every commune's agent finds probing the LGSP stand-in (one real HTTP probe, shared by the stand-in agents). */
function probeLgsp(): void {
  const ctl = AbortSignal.timeout(800);
  fetch(`http://127.0.0.1:${lgspPort}/lgsp/health`, { signal: ctl }).then(
    (r) => setLgsp(r.status === 200),
    () => setLgsp(false),
  );
}
function setLgsp(ok: boolean): void {
  for (const a of agents) a.behaviour.failing = ok ? [] : ['reach-lgsp'];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'watch-room-'));
  hook = await startWebhookStandIn();
  await startLgsp();
  const demo = await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname);
  const manual = defaultChecklist.filter((i) => i.kind === 'manual').map((i) => i.id);
  const province = generatedProvince(demo, { units: UNITS, net: 54, perTeam: 40, webhook: hook.url });
  inv = allFor(
    quickCentralFor(
      {
        ...province,
        agent: { ...province.agent, interval: '2s' },
        checklist: { drop: manual, add: [], thresholds: {} },
        notify: {
          ...province.notify,
          smtp: undefined,
          telegram: undefined,
          groupWait: '3s',
          groupInterval: '1s',
          repeatInterval: '4s',
          escalateAfter: '10m',
        },
      },
      4,
    ),
    '0s',
    // The agent's own item keeps a short `for`: a site scraped a moment after the board's anchors is not "down".
    defaultChecklist.map((i) => i.id).filter((id) => id !== 'agent-up' && id !== 'clock'),
  );
  for (const u of inv.units) for (const s of u.sites) agents.push(await startStandIn(inv, s.id));
  probeLgsp();
  prober = setInterval(probeLgsp, 300);

  await writeGeneratedFiles(dir, [...rulesFiles(inv), ...alertmanagerFiles(inv, { version: '0.25.0' })]);
  am = await startAlertmanager(join(dir, ALERTMANAGER_FILE), dir);
  const boardPort = await freePort();
  await writeFile(
    join(dir, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '2s', scrape_timeout: '1500ms', evaluation_interval: '2s' },
      rule_files: ['rules/sansang.rules.yml'],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(am.url).host] }] }] },
      scrape_configs: [
        {
          job_name: 'sansang-agent',
          static_configs: inv.units.flatMap((u) =>
            u.sites.map((s) => ({
              targets: [`${s.links.primary.address}:${s.agentPort}`],
              labels: { unit: u.code, site: s.id, scrape_link: 'primary' },
            })),
          ),
        },
        { job_name: 'sansang-board', static_configs: [{ targets: [`127.0.0.1:${boardPort}`] }] },
      ],
    }),
  );
  prom = await startPrometheus(join(dir, 'prometheus.yml'), join(dir, 'prom-data'));
  board = await startBoard({
    inventory: inv,
    dataDir: join(dir, 'board'),
    listen: `127.0.0.1:${boardPort}`,
    tokens: TokenBook.parse(`ttdl: ${TOKEN}\n`),
    prometheus: `${prom.url}/`,
    alertmanager: am.url,
    refreshMs: 1000,
    warn: () => {},
  });
}, 90_000);

afterAll(async () => {
  if (prober) clearInterval(prober);
  await board?.close();
  await prom?.stop();
  await am?.stop();
  for (const a of agents) await a.close();
  await hook?.close();
  if (lgsp?.listening) await stopLgsp();
  await rm(dir, { recursive: true, force: true });
});

/** The notifications of the incident each team's webhook received (by path: one per team). */
const perTeam = (calls: readonly WebhookCall[]) => {
  const out = new Map<string, number>();
  for (const c of calls) out.set(c.path, (out.get(c.path) ?? 0) + 1);
  return Object.fromEntries([...out].sort());
};
const firing = () => hook.calls.filter((c) => c.status === 'firing');

describe('the watch room at province scale', () => {
  const teams = () => inv.teams.map((t) => `/${t.id}`).sort();
  let stoppedAt = 0;

  it('stopping the LGSP stand-in: exactly one notification per responsible team within 2 minutes, one incident banner', async () => {
    // Every unit GO first, and no alert left in Alertmanager (the start's own are over): a quiet room.
    await until('every unit GO', () => board.board.current.units.every((u) => u.state === 'go'), 60_000).catch((e: Error) => {
      const u = board.board.current.units.find((x) => x.state !== 'go')!;
      throw new Error(
        `${e.message}: ${u.code} ${u.state} ${JSON.stringify(u.items.filter((i) => i.state !== 'go'))} ${JSON.stringify(board.board.current.problems)}`,
      );
    });
    expect(board.board.current.units).toHaveLength(UNITS);
    const active = async () =>
      ((await (await fetch(`${am.url}/api/v2/alerts?active=true&silenced=false&inhibited=false`)).json()) as unknown[]).length;
    await until('no alert active', async () => (await active()) === 0, 30_000);
    await sleep(2500);
    hook.calls.length = 0;

    await stopLgsp();
    stoppedAt = Date.now();
    await until('a notification at every team', () => teams().every((t) => firing().some((c) => c.path === t)), 120_000);
    const tookMs = Date.now() - stoppedAt;
    expect(tookMs).toBeLessThan(120_000);
    // Before any repeat is due (repeat interval 4 s): one each, of the incident, naming the service.
    const said = hook.calls.map(
      (c) => `${c.path} ${c.status} ${c.alerts.map((a) => `${a.labels.alertname}/${a.labels.unit ?? a.labels.check}`).join(',')}`,
    );
    // On failure: what Alertmanager holds, to tell a late incident from a missing inhibition.
    const amAlerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as {
      labels: Record<string, string>;
      status: { state: string; inhibitedBy: string[] };
    }[];
    const held = amAlerts
      .filter((a) => a.labels.alertname === INCIDENT_ALERT || a.status.inhibitedBy.length === 0)
      .map((a) => `${a.labels.alertname} ${a.labels.unit ?? ''} ${a.labels.check ?? ''} ${a.status.state}`);
    expect(perTeam(hook.calls), `${said.join('\n')}\nAlertmanager holds:\n${held.join('\n')}`).toEqual(
      Object.fromEntries(teams().map((t) => [t, 1])),
    );
    for (const c of hook.calls) {
      expect(c.alerts).toHaveLength(1);
      expect(c.alerts[0]!.labels).toMatchObject({ alertname: INCIDENT_ALERT, check: 'reach-lgsp' });
      expect(c.alerts[0]!.annotations.summary).toMatch(
        /^Sự cố chung: Kết nối tới Nền tảng tích hợp, chia sẻ dữ liệu \(LGSP\) không đạt tại \d+\/130 đơn vị$/,
      );
      expect(c.alerts[0]!.annotations.description).toMatch(/Nền tảng LGSP tỉnh \(stand-in\) \(Trung tâm dữ liệu tỉnh \(chính\)/);
    }
    // The board: one incident banner, every unit's LGSP item pointing at it.
    await until('the board shows the incident', () => board.board.incidents.length === 1, 10_000);
    expect(board.board.incidents[0]).toMatchObject({ check: 'reach-lgsp', of: UNITS });
    expect(board.board.incidents[0]!.units).toHaveLength(UNITS);
    const overview = (await (await fetch(new URL('api/state', board.url))).json()) as { incidents: unknown[] };
    expect(overview.incidents).toHaveLength(1);
    expect(board.board.unit('50077')!.items.find((i) => i.check === 'reach-lgsp')).toMatchObject({ incident: 'reach-lgsp' });
  }, 180_000);

  it('acknowledged on the board: no repeat; the LGSP back, the acknowledgement and its silence end', async () => {
    // Unacknowledged, the incident repeats.
    await until('a repeat', () => firing().length > teams().length, 20_000);
    const r = await fetch(new URL('api/acks', board.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ team: 'ttdl', check: 'reach-lgsp', who: 'Nguyễn Văn An', note: 'Đã báo nhà cung cấp, phiếu 42' }),
    });
    expect(r.status, await r.clone().text()).toBe(201);
    const { silence } = (await r.json()) as { silence?: string };
    expect(silence).toBeTruthy();
    const state = async () =>
      ((await (await fetch(`${am.url}/api/v2/silence/${silence}`)).json()) as { status: { state: string } }).status.state;
    expect(await state()).toBe('active');
    // A notification already on its way may land; then nothing for more than two repeat intervals.
    await sleep(1500);
    const seen = hook.calls.length;
    // More than two repeat intervals.
    await sleep(9500);
    expect(
      hook.calls.length,
      hook.calls
        .slice(seen)
        .map((c) => `${c.path} ${c.status} ${c.alerts.map((a) => `${a.labels.alertname}/${a.labels.unit ?? a.labels.check}`).join(',')}`)
        .join('\n'),
    ).toBe(seen);
    expect(board.board.incidents[0]!.ack).toMatchObject({ who: 'Nguyễn Văn An', team: 'ttdl' });

    await startLgsp();
    await until('the acknowledgement ended', () => board.board.log.openAcks().length === 0, 30_000);
    expect(board.board.log.entries().filter((e) => e.type === 'ack-clear')).toHaveLength(1);
    await until('the silence expired', async () => (await state()) === 'expired', 10_000);
  }, 90_000);
});
