// Benchmark of the week report at province scale: a week of N units (default 130, Nghệ An's
// count), one sample a minute of each unit's state code and of five items' NO-GO (their GO every
// ten minutes: the report reads only NO-GO ones), a shared-cause
// incident a day, backfilled with promtool into a real Prometheus on loopback; then the report as
// the board and `sansang report` make it (three range queries, the arithmetic, the page and the
// CSV), timed, with the bytes Prometheus answered.
//
//   node --expose-gc --import tsx bench/week-report.ts [--units 130] [--runs 3] [--keep DIR]
//   (--keep: the TSDB stays in DIR and is used again next time, without the backfill)
//
// Not run in CI (the backfill alone takes tens of seconds). No peer project makes this report.
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInventoryFile, SERIES, type Inventory } from '../inventory/index.ts';
import { syntheticInventory } from '../dashboards/board/testing.ts';
import { computeFigures, parsePeriod, REPORT_QUERIES, weekReport } from '../dashboards/report/index.ts';
import { CHUNK_POINTS, fetchReportInput } from '../dashboards/report/fetch.ts';
import { startPrometheus } from '../test/support/monitoring.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('--units', 130);
const RUNS = arg('--runs', 3);
const KEEP = process.argv.includes('--keep') ? process.argv[process.argv.indexOf('--keep') + 1] : undefined;
const CHECKS = ['wan-primary', 'reach-lgsp', 'dns', 'clock', 'agent-up'];
const WEEK_START = Date.parse('2025-07-01T00:00:00+07:00');
const MINUTES = 7 * 1440;

/** A small deterministic generator, so two runs measure the same history. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

async function main(): Promise<void> {
  const demo = await loadInventoryFile(join(root, 'inventory/examples/demo.yaml'));
  const inv = syntheticInventory(demo, N, 1);
  const dir = KEEP ?? (await mkdtemp(join(tmpdir(), 'bench-week-')));
  if (!existsSync(join(dir, 'tsdb'))) await backfill(inv, dir);
  else process.stdout.write(`using the TSDB in ${dir}\n`);
  await writeFile(join(dir, 'prometheus.yml'), 'global: {}\n');
  const prom = await startPrometheus(join(dir, 'prometheus.yml'), join(dir, 'tsdb'), [
    '--storage.tsdb.retention.time=100y',
    '--query.lookback-delta=30s',
  ]);
  try {
    const period = parsePeriod({ from: '2025-07-01', to: '2025-07-07' }, inv.province.timezone);
    // The bytes Prometheus answers, per query.
    for (const [k, q] of Object.entries(REPORT_QUERIES)) {
      const u = new URL('api/v1/query_range', `${prom.url}/`);
      u.search = new URLSearchParams({
        query: q,
        start: String(period.fromMs / 1000),
        end: String((period.toMs - 60_000) / 1000),
        step: '60',
      }).toString();
      const a = performance.now();
      const body = await (await fetch(u, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer();
      process.stdout.write(`  ${k}: ${(body.byteLength / 1024).toFixed(0)} KiB in ${((performance.now() - a) / 1000).toFixed(2)} s\n`);
    }
    const grid = { fromMs: period.fromMs, toMs: period.toMs, stepMs: period.stepMs };
    // Peak heap while a report is fetched, sampled every 10 ms.
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 10);
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
    for (const chunkPoints of [CHUNK_POINTS, 10_000])
      for (let i = 0; i < RUNS; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        peak = process.memoryUsage().heapUsed;
        const base = peak;
        const a = performance.now();
        const input = await fetchReportInput({ prometheus: prom.url, grid, units: inv.units.map((u) => u.code), acks: [], chunkPoints });
        const b = performance.now();
        const figures = computeFigures(input);
        const c = performance.now();
        process.stdout.write(
          `${chunkPoints} samples a query, run ${i + 1}: fetch ${((b - a) / 1000).toFixed(2)} s, figures ${((c - b) / 1000).toFixed(2)} s, heap peak +${mb(peak - base)}; ${figures.incidents.length} incidents\n`,
        );
      }
    clearInterval(sampler);
    const a = performance.now();
    const r = await weekReport({ inventory: inv, prometheus: prom.url, period, acks: [] });
    const html = r.html('vi');
    const csv = r.csv('vi');
    process.stdout.write(
      `whole report: ${((performance.now() - a) / 1000).toFixed(2)} s; page ${(html.length / 1024).toFixed(0)} KiB, CSV ${(csv.length / 1024).toFixed(0)} KiB\n`,
    );
  } finally {
    await prom.stop();
    if (!KEEP) await rm(dir, { recursive: true, force: true });
  }
}

async function backfill(inv: Inventory, dir: string): Promise<void> {
  const file = join(dir, 'history.om');
  const out = createWriteStream(file);
  const write = (s: string) => {
    if (!out.write(s)) return new Promise<void>((r) => out.once('drain', () => r()));
    return undefined;
  };
  const ts = (m: number) => (WEEK_START + m * 60_000) / 1000;
  // Per unit: a few faults of 5–120 min on random items; every day 09:00–10:00 LGSP fails everywhere.
  const random = rng(42);
  const faults = new Map(
    inv.units.map((u) => [
      u.code,
      Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
        const from = Math.floor(random() * (MINUTES - 200));
        return { from, to: from + 5 + Math.floor(random() * 115), check: CHECKS[Math.floor(random() * 4)]! };
      }),
    ]),
  );
  const incident = (m: number) => m % 1440 >= 540 && m % 1440 < 600;
  const itemCode = (unit: string, check: string, m: number) =>
    (check === 'reach-lgsp' && incident(m)) || faults.get(unit)!.some((f) => f.check === check && m >= f.from && m < f.to) ? 2 : 0;
  let lines = 0;
  const t0 = performance.now();
  await write(`# TYPE ${SERIES.unitCode} gauge\n`);
  for (const u of inv.units) {
    let chunk = '';
    for (let m = 0; m < MINUTES; m++)
      chunk += `${SERIES.unitCode}{unit="${u.code}"} ${CHECKS.some((c) => itemCode(u.code, c, m) === 2) ? 2 : 0} ${ts(m)}\n`;
    lines += MINUTES;
    await write(chunk);
  }
  await write(`# TYPE ${SERIES.unitCheckCode} gauge\n`);
  for (const u of inv.units)
    for (const c of CHECKS) {
      let chunk = '';
      for (let m = 0; m < MINUTES; m++) {
        // GO samples every 10 minutes (the report reads only NO-GO ones), NO-GO every minute.
        const code = itemCode(u.code, c, m);
        if (code === 0 && m % 10 !== 0) continue;
        chunk += `${SERIES.unitCheckCode}{unit="${u.code}",check="${c}"} ${code} ${ts(m)}\n`;
        lines++;
      }
      await write(chunk);
    }
  await write(`# TYPE ${SERIES.checkIncident} gauge\n`);
  for (let m = 0; m < MINUTES; m++) if (incident(m)) await write(`${SERIES.checkIncident}{check="reach-lgsp"} ${N} ${ts(m)}\n`);
  await write('# EOF\n');
  await new Promise<void>((r) => out.end(() => r()));
  process.stdout.write(
    `history: ${N} units, ${lines.toLocaleString('en')} samples, written in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  const t1 = performance.now();
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, join(dir, 'tsdb')]);
  process.stdout.write(`backfill (promtool): ${((performance.now() - t1) / 1000).toFixed(1)} s\n`);
}

await main();
