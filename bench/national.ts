// Benchmark of the national roll-up: the whole country through remote-write into Debian's
// single-node VictoriaMetrics (the cluster's write and query API), then the national overview.
//
//   npx tsx bench/national.ts                      # --send all: every series a province's Prometheus holds
//   npx tsx bench/national.ts --send rollup        # what provinces send by default (national.send: rollup)
//   npx tsx bench/national.ts --rounds 20 --replicas 2
//
// 1. The series of one unit, for real (bench/national-capture.ts): a one-unit province with four
//    real site agents, its boards, blackbox exporters and Prometheus pair with the generated
//    configuration and rules. Its series are the template of every unit of the country.
// 2. The country: the 34 provinces and 3,321 units of the official table, each unit four sites
//    (13,284 agents, the headquarters with a backup link), every series of the template with the
//    unit's code, sites, addresses and name, and `province`; per province, the province's series.
// 3. `--rounds` rounds of the country's interval (30 s, the template's) sent as fast as the store
//    takes them, each series once per replica of the pair (`replica` dropped, as the generated
//    write relabelling does; the store's deduplication keeps one), ending now. Measured: samples
//    per second ingested, the store's CPU per million samples, its memory, its disk after a forced
//    merge (deduplication applied), extrapolated to a day at the country's real rate.
// 4. The national overview on that store: the national board's refresh (its six queries) and the
//    page's JSON, and the Grafana overview's province and worst-unit queries.
// Not run in CI. Loopback only. Needs victoria-metrics, prometheus, prometheus-blackbox-exporter.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NATIONAL_SERIES, type NationalInventory } from '../inventory/index.ts';
import { parseNsoCsv } from '../inventory/nso.ts';
import { provinceStateExpr, startNational, worstUnitsExpr, NationalCore } from '../dashboards/index.ts';
import { instantQuery } from '../dashboards/board/prom-client-http.ts';
import { singleNodeArgs } from '../stacks/index.ts';
import { captureUnitSeries, type CapturedSeries } from './national-capture.ts';
import { encodeLabels, postWrite, WriteRequestBuilder } from './remote-write.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : d;
};
const SEND = arg('--send', 'all') as 'all' | 'rollup';
// Enough rounds for the store's blocks to compress as they would over a day (an hour of the roll-up; ten minutes of everything).
const ROUNDS = Number(arg('--rounds', SEND === 'rollup' ? '120' : '20'));
const REPLICAS = Number(arg('--replicas', '2'));
const INTERVAL_S = 30;
const VM = '127.191.0.1:8428';
const BATCH = 20_000;
const IN_FLIGHT = 4;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

type Kind = 'constant' | 'counter' | 'jitter' | 'clock';
function kindOf(name: string): Kind {
  if (/_(total|count|sum|bucket)$/.test(name)) return 'counter';
  if (/timestamp|_time_seconds$|uptime/.test(name)) return 'clock';
  if (/duration|rtt|_seconds$|loss|load1|available|free/.test(name)) return 'jitter';
  return 'constant';
}

interface Series {
  labels: Buffer;
  value: number;
  kind: Kind;
}

/** Every series of the country from the captured templates. */
function country(
  cap: Awaited<ReturnType<typeof captureUnitSeries>>,
  send: 'all' | 'rollup',
): { series: Series[]; provinces: { code: string; name: string; units: number }[]; unitsTotal: number } {
  const csv = join(root, '../shared/data/nso-dvhc-2025-07.csv');
  const table = parseNsoCsv(readFileSync(csv, 'utf8'), csv);
  const keep = (s: CapturedSeries) => send === 'all' || NATIONAL_SERIES.includes(s.labels.__name__!);
  const perUnit = cap.perUnit.filter(keep);
  const perProvince = cap.perProvince.filter(keep);
  const series: Series[] = [];
  const add = (labels: Record<string, string>, value: number) =>
    series.push({ labels: encodeLabels(labels), value, kind: kindOf(labels.__name__!) });
  const t = cap.tokens;
  // Longest first, so an address is never rewritten through a shorter one it contains.
  const tokens = [...t.addresses, ...t.sites].sort((a, b) => b.length - a.length);
  table.provinces.forEach((p, pi) => {
    for (const s of perProvince) add({ ...s.labels, province: p.code }, s.value);
    p.units.forEach((u, ui) => {
      const repl = new Map<string, string>([[t.code, u.code]]);
      t.sites.forEach((s, k) => repl.set(s, `${u.code}-s${k}`));
      t.addresses.forEach((a, k) => repl.set(a, `10.${pi}.${ui >> 6}.${((ui & 63) << 2) + (k & 3)}${k >= 4 ? `-${k}` : ''}`));
      for (const s of perUnit) {
        const labels: Record<string, string> = { province: p.code };
        for (const [k, v] of Object.entries(s.labels)) {
          let out = v === t.name ? u.name : v;
          for (const tok of tokens) if (out.includes(tok)) out = out.split(tok).join(repl.get(tok)!);
          if (out === t.code) out = u.code;
          labels[k] = out;
        }
        add(labels, s.value);
      }
    });
  });
  return {
    series,
    provinces: table.provinces.map((p) => ({ code: p.code, name: p.name, units: p.units.length })),
    unitsTotal: table.provinces.reduce((n, p) => n + p.units.length, 0),
  };
}

function valueAt(s: Series, round: number, i: number, tsMs: number): number {
  switch (s.kind) {
    case 'counter':
      return s.value + round * (1 + (i % 7));
    case 'clock':
      return tsMs / 1000;
    case 'jitter':
      return s.value * (0.8 + 0.4 * Math.random());
    default:
      return s.value;
  }
}

function procStat(pid: number): { cpuS: number; rss: number; hwm: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuS: (Number(stat[11]) + Number(stat[12])) / 100, rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function du(path: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    if (e.isDirectory()) total += await du(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** Sends rounds `from`…`to - 1` of the country, round r at `startMs + r × interval`. */
async function sendRounds(series: Series[], from: number, to: number, replicas: number, startMs: number): Promise<number> {
  const url = `http://${VM}/api/v1/write`;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const flush = async (b: WriteRequestBuilder) => {
    sent += b.count;
    const p = postWrite(url, b.take()).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  const b = new WriteRequestBuilder();
  for (let r = from; r < to; r++) {
    const base = startMs + r * INTERVAL_S * 1000;
    for (let rep = 0; rep < replicas; rep++) {
      // The pair's Prometheus evaluate at their own moments: the second replica 11 s after the first.
      const offset = rep * 11_000 - (replicas - 1) * 11_000;
      for (let i = 0; i < series.length; i++) {
        const s = series[i]!;
        // Targets are scraped at their own offsets across the interval.
        const ts = base + offset - (i % 29) * 1000;
        b.add(s.labels, valueAt(s, r, i, ts), ts);
        if (b.count >= BATCH) await flush(b);
      }
    }
  }
  if (b.count) await flush(b);
  await Promise.all(inFlight);
  return sent;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-national-'));
  try {
    const t0 = performance.now();
    const cap = await captureUnitSeries(join(dir, 'capture'), console.log);
    const agentCounts = Object.entries(cap.agentSeries);
    console.log(
      `the agent's real series (one /metrics scrape): ${agentCounts.map(([s, n]) => `${s} ${n}`).join(', ')} (captured in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    const rollup = (l: CapturedSeries[]) => l.filter((s) => NATIONAL_SERIES.includes(s.labels.__name__!)).length;
    console.log(
      `one unit (4 sites, 5 agent addresses) in its province's Prometheus: ${cap.perUnit.length} series (${rollup(cap.perUnit)} of them the roll-up); the province's own: ${cap.perProvince.length} (${rollup(cap.perProvince)})`,
    );

    const c = country(cap, SEND);
    const seriesCount = c.series.length;
    const ratePerReplica = seriesCount / INTERVAL_S;
    console.log(
      `\nthe country, --send ${SEND}: ${c.provinces.length} provinces, ${fmt(c.unitsTotal)} units, ${fmt(c.unitsTotal * 4)} agents; ${fmt(seriesCount)} series; ` +
        `${fmt(ratePerReplica)} samples/s per replica, ${fmt(ratePerReplica * REPLICAS)} samples/s into each national store with the pair (${REPLICAS} replicas)`,
    );

    const national: NationalInventory = {
      version: 1,
      demo: true,
      name: 'bench',
      timezone: 'Asia/Ho_Chi_Minh',
      dataCenters: [],
      store: { retention: '1y' },
      images: {},
      provinces: c.provinces.map((p) => ({
        code: p.code,
        name: p.name,
        interval: `${INTERVAL_S}s`,
        prometheus: ['http://127.0.0.1:9090'],
        boards: [],
      })),
    };
    const vmDir = join(dir, 'vm');
    const vm = spawn('victoria-metrics', singleNodeArgs(national, { dataPath: vmDir, listen: VM }), { stdio: 'ignore' });
    try {
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`http://${VM}/health`)).ok) break;
        } catch {
          /* starting */
        }
        if (i > 80) throw new Error('victoria-metrics did not start');
        await new Promise((r) => setTimeout(r, 250));
      }
      // Rounds end one interval before now; a last round at now follows for the overview.
      const startMs = Date.now() - ROUNDS * INTERVAL_S * 1000;
      const first = procStat(vm.pid!);
      const tFirst = performance.now();
      const created = await sendRounds(c.series, 0, 1, REPLICAS, startMs);
      const firstWall = (performance.now() - tFirst) / 1000;
      const before = procStat(vm.pid!);
      console.log(
        `\nfirst round (every series new to the store): ${fmt(created)} samples in ${firstWall.toFixed(1)} s, store CPU ${(before.cpuS - first.cpuS).toFixed(1)} s`,
      );
      const benchCpu = process.cpuUsage();
      const tIngest = performance.now();
      const sent = await sendRounds(c.series, 1, ROUNDS, REPLICAS, startMs);
      const wall = (performance.now() - tIngest) / 1000;
      const after = procStat(vm.pid!);
      const own = process.cpuUsage(benchCpu);
      const vmCpu = after.cpuS - before.cpuS;
      console.log(
        `ingest, the ${ROUNDS - 1} rounds after: ${fmt(sent)} samples (${INTERVAL_S} s apart × ${REPLICAS} replicas) in ${wall.toFixed(1)} s wall: ${fmt(sent / wall)} samples/s, ` +
          `${(((ROUNDS - 1) * INTERVAL_S) / wall).toFixed(1)}x the country's real time; store CPU ${vmCpu.toFixed(1)} s = ${(vmCpu / (sent / 1e6)).toFixed(2)} CPU s per million samples ` +
          `(${fmt(sent / vmCpu)} samples/s per core); the generator's own CPU ${((own.user + own.system) / 1e6).toFixed(1)} s on the same 2 cores`,
      );
      const realCores = (ratePerReplica * REPLICAS * vmCpu) / sent;
      console.log(`  at the country's real rate the store would use ${(realCores * 100).toFixed(1)} % of one core for ingestion`);
      console.log(`  store memory: RSS ${mb(after.rss)}, peak ${mb(after.hwm)}`);

      // A last round at "now" for the overview, then the disk after deduplication and merge.
      await sendRounds(c.series, 0, 1, REPLICAS, Date.now());
      await fetch(`http://${VM}/internal/force_flush`);
      const month = new Date().toISOString().slice(0, 7).replace('-', '_');
      await fetch(`http://${VM}/internal/force_merge?partition_prefix=${month}`);
      for (let i = 0; i < 600; i++) {
        const m = await (await fetch(`http://${VM}/metrics`)).text();
        const active = [...m.matchAll(/^vm_active_merges\{[^}]*\} (\d+)/gm)].reduce((n, x) => n + Number(x[1]), 0);
        if (active === 0 && i > 4) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const dataBytes = await du(join(vmDir, 'data'));
      const indexBytes = await du(join(vmDir, 'indexdb'));
      const stored = seriesCount * (ROUNDS + 1);
      const perSample = dataBytes / stored;
      const perDaySamples = seriesCount * (86400 / INTERVAL_S);
      console.log(
        `  disk after the merge: data ${mb(dataBytes)} for ${fmt(stored)} samples kept (${perSample.toFixed(2)} bytes each, deduplicated), index ${mb(indexBytes)}`,
      );
      console.log(
        `  per day at the real rate: ${fmt(perDaySamples)} samples kept (${fmt(perDaySamples * REPLICAS)} ingested) ≈ ${mb(perDaySamples * perSample)} of data + ~${mb(indexBytes)} of index (per-day index of ${fmt(seriesCount)} active series); ` +
          `memory ≈ RSS above (${fmt(seriesCount)} active series)`,
      );
      const mem = procStat(vm.pid!);
      console.log(`  store memory after merge: RSS ${mb(mem.rss)}, peak ${mb(mem.hwm)}`);

      // The national overview on the whole country.
      const board = await startNational({ national, store: `http://${VM}/`, listen: '127.0.0.1:0', refreshMs: 3_600_000 });
      try {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          await board.core.refresh();
          times.push(performance.now() - t);
        }
        const tReq = performance.now();
        const body = await (await fetch(new URL('api/national', board.url))).text();
        const reqMs = performance.now() - tReq;
        const o = JSON.parse(body) as { provinces: { state: string; units: number }[]; worstTotal: number };
        const states: Record<string, number> = {};
        for (const p of o.provinces) states[p.state] = (states[p.state] ?? 0) + 1;
        console.log(
          `\nnational board on the whole country: ${NationalCore.queriesPerRefresh} queries per refresh; refresh (queries + evaluation) ${times.map((x) => x.toFixed(0)).join(', ')} ms; ` +
            `GET /api/national ${reqMs.toFixed(1)} ms (${(body.length / 1024).toFixed(0)} KiB); ${o.provinces.reduce((n, p) => n + p.units, 0)} units listed, provinces ${JSON.stringify(states)}, ${o.worstTotal} units not GO`,
        );
        const tp = performance.now();
        await (await fetch(new URL('api/provinces/01', board.url))).text();
        console.log(`  one province's page (Hà Nội): ${(performance.now() - tp).toFixed(1)} ms`);
        for (const [what, expr] of [
          ['province states', provinceStateExpr(national)],
          ['worst units', worstUnitsExpr(national)],
        ] as const) {
          const tq = performance.now();
          const r = await instantQuery(`http://${VM}/`, expr, 60_000);
          console.log(`  Grafana overview, ${what}: ${(performance.now() - tq).toFixed(0)} ms (${r.length} rows)`);
        }
      } finally {
        await board.close();
      }
    } finally {
      vm.kill('SIGINT');
      await new Promise((r) => vm.once('exit', r));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
