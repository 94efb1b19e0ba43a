// The national roll-up, for real, on loopback: Debian's single-node VictoriaMetrics (the cluster's
// write and query API) as the national store, three simulated provinces each with the generated
// prometheus.yml and rules run by real Prometheus (province A as a pair, one per data center),
// stand-in agents and a board per province, and the national board reading the store. The
// national board must show each province's units with the states its own rules concluded; the
// pair's two copies must be one series; a province whose Prometheus is killed must turn UNKNOWN
// within its window, while a province that lost one of its pair stays fresh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultChecklist,
  loadInventoryFile,
  nationalFreshnessSeconds,
  PORTS,
  SERIES,
  writeGeneratedFiles,
  type Inventory,
  type NationalInventory,
} from '../../inventory/index.ts';
import {
  NationalCore,
  provinceStateExpr,
  rulesFiles,
  startBoard,
  startNational,
  TokenBook,
  worstUnitsExpr,
  type RunningBoard,
  type RunningNational,
} from '../../dashboards/index.ts';
import { STATE_CODE } from '../../dashboards/states.ts';
import { allFor, polledOnly, relocate, startStandIn, type StandInAgent } from '../../dashboards/board/testing.ts';
import { instantQuery } from '../../dashboards/board/prom-client-http.ts';
import { prometheusConfigFile, prometheusFiles, singleNodeArgs } from '../../stacks/index.ts';
import { launchChromium } from '../support/chromium.ts';

const TOKEN = 'ttdl-token-0123456789';
const VM = '127.180.0.1:8428';
const STORE = `http://${VM}/`;
const REFRESH_MS = 1000;

interface Province {
  key: 'A' | 'B' | 'C';
  inv: Inventory;
  /** Data centers whose Prometheus runs (A: both, a pair). */
  replicas: string[];
  prometheus: Map<string, ChildProcess>;
  board?: RunningBoard;
}

const provinces: Province[] = [];
const agents: StandInAgent[] = [];
const children: ChildProcess[] = [];
let dir: string;
let national: NationalInventory;
let nationalBoard: RunningNational;

function need(program: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${program} is not installed: apt-get install ${pkg}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A province: the demo moved to its own loopback net, its own code and name, a 2 s interval, no `for` to wait. */
function province(demo: Inventory, net: number, code: string, name: string, dropUnits = 0): Inventory {
  const moved = polledOnly(relocate(demo, net));
  const base: Inventory = {
    ...moved,
    province: { ...moved.province, code, name },
    units: moved.units.slice(0, moved.units.length - dropUnits),
    maintenance: [],
    agent: { ...moved.agent, interval: '2s' },
    dataCenters: moved.dataCenters.map((dc, i) => {
      const at = (n: number) => `127.${net}.${250 + i}.${n}`;
      return { ...dc, monitoring: { prometheus: at(10), alertmanager: at(11), grafana: at(12), blackbox: at(13), board: at(14) } };
    }),
    national: { remoteWrite: [`http://${VM}/api/v1/write`], send: 'rollup' },
  };
  return allFor(
    base,
    '0s',
    defaultChecklist.map((i) => i.id),
  );
}

function startPrometheus(p: Province, dcId: string): void {
  const dc = p.inv.dataCenters.find((d) => d.id === dcId)!;
  const pdir = join(dir, p.key);
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(pdir, prometheusConfigFile(dc))}`,
      `--storage.tsdb.path=${join(pdir, `data-${dcId}`)}`,
      `--web.listen-address=${dc.monitoring.prometheus}:${PORTS.prometheus}`,
    ],
    { stdio: 'ignore' },
  );
  children.push(child);
  p.prometheus.set(dcId, child);
}

async function stopPrometheus(p: Province, dcId: string): Promise<void> {
  const child = p.prometheus.get(dcId)!;
  // Killed, not stopped: a dead Prometheus sends no staleness markers, and the store keeps answering with its last samples.
  child.kill('SIGKILL');
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
}

const prom = (p: Province, dcId = 'dc1') =>
  `http://${p.inv.dataCenters.find((d) => d.id === dcId)!.monitoring.prometheus}:${PORTS.prometheus}/`;

/** What a province's own rules concluded per unit (its Prometheus). */
async function provinceStates(p: Province): Promise<Record<string, string>> {
  const r = await instantQuery(prom(p), `${SERIES.unitState} == 1`, 3000);
  return Object.fromEntries(r.map((s) => [s.metric.unit!, s.metric.state!]));
}

interface ApiProvince {
  province: { code: string; name: string; state: string; silent: boolean; units: number; ageSeconds: number | null };
  units: { code: string; name: string; state: string; failing: { check: string; title: string }[] }[];
}

/** The national Grafana overview's province states, as VictoriaMetrics computes them (state codes by province). */
async function grafanaProvinceStates(): Promise<Record<string, string>> {
  const byCode = Object.fromEntries(Object.entries(STATE_CODE).map(([s, c]) => [c, s]));
  const r = await instantQuery(STORE, provinceStateExpr(national), 3000);
  return Object.fromEntries(r.map((s) => [s.metric.province!, byCode[s.value]!]));
}

async function boardProvinceStates(): Promise<Record<string, string>> {
  const o = (await (await fetch(new URL('api/national', nationalBoard.url))).json()) as { provinces: { code: string; state: string }[] };
  return Object.fromEntries(o.provinces.map((p) => [p.code, p.state]));
}

async function nationalProvince(code: string): Promise<ApiProvince> {
  const r = await fetch(new URL(`api/provinces/${code}`, nationalBoard.url));
  expect(r.status).toBe(200);
  return (await r.json()) as ApiProvince;
}

beforeAll(async () => {
  need('victoria-metrics', 'victoria-metrics');
  need('prometheus', 'prometheus');
  dir = await mkdtemp(join(tmpdir(), 'national-'));
  const demo = await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname);
  provinces.push(
    { key: 'A', inv: province(demo, 181, '40', 'Tỉnh Nghệ An'), replicas: ['dc1', 'dc2'], prometheus: new Map() },
    { key: 'B', inv: province(demo, 182, '42', 'Tỉnh Hà Tĩnh'), replicas: ['dc1'], prometheus: new Map() },
    { key: 'C', inv: province(demo, 183, '38', 'Tỉnh Thanh Hóa', 1), replicas: ['dc1'], prometheus: new Map() },
  );
  national = {
    version: 1,
    demo: true,
    name: 'Trung tâm giám sát quốc gia (thử nghiệm)',
    timezone: 'Asia/Ho_Chi_Minh',
    dataCenters: [
      {
        id: 'ndc1',
        name: 'Quốc gia',
        dockerHost: 'ssh://ops@ndc1.example.invalid',
        wan: { parent: 'eth1', subnet: '10.250.0.0/24', gateway: '10.250.0.1' },
        addresses: {
          vminsert: '10.250.0.11',
          vmselect: '10.250.0.12',
          vmstorage: ['10.250.0.20'],
          grafana: '10.250.0.13',
          board: '10.250.0.14',
        },
      },
    ],
    store: { retention: '1d' },
    provinces: provinces.map((p) => ({
      code: p.inv.province.code,
      name: p.inv.province.name,
      interval: p.inv.agent.interval,
      prometheus: p.inv.dataCenters.map((d) => `http://${d.monitoring.prometheus}:${PORTS.prometheus}`),
      boards: p.inv.dataCenters.map((d) => `http://${d.monitoring.board}:${PORTS.board}`),
    })),
    images: {},
  };

  // The store, with the national stack's deduplication, latency offset and retention.
  const vm = spawn('victoria-metrics', singleNodeArgs(national, { dataPath: join(dir, 'vm'), listen: VM }), { stdio: 'ignore' });
  children.push(vm);
  await until('VictoriaMetrics', async () => ((await fetch(`${STORE}health`)).ok ? true : undefined), 20_000);

  const tokens = TokenBook.parse(`ttdl: ${TOKEN}\n`);
  for (const p of provinces) {
    const pdir = join(dir, p.key);
    await mkdir(pdir, { recursive: true });
    // The generated files, as the dc stacks ship them: each data center's prometheus.yml, the targets, the rules.
    await writeGeneratedFiles(pdir, [...prometheusFiles(p.inv), ...rulesFiles(p.inv)]);
    for (const u of p.inv.units) for (const s of u.sites) agents.push(await startStandIn(p.inv, s.id));
    const dc1 = p.inv.dataCenters[0]!;
    p.board = await startBoard({
      inventory: p.inv,
      dataDir: join(pdir, 'board'),
      listen: `${dc1.monitoring.board}:${PORTS.board}`,
      tokens,
      refreshMs: REFRESH_MS,
      warn: () => {},
    });
    for (const dcId of p.replicas) startPrometheus(p, dcId);
  }
  nationalBoard = await startNational({ national, store: STORE, listen: '127.0.0.1:0', refreshMs: REFRESH_MS });
}, 60_000);

afterAll(async () => {
  await nationalBoard?.close();
  for (const p of provinces) await p.board?.close();
  for (const c of children) c.kill('SIGKILL');
  for (const a of agents) await a.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the national roll-up (VictoriaMetrics, three provinces, real Prometheus)', () => {
  it("shows each province's units, named, with the states its own rules concluded", async () => {
    // Province A signs every manual item off: its units turn GO; B and C leave theirs unsigned (NO-GO).
    const a = provinces[0]!;
    for (const u of a.board!.board.catalog.units)
      for (const check of u.manualIds) {
        const r = await fetch(new URL('api/signoffs', a.board!.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ unit: u.unit.code, check, who: 'test' }),
        });
        expect(r.status).toBe(201);
      }
    await until(
      'every province on the national board with the states its rules concluded',
      async () => {
        for (const p of provinces) {
          const own = await provinceStates(p);
          const n = await nationalProvince(p.inv.province.code);
          if (n.units.length !== p.inv.units.length) return undefined;
          if (p.key === 'A' && Object.values(own).some((s) => s !== 'go')) return undefined;
          for (const u of p.inv.units) if (!own[u.code] || n.units.find((x) => x.code === u.code)?.state !== own[u.code]) return undefined;
        }
        return true;
      },
      60_000,
    );
    const a40 = await nationalProvince('40');
    expect(a40.province).toMatchObject({ name: 'Tỉnh Nghệ An', state: 'go', silent: false, units: 3 });
    expect(a40.units.map((u) => u.name).sort()).toEqual(a.inv.units.map((u) => u.name).sort());
    const b42 = await nationalProvince('42');
    expect(b42.province.state).toBe('nogo');
    // The item's title travels with the province's board's names: Vietnamese, not the id.
    const failing = b42.units.flatMap((u) => u.failing);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((f) => f.title !== f.check)).toBe(true);
    expect((await nationalProvince('38')).units).toHaveLength(2);
    // The overview lists provinces worst first, then the worst units, in a fixed number of queries.
    const overview = (await (await fetch(new URL('api/national', nationalBoard.url))).json()) as {
      provinces: { code: string; state: string }[];
      worst: { province: string; state: string }[];
      queriesPerRefresh: number;
    };
    expect(overview.provinces.map((p) => p.code)).toEqual(['38', '42', '40']);
    expect(overview.worst.every((u) => u.state !== 'go' && u.province !== '40')).toBe(true);
    expect(overview.queriesPerRefresh).toBe(NationalCore.queriesPerRefresh);
    const before = nationalBoard.core.source.queriesSent;
    await nationalBoard.core.refresh();
    expect(nationalBoard.core.source.queriesSent - before).toBe(NationalCore.queriesPerRefresh);
    const page = await (await fetch(nationalBoard.url)).text();
    expect(page).toContain('national.js');
    // The Grafana overview, run by the store itself, agrees with the board; its worst units are named.
    expect(await grafanaProvinceStates()).toEqual(await boardProvinceStates());
    const worst = await instantQuery(STORE, worstUnitsExpr(national), 3000);
    expect(worst.length).toBeGreaterThan(0);
    expect(worst.every((w) => w.metric.province !== '40' && w.metric.name && w.metric.province_name)).toBe(true);
  }, 90_000);

  it("the page, in a real headless Chromium: provinces by name, then a province's units, then a unit's items, in Vietnamese", async () => {
    need('chromium', 'chromium');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(nationalBoard.url);
      const card = page.locator('#provinces li[data-province="40"]');
      await card.waitFor();
      expect(await card.getAttribute('data-state')).toBe('go');
      expect(await card.locator('.name').textContent()).toBe('Tỉnh Nghệ An');
      expect(await card.locator('.st').textContent()).toBe('ĐẠT');
      expect(await page.locator('#provinces li').count()).toBe(3);
      // The worst units: named, with their failing items by title.
      expect(await page.locator('#worst li').first().locator('.name').textContent()).not.toMatch(/^\d+$/);
      await page.locator('#provinces li[data-province="42"] a').click();
      const units = page.locator('#province li[data-unit]');
      await units.first().waitFor();
      expect(await units.count()).toBe(3);
      expect(await page.locator('#province li[data-unit="16681"] .name').textContent()).toBe('Phường Thành Vinh');
      await page.locator('#province li[data-unit="16681"] a').click();
      const rows = page.locator('#unit tr[data-check]');
      await rows.first().waitFor();
      expect(await page.locator('#unit tr[data-check="staff-trained"] td').first().textContent()).not.toBe('staff-trained');
      expect(await page.locator('#unit h2').textContent()).toContain('Phường Thành Vinh');
    } finally {
      await browser.close();
    }
  }, 60_000);

  it("keeps the pair's two copies as one series: no unit counted twice, every series labelled with its province", async () => {
    const a = provinces[0]!;
    // Both of A's Prometheus are sending to the store.
    for (const dcId of a.replicas) {
      const metrics = await (await fetch(new URL('metrics', prom(a, dcId)))).text();
      const sent = [
        ...metrics.matchAll(/^prometheus_remote_storage_(?:succeeded_)?samples_total\{[^}]*remote_name="national-1"[^}]*\} (\S+)$/gm),
      ];
      expect(sent.length, `${dcId} remote-write counters`).toBeGreaterThan(0);
      expect(Number(sent[0]![1]), `${dcId} samples sent`).toBeGreaterThan(0);
    }
    const counts = await instantQuery(STORE, `count by (province) (${SERIES.unitCode})`, 3000);
    expect(Object.fromEntries(counts.map((s) => [s.metric.province, s.value]))).toEqual({ '40': 3, '42': 3, '38': 2 });
    expect(await instantQuery(STORE, `count({replica!=""})`, 3000)).toEqual([]);
    expect(await instantQuery(STORE, `count({__name__=~".+", province=""})`, 3000)).toEqual([]);
  }, 30_000);

  it('a province whose Prometheus is killed turns UNKNOWN within its window; one that lost half its pair stays fresh', async () => {
    const [a, , c] = provinces as [Province, Province, Province];
    const window = nationalFreshnessSeconds({ interval: c.inv.agent.interval });
    const seenBefore = (await nationalProvince('38')).units.map((u) => u.code).sort();
    await stopPrometheus(a, 'dc2');
    const t0 = Date.now();
    await stopPrometheus(c, 'dc1');
    const silent = await until(
      'province 38 UNKNOWN',
      async () => {
        const n = await nationalProvince('38');
        return n.province.state === 'unknown' && n.province.silent ? n : undefined;
      },
      (window + 15) * 1000,
    );
    const took = (Date.now() - t0) / 1000;
    // Within the window (its last sample was taken before the kill), plus a refresh of the board.
    expect(took).toBeLessThanOrEqual(window + (2 * REFRESH_MS) / 1000 + 1);
    // Its units stay listed, each UNKNOWN, never GO.
    expect(silent.units.map((u) => u.code).sort()).toEqual(seenBefore);
    expect(silent.units.every((u) => u.state === 'unknown')).toBe(true);
    // A still has dc1: fresh, and still GO.
    const a40 = await nationalProvince('40');
    expect(a40.province.silent).toBe(false);
    expect(a40.province.state).toBe('go');
    expect((await nationalProvince('42')).province.silent).toBe(false);
    // The Grafana overview says the same of the silent province (the store still answers with its last samples).
    expect((await grafanaProvinceStates())['38']).toBe('unknown');
    expect(await grafanaProvinceStates()).toEqual(await boardProvinceStates());
  }, 60_000);
});
