// Benchmark of the board at national scale: 3,321 units (the real names and merges of the
// official table), three sites each (the headquarters with a backup link), every default item.
//
//   npx tsx bench/board.ts            # embedded mode against 13,284 simulated agents, then Prometheus mode
//   npx tsx bench/board.ts --units 500
//   node --expose-gc --import tsx bench/board.ts   # memory figures after a forced GC
//
// Embedded mode: a child process serves a valid /status on every site's loopback address
// (127.100.0.0 on); the board polls them all over HTTP, evaluates, and serves the overview.
// Prometheus mode: the board against pre-baked answers of Prometheus' query API with as many
// series as the rules would produce (a stand-in for Prometheus itself: what is measured is the
// board's part, and that the number of queries per refresh does not depend on the units).
// Figure: time from the request to a complete overview (GET /api/state with every unit), and
// memory. Not run in CI. No peer project does this job, so there is no peer figure to print.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImport } from '../inventory/importer.ts';
import { parseNsoCsv } from '../inventory/nso.ts';
import { BOARD_METRICS, FOREIGN_METRICS, JOBS, loadInventoryFile, SERIES, Unit as UnitSchema, type Inventory } from '../inventory/index.ts';
import { startBoard, PROMETHEUS_QUERIES } from '../dashboards/index.ts';
import { quickCentralFor, standInDocument, syntheticInventory, type UnitSeed } from '../dashboards/board/testing.ts';
import { newEntryId } from '../dashboards/board/store.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

async function nationalInventory(limit?: number): Promise<Inventory> {
  const demo = await loadInventoryFile(join(root, 'inventory/examples/demo.yaml'));
  const csvFile = join(root, '../shared/data/nso-dvhc-2025-07.csv');
  const table = parseNsoCsv(readFileSync(csvFile, 'utf8'), csvFile);
  const seeds: UnitSeed[] = table.provinces.flatMap((p) =>
    (buildImport(p, {}).inventory.units ?? []).map((u) =>
      UnitSchema.parse({
        ...u,
        sites: [{ id: 'x', name: 'x', links: { primary: { kind: 'wan', address: '127.0.0.1', gateway: '127.0.0.1' } } }],
      }),
    ),
  );
  const n = limit ?? seeds.length;
  // Central items need to hold for 1 s rather than 1-2 min, so the second refresh can show GO.
  return quickCentralFor(syntheticInventory(demo, n, 3, 100, seeds.slice(0, n)), 1);
}

// ---------------------------------------------------------------- child: the simulated agents

async function serveAgents(units: number | undefined): Promise<void> {
  const inv = await nationalInventory(units);
  const handlers: { template: string; marker: string }[] = [];
  const servers: Server[] = [];
  for (const u of inv.units)
    for (const s of u.sites) {
      const doc = standInDocument(inv, s.id);
      const h = { template: JSON.stringify(doc), marker: doc.agent.now };
      handlers.push(h);
      const server = createServer((req, res) => {
        // The document's times are the moment of the answer, as a live agent's would be.
        const body = h.template.split(h.marker).join(new Date().toISOString());
        res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(body);
      });
      for (const address of [s.links.primary.address, ...(s.links.backup ? [s.links.backup.address] : [])]) {
        const srv =
          address === s.links.primary.address ? server : createServer(server.listeners('request')[0] as Parameters<typeof createServer>[0]);
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(s.agentPort, address, () => resolve());
        });
        servers.push(srv);
      }
    }
  process.send!({ ready: servers.length });
}

// ---------------------------------------------------------------- parent: the board

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function timeOverview(url: string, rounds = 5): Promise<{ times: number[]; bytes: number; units: number }> {
  const times: number[] = [];
  let bytes = 0;
  let units = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const r = await fetch(new URL('api/state', url), { headers: { 'cache-control': 'no-cache' } });
    const text = await r.text();
    const body = JSON.parse(text) as { units: unknown[] };
    times.push(performance.now() - t0);
    bytes = Buffer.byteLength(text);
    units = body.units.length;
  }
  return { times, bytes, units };
}

function memory(): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  return `rss ${mb(m.rss)}, heap ${mb(m.heapUsed)} ${gc ? '(after GC)' : '(no GC forced: run with node --expose-gc --import tsx)'}`;
}

async function main(): Promise<void> {
  const units = arg('--units') ? Number(arg('--units')) : undefined;
  if (process.argv.includes('--serve-agents')) return serveAgents(units);

  const t0 = performance.now();
  const inv = await nationalInventory(units);
  const sites = inv.units.reduce((n, u) => n + u.sites.length, 0);
  const links = inv.units.reduce((n, u) => n + u.sites.reduce((m, s) => m + (s.links.backup ? 2 : 1), 0), 0);
  console.log(`inventory: ${inv.units.length} units, ${sites} sites, ${links} agent addresses (built in ${ms(performance.now() - t0)})`);
  const dir = await mkdtemp(join(tmpdir(), 'bench-board-'));
  const baseline = process.memoryUsage().rss;

  // ---- embedded mode
  const child = fork(fileURLToPath(import.meta.url), ['--serve-agents', ...(units ? ['--units', String(units)] : [])], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const listening = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { ready: number }).ready));
    child.once('exit', (c) => reject(new Error(`the simulated agents exited (${c})`)));
  });
  console.log(`simulated agents: ${listening} listeners in a child process`);
  try {
    const tStart = performance.now();
    const board = await startBoard({
      inventory: inv,
      dataDir: join(dir, 'embedded'),
      listen: '127.0.0.1:0',
      refreshMs: 3_600_000,
      warn: () => {},
    });
    const startMs = performance.now() - tStart;
    // Nine units in ten have their manual items signed off (one batch, one fsync), so the states say something.
    const at = new Date().toISOString();
    await board.board.log.append(
      board.board.catalog.units
        .filter((_, i) => i % 10 !== 0)
        .flatMap((cu) =>
          cu.manualIds.map((check) => ({
            id: newEntryId(),
            type: 'signoff' as const,
            unit: cu.unit.code,
            check,
            signed: true,
            who: 'bench',
            team: 'bench',
            note: '',
            at,
            origin: 'bench',
          })),
        ),
    );
    const expected = (await (await fetch(new URL('metrics', board.url))).text())
      .split('\n')
      .filter((l) => l.startsWith(`${BOARD_METRICS.checkExpected}{`)).length;
    console.log(`\nembedded mode (${inv.units.length} units, ${expected} ${BOARD_METRICS.checkExpected} series):`);
    console.log(`  first poll of every agent + evaluation: ${ms(startMs)} (poll ${ms(board.board.lastRefreshMs)})`);
    const tPoll = performance.now();
    const cpu = process.cpuUsage();
    await board.board.refresh();
    const used = process.cpuUsage(cpu);
    console.log(
      `  a second full refresh (poll + evaluate): ${ms(performance.now() - tPoll)}, of which the board's own CPU ${ms((used.user + used.system) / 1000)} (the rest: the simulated agents, on the same cores)`,
    );
    const ev = board.board.current;
    console.log(
      `  states: ${JSON.stringify(board.board.counts())} (one unit in ten left with its manual items unsigned); units whose agent-up is not GO: ${ev.units.filter((u) => u.items.some((i) => i.check === 'agent-up' && i.state !== 'go')).length}`,
    );
    const tEval = performance.now();
    board.board.reevaluate();
    console.log(`  evaluation alone: ${ms(performance.now() - tEval)}`);
    const o = await timeOverview(board.url);
    console.log(
      `  request -> complete overview (${o.units} units, ${(o.bytes / 1024).toFixed(0)} KiB): first ${ms(o.times[0]!)}, then ${o.times.slice(1).map(ms).join(', ')}`,
    );
    const tu = performance.now();
    await (await fetch(new URL(`api/units/${inv.units[0]!.code}`, board.url))).json();
    console.log(`  one unit page: ${ms(performance.now() - tu)}`);
    console.log(`  memory of the board process: ${memory()} (before the board: rss ${mb(baseline)})`);
    await board.close();
  } finally {
    child.kill('SIGKILL');
  }

  // ---- Prometheus mode, against pre-baked answers of the query API
  const vectors = prebaked(inv);
  let queries = 0;
  const prom = createServer((req, res) => {
    queries++;
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    const key = (Object.keys(PROMETHEUS_QUERIES) as (keyof typeof PROMETHEUS_QUERIES)[]).find((k) => PROMETHEUS_QUERIES[k] === q);
    res.writeHead(200, { 'content-type': 'application/json' }).end(key ? vectors[key] : '{"status":"error","error":"unknown query"}');
  });
  await new Promise<void>((r) => prom.listen(0, '127.0.0.1', () => r()));
  const promUrl = `http://127.0.0.1:${(prom.address() as { port: number }).port}/`;
  const series = Object.values(vectors).reduce((n, v) => n + (v.match(/"metric"/g)?.length ?? 0), 0);
  const board = await startBoard({
    inventory: inv,
    dataDir: join(dir, 'prom'),
    listen: '127.0.0.1:0',
    prometheus: promUrl,
    refreshMs: 3_600_000,
    warn: () => {},
  });
  const q0 = queries;
  const tr = performance.now();
  await board.board.refresh();
  console.log(`\nPrometheus mode (pre-baked query answers, ${series} series in ${Object.keys(PROMETHEUS_QUERIES).length} queries):`);
  console.log(`  one refresh (queries + evaluation): ${ms(performance.now() - tr)}, ${queries - q0} queries for ${inv.units.length} units`);
  console.log(`  states: ${JSON.stringify(board.board.counts())}`);
  const o = await timeOverview(board.url);
  console.log(`  request -> complete overview (${o.units} units): first ${ms(o.times[0]!)}, then ${o.times.slice(1).map(ms).join(', ')}`);
  console.log(`  memory: ${memory()}`);
  await board.close();
  prom.close();
  await rm(dir, { recursive: true, force: true });
}

/** What Prometheus would answer with the rules loaded: every unit and item GO but a few. */
function prebaked(inv: Inventory): Record<keyof typeof PROMETHEUS_QUERIES, string> {
  const vec = (rows: Record<string, string>[], value = '1') =>
    JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: rows.map((metric) => ({ metric, value: [Date.now() / 1000, value] })) },
    });
  const unitRows: Record<string, string>[] = [];
  const checkRows: Record<string, string>[] = [];
  const siteRows: Record<string, string>[] = [];
  const upRows: Record<string, string>[] = [];
  for (const [n, u] of inv.units.entries()) {
    const state = n % 17 === 0 ? 'nogo' : 'go';
    unitRows.push({ __name__: SERIES.unitState, unit: u.code, state });
    for (const check of [
      'agent-up',
      'wan-primary',
      'wan-backup',
      'reach-public-service-portal',
      'reach-lgsp',
      'reach-document-management',
      'reach-email',
      'reach-video-conference',
      'dns',
      'packet-loss',
      'latency',
      'clock',
      'disk-space',
      'signature-devices',
      'staff-trained',
      'records-handed-over',
      'failover-drill',
    ])
      checkRows.push({ __name__: SERIES.unitCheckState, unit: u.code, check, state: check === 'dns' ? state : 'go' });
    for (const s of u.sites) {
      for (const check of ['wan-primary', 'dns', 'packet-loss', 'latency', 'disk-space'])
        siteRows.push({ __name__: SERIES.siteCode, unit: u.code, site: s.id, check, blocking: 'true' });
      upRows.push({ __name__: FOREIGN_METRICS.up, job: JOBS.agent, unit: u.code, site: s.id, scrape_link: 'primary' });
      if (s.links.backup) upRows.push({ __name__: FOREIGN_METRICS.up, job: JOBS.agent, unit: u.code, site: s.id, scrape_link: 'backup' });
    }
  }
  return { unit: vec(unitRows), unitCheck: vec(checkRows), siteCheck: vec(siteRows, '0'), up: vec(upRows) };
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
