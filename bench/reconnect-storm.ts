// A reconnect storm: the data center comes back after an outage and thousands of sites push their
// backlog at once. 13,000 sites (default), each with its own push token and a backlog of
// remote-write batches queued on disk during the outage, run the agent's real queues and senders
// (agents/push/spool.ts, sender.ts; a few site processes carry them all) against the real board
// push receivers, one per data center as the province has, each forwarding to its data center's
// real Prometheus (Debian's, --web.enable-remote-write-receiver). All on loopback, inside a fresh
// network namespace holding only `lo`. Two variants in the same run, so the ratio holds on a noisy
// machine:
//   peer  every client retries every second, no jitter, Retry-After taken as it comes; the
//         boards admit everything (no limit in flight, no waiting line, never 429)
//   ours  the agent's sender (full jitter doubling to a minute; Retry-After honoured with
//         jitter) against the boards' admission (16 in flight, 256 waiting at most 5 s each,
//         then 429 with a Retry-After spread over 1–5 s)
// Each variant: both Prometheus started; the sites write their backlog; the outage (`--outage`
// seconds: the boards are down, every sender fails and backs off as it would); then the boards
// start, and the storm is timed from the moment the first answers until every site's backlog is
// in both Prometheus, or `--timeout`. Measured: time until every site is admitted and its backlog
// delivered, peak RSS (VmHWM) and CPU (utime + stime from the storm's start) of each board and
// each Prometheus, answers by status, retries, and what each Prometheus holds per site against
// what was queued.
//
//   npm run bench:reconnect-storm -- [--sites 13000] [--series 10] [--batches 4] [--outage 30]
//       [--boards 2] [--workers 2] [--variants peer,ours] [--timeout 600]
//
// Needs root (the namespace), util-linux (unshare), iproute2 and prometheus (Debian packages).
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BOARD_METRICS, JOBS, loadInventoryFile } from '../inventory/index.ts';
import { freePort } from '../dashboards/board/testing.ts';
import { startPrometheus, type Running } from '../test/support/monitoring.ts';
import type { StormCounts } from '../agents/test-support/push-storm.ts';

const repo = resolve(import.meta.dirname, '..');
const DEMO = join(repo, 'inventory/examples/demo.yaml');
const PROMETHEUS = '/usr/bin/prometheus';
const INTERVAL_MS = 15_000;
const JOB = JOBS.agent;

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    sites: { type: 'string', default: '13000' },
    series: { type: 'string', default: '10' },
    // A minute's ticks (15 s) each: 20 (five minutes) make the site processes, not the boards,
    // the bottleneck here (each attempt reads every queued file; see bench/README.md).
    batches: { type: 'string', default: '4' },
    outage: { type: 'string', default: '30' },
    boards: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    variants: { type: 'string', default: 'peer,ours' },
    timeout: { type: 'string', default: '600' },
    'max-in-flight': { type: 'string', default: '16' },
    'max-queued': { type: 'string', default: '256' },
    // The board role's own.
    port: { type: 'string' },
    prometheus: { type: 'string' },
    dc: { type: 'string' },
    'data-dir': { type: 'string' },
    variant: { type: 'string' },
  },
});
const whole = (name: keyof typeof args, min: number, max: number): number => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} expects a whole number from ${min} to ${max}, not "${args[name]}"`);
  return n;
};

function fail(msg: string): never {
  process.stderr.write(`bench/reconnect-storm: ${msg}\n`);
  process.exit(1);
}

type Variant = 'peer' | 'ours';

// ---------------------------------------------------------------- a board (child process)

async function boardRole(): Promise<void> {
  const { startBoard } = await import('../dashboards/board/index.ts');
  const { STORM_SECRET, stormInventory } = await import('../agents/test-support/push-storm.ts');
  const inventory = stormInventory(await loadInventoryFile(DEMO), whole('sites', 1, 60_000));
  const peer = args.variant === 'peer';
  const running = await startBoard({
    inventory,
    dataDir: args['data-dir']!,
    listen: { host: '127.0.0.1', port: Number(args.port) },
    prometheus: args.prometheus!,
    datacenter: args.dc!,
    warn: () => {},
    push: {
      secret: STORM_SECRET,
      writeUrl: `${args.prometheus}/api/v1/write`,
      // The peer: no admission at all.
      maxInFlight: peer ? 1_000_000_000 : whole('max-in-flight', 1, 100_000),
      maxQueued: peer ? 0 : whole('max-queued', 0, 1_000_000),
    },
  });
  process.send!({ type: 'up', ms: Date.now() });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') void running.close().then(() => process.exit(0));
  });
}

// ---------------------------------------------------------------- a site process (child process)

interface WorkerStart {
  type: 'start';
  from: number;
  to: number;
  receivers: string[];
  dir: string;
  series: number;
  batches: number;
  endMs: number;
  peer: boolean;
}

async function workerRole(): Promise<void> {
  const { StormSites, stormInventory, stormSites } = await import('../agents/test-support/push-storm.ts');
  let sites: InstanceType<typeof StormSites> | null = null;
  let ticker: NodeJS.Timeout | null = null;
  // How late this process runs its callbacks: when it lags, its timeouts fire late and its figures are its own, not the boards'.
  const loop = monitorEventLoopDelay({ resolution: 20 });
  process.on('message', (m: WorkerStart | { type: 'go' | 'finish' } | { type: 'back'; ms: number }) => {
    void (async () => {
      if (m.type === 'start') {
        const all = stormSites(stormInventory(await loadInventoryFile(DEMO), whole('sites', 1, 60_000)));
        sites = new StormSites({
          sites: all.slice(m.from, m.to),
          receivers: m.receivers.map((r) => new URL(r)),
          dir: m.dir,
          series: m.series,
          batches: m.batches,
          intervalMs: INTERVAL_MS,
          endMs: m.endMs,
          ...(m.peer ? { peerBackoffMs: 1000 } : {}),
        });
        await sites.prefill();
        process.send!({ type: 'ready' });
      } else if (m.type === 'go') {
        loop.enable();
        sites!.go();
        ticker = setInterval(() => process.send!({ type: 'counts', counts: sites!.counts }), 500);
      } else if (m.type === 'back') sites!.back(m.ms);
      else if (m.type === 'finish') {
        if (ticker) clearInterval(ticker);
        sites!.stop();
        const cpu = process.cpuUsage();
        const lag = { p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6, cpuS: (cpu.user + cpu.system) / 1e6 };
        process.send!({ type: 'final', counts: sites!.counts, times: sites!.siteTimes(), lag }, () => process.exit(0));
      }
    })();
  });
}

// ---------------------------------------------------------------- measuring

/** Connections the kernel dropped because a listener's accept queue was full (this namespace's count). */
function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (!lines[i]!.startsWith('TcpExt:')) continue;
    const keys = lines[i]!.split(/\s+/);
    const values = lines[i + 1]!.split(/\s+/);
    return Number(values[keys.indexOf('ListenOverflows')] ?? 0);
  }
  return 0;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface ProcFigures {
  cpuS: number;
  hwmMb: number;
  rssMb: number;
}

function procFigures(pid: number): ProcFigures | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(f[11]) + Number(f[12])) / CLK_TCK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { cpuS, hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

async function promVector(url: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (r.status !== 'success') throw new Error(`Prometheus: ${q}: ${r.error}`);
  return r.data?.result ?? [];
}

async function promQuery(url: string, q: string): Promise<number> {
  return Number((await promVector(url, q))[0]?.value[1] ?? 0);
}

/** The board's own push counts (sansang_push_requests_total{kind="write"}), by outcome. */
async function boardCounts(url: string): Promise<Record<string, number>> {
  const text = await fetch(`${url}metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${BOARD_METRICS.pushRequests}{`) || !line.includes('kind="write"')) continue;
    const outcome = /outcome="([^"]+)"/.exec(line)?.[1];
    if (outcome) out[outcome] = Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

interface Result {
  variant: Variant;
  prefillS: number;
  boardStartS: number;
  sites: number;
  admitted: number;
  delivered: number;
  allAdmittedS: number | null;
  allDeliveredS: number | null;
  deliveredP50S: number;
  deliveredP90S: number;
  counts: StormCounts;
  boards: (ProcFigures & { atStartMb: number; counts: Record<string, number> })[];
  proms: (ProcFigures & { atStartMb: number; sitesComplete: number; samples: number; short: string[]; complaints: string[] })[];
  workersCpuS: number;
  workersLag: { p99Ms: number; maxMs: number };
  listenOverflows: number;
  expectedPerSite: number;
  timedOut: boolean;
}

function sum(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function addCounts(list: StormCounts[]): StormCounts {
  return list.reduce(
    (a, c) => ({
      before: sum(a.before, c.before),
      after: sum(a.after, c.after),
      busyWithoutRetryAfter: a.busyWithoutRetryAfter + c.busyWithoutRetryAfter,
      queues: a.queues + c.queues,
      admittedQueues: a.admittedQueues + c.admittedQueues,
      drainedQueues: a.drainedQueues + c.drainedQueues,
      dropped: a.dropped + c.dropped,
    }),
    { before: {}, after: {}, busyWithoutRetryAfter: 0, queues: 0, admittedQueues: 0, drainedQueues: 0, dropped: 0 },
  );
}

// ---------------------------------------------------------------- one variant

async function runVariant(
  variant: Variant,
  o: { sites: number; series: number; batches: number; outageS: number; boards: number; workers: number; timeoutS: number },
): Promise<Result> {
  const say = (s: string) => process.stderr.write(`[${variant}] ${s}\n`);
  const shm = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(join(shm, 'sansang-storm-'));
  const children: ChildProcess[] = [];
  const proms: Running[] = [];
  try {
    await writeFile(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    for (let b = 0; b < o.boards; b++)
      proms.push(await startPrometheus(join(dir, 'prometheus.yml'), join(dir, `prom-${b}`), ['--web.enable-remote-write-receiver']));
    const ports = await Promise.all(Array.from({ length: o.boards }, () => freePort()));
    const receivers = ports.map((p) => `http://127.0.0.1:${p}/`);

    // The sites, each process a slice; their backlog written first.
    const t = Date.now();
    const per = Math.ceil(o.sites / o.workers);
    const latest = new Map<ChildProcess, StormCounts>();
    const finals = new Map<
      ChildProcess,
      {
        counts: StormCounts;
        times: { admittedMs: (number | null)[]; drainedMs: (number | null)[] };
        lag: { p99Ms: number; maxMs: number; cpuS: number };
      }
    >();
    const workers = await Promise.all(
      Array.from({ length: o.workers }, (_, w) => {
        const c = fork(import.meta.filename, ['--role', 'worker', '--sites', String(o.sites)], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          // Thousands of agents' disk reads share one process here, not one each: more threads for them.
          env: { ...process.env, UV_THREADPOOL_SIZE: '16' },
        });
        children.push(c);
        c.on(
          'message',
          (m: {
            type: string;
            counts?: StormCounts;
            times?: { admittedMs: (number | null)[]; drainedMs: (number | null)[] };
            lag?: { p99Ms: number; maxMs: number; cpuS: number };
          }) => {
            if (m.type === 'counts') latest.set(c, m.counts!);
            if (m.type === 'final') finals.set(c, { counts: m.counts!, times: m.times!, lag: m.lag! });
          },
        );
        return new Promise<ChildProcess>((ok, ko) => {
          c.once('exit', (code) => ko(new Error(`a site process exited (${code}) before its backlog was written`)));
          c.on('message', (m: { type: string }) => m.type === 'ready' && ok(c));
          const start: WorkerStart = {
            type: 'start',
            from: w * per,
            to: Math.min(o.sites, (w + 1) * per),
            receivers,
            dir: join(dir, `spool-${w}`),
            series: o.series,
            batches: o.batches,
            endMs: Date.now(),
            peer: variant === 'peer',
          };
          c.send(start);
        });
      }),
    );
    for (const c of workers) c.removeAllListeners('exit');
    const prefillS = (Date.now() - t) / 1000;
    say(`${o.sites} sites' backlog written (${o.batches} batches of ${o.series} series per site and board) in ${prefillS.toFixed(1)} s`);

    // The outage: nobody answers; every sender fails and backs off as it would.
    for (const c of workers) c.send({ type: 'go' });
    say(`outage: ${o.outageS} s`);
    await new Promise((r) => setTimeout(r, o.outageS * 1000));

    // The boards come back.
    const boardStart = Date.now();
    const ups: number[] = [];
    const boards = await Promise.all(
      ports.map((port, b) => {
        const c = fork(
          import.meta.filename,
          [
            '--role',
            'board',
            '--sites',
            String(o.sites),
            '--port',
            String(port),
            '--prometheus',
            proms[b]!.url,
            '--dc',
            `dc${b + 1}`,
            '--data-dir',
            join(dir, `board-${b}`),
            '--variant',
            variant,
            '--max-in-flight',
            args['max-in-flight']!,
            '--max-queued',
            args['max-queued']!,
          ],
          { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
        );
        children.push(c);
        return new Promise<ChildProcess>((ok, ko) => {
          c.once('exit', (code) => ko(new Error(`board ${b + 1} exited (${code}) while starting`)));
          c.on('message', (m: { type: string; ms: number }) => {
            if (m.type !== 'up') return;
            if (!ups.length) for (const w of workers) w.send({ type: 'back', ms: m.ms });
            ups.push(m.ms);
            ok(c);
          });
        });
      }),
    );
    const t0 = Math.min(...ups);
    const boardStartS = (Math.max(...ups) - boardStart) / 1000;
    let boardExited = '';
    boards.forEach((c, b) => {
      c.removeAllListeners('exit');
      c.once('exit', (code, sig) => (boardExited = `board ${b + 1} exited (${code ?? sig})`));
    });
    const pids = [...boards.map((c) => c.pid!), ...proms.map((p) => p.proc.pid!)];
    const atStart = pids.map((p) => procFigures(p)!);
    const overflowsAtStart = listenOverflows();
    say(`boards up in ${boardStartS.toFixed(1)} s; the storm begins`);

    // Until every queue is empty (or the bound).
    const deadline = t0 + o.timeoutS * 1000;
    let lastSay = 0;
    for (;;) {
      const c = addCounts([...latest.values()]);
      if (latest.size === o.workers && c.drainedQueues === c.queues) break;
      if (Date.now() > deadline || boardExited) break;
      if (Date.now() - lastSay > 5000) {
        lastSay = Date.now();
        say(
          `${((Date.now() - t0) / 1000).toFixed(0)} s: ${c.drainedQueues}/${c.queues} queues delivered; answers ${JSON.stringify(c.after)}; board RSS ${boards.map((b) => procFigures(b.pid!)?.rssMb.toFixed(0)).join(', ')} MB`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const timedOut = Date.now() > deadline || !!boardExited;
    if (boardExited) say(boardExited);
    const end = pids.map((p) => procFigures(p));
    const overflows = listenOverflows() - overflowsAtStart;
    for (const c of workers) c.send({ type: 'finish' });
    while (finals.size < workers.length && workers.some((w) => w.exitCode === null)) await new Promise((r) => setTimeout(r, 100));
    // Each site process says its own (it may be gone before /proc is read).
    const workersCpuS = [...finals.values()].reduce((n, f) => n + f.lag.cpuS, 0);
    const bCounts = await Promise.all(receivers.map((r) => boardCounts(r)));
    // What each Prometheus holds.
    const perSite = o.series * o.batches;
    const held = await Promise.all(
      proms.map(async (p) => ({
        sitesComplete: await promQuery(p.url, `count(sum by (site) (count_over_time({job="${JOB}"}[2h])) == ${perSite})`),
        samples: await promQuery(p.url, `sum(count_over_time({job="${JOB}"}[2h]))`),
        // The first few sites that are short, for the report.
        short: (await promVector(p.url, `sum by (site) (count_over_time({job="${JOB}"}[2h])) != ${perSite}`))
          .slice(0, 5)
          .map((v) => `${v.metric.site}: ${v.value[1]}`),
        complaints: p
          .output()
          .split('\n')
          .filter((l) => /level=(error|warn)/.test(l))
          .slice(0, 3),
      })),
    );

    // Per site, from the storm's start; a site is admitted when each of its queues was let past admission.
    const adm: number[] = [];
    const del: number[] = [];
    for (const f of finals.values()) {
      for (const ms of f.times.admittedMs) if (ms !== null) adm.push(Math.max(0, ms - t0) / 1000);
      for (const ms of f.times.drainedMs) if (ms !== null) del.push(Math.max(0, ms - t0) / 1000);
    }
    const counts = addCounts([...finals.values()].map((f) => f.counts));
    return {
      variant,
      prefillS,
      boardStartS,
      sites: o.sites,
      admitted: adm.length,
      delivered: del.length,
      allAdmittedS: adm.length === o.sites ? Math.max(...adm) : null,
      allDeliveredS: del.length === o.sites ? Math.max(...del) : null,
      deliveredP50S: pct(del, 50),
      deliveredP90S: pct(del, 90),
      counts,
      boards: boards.map((_, b) => ({
        ...(end[b] ?? { cpuS: NaN, hwmMb: NaN, rssMb: NaN }),
        cpuS: (end[b]?.cpuS ?? NaN) - atStart[b]!.cpuS,
        atStartMb: atStart[b]!.rssMb,
        counts: bCounts[b]!,
      })),
      proms: proms.map((_, b) => {
        const i = o.boards + b;
        return {
          ...(end[i] ?? { cpuS: NaN, hwmMb: NaN, rssMb: NaN }),
          cpuS: (end[i]?.cpuS ?? NaN) - atStart[i]!.cpuS,
          atStartMb: atStart[i]!.rssMb,
          ...held[b]!,
        };
      }),
      workersCpuS,
      workersLag: {
        p99Ms: Math.max(...[...finals.values()].map((f) => f.lag.p99Ms)),
        maxMs: Math.max(...[...finals.values()].map((f) => f.lag.maxMs)),
      },
      listenOverflows: overflows,
      expectedPerSite: perSite,
      timedOut,
    };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const p of proms) await p.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the report

/** Answers that were none, by why: "0 timeout", "0 ECONNREFUSED", … */
function noAnswer(c: Record<string, number>): string {
  const parts = Object.entries(c).filter(([k]) => k.startsWith('0 '));
  const n = parts.reduce((a, [, v]) => a + v, 0);
  return parts.length ? `${n} (${parts.map(([k, v]) => `${k.slice(2)} ${v}`).join(', ')})` : '0';
}

function report(results: Result[]): void {
  const f = (n: number | null, d = 1) => (n === null || !Number.isFinite(n) ? '—' : n.toFixed(d));
  const rows: [string, (r: Result) => string][] = [
    ['sites admitted (each queue let past admission)', (r) => `${r.admitted} / ${r.sites}`],
    ['time until all admitted, s', (r) => f(r.allAdmittedS)],
    ['time until every backlog delivered, s', (r) => f(r.allDeliveredS)],
    ['sites delivered p50 / p90, s', (r) => `${f(r.deliveredP50S)} / ${f(r.deliveredP90S)}`],
    [
      'answers in the storm: 2xx / 429 / 503 / 400 / no answer',
      (r) => [...['204', '429', '503', '400'].map((k) => r.counts.after[k] ?? 0), noAnswer(r.counts.after)].join(' / '),
    ],
    [
      'retries (answers in the storm that send the agent back: 429, 503, none)',
      (r) =>
        String(
          Object.entries(r.counts.after)
            .filter(([k]) => !k.startsWith('2') && k !== '400')
            .reduce((n, [, v]) => n + v, 0),
        ),
    ],
    ['attempts during the outage', (r) => String(Object.values(r.counts.before).reduce((n, v) => n + v, 0))],
    ['429/503 without Retry-After', (r) => String(r.counts.busyWithoutRetryAfter)],
    ['boards: peak RSS (VmHWM), MB', (r) => r.boards.map((b) => f(b.hwmMb, 0)).join(', ')],
    ['boards: RSS when the storm began, MB', (r) => r.boards.map((b) => f(b.atStartMb, 0)).join(', ')],
    ['boards: CPU s in the storm', (r) => r.boards.map((b) => f(b.cpuS)).join(', ')],
    [
      'boards: writes accepted / busy (429) / failed (503) / refused',
      (r) => r.boards.map((b) => ['accepted', 'busy', 'failed', 'refused'].map((k) => b.counts[k] ?? 0).join(' / ')).join('; '),
    ],
    ['Prometheus: peak RSS (VmHWM), MB', (r) => r.proms.map((p) => f(p.hwmMb, 0)).join(', ')],
    ['Prometheus: CPU s in the storm', (r) => r.proms.map((p) => f(p.cpuS)).join(', ')],
    ['Prometheus: sites with every sample', (r) => r.proms.map((p) => `${p.sitesComplete} / ${r.sites}`).join(', ')],
    ['Prometheus: samples held / queued', (r) => r.proms.map((p) => `${p.samples} / ${r.sites * r.expectedPerSite}`).join(', ')],
    ["samples dropped by the agents' queues", (r) => String(r.counts.dropped)],
    ['site processes: CPU s (whole run)', (r) => f(r.workersCpuS)],
    ['site processes: event-loop delay p99 / max, ms', (r) => `${f(r.workersLag.p99Ms, 0)} / ${f(r.workersLag.maxMs, 0)}`],
    ['connections dropped at full accept queues (TcpExtListenOverflows)', (r) => String(r.listenOverflows)],
    ['backlog written, s; boards started, s', (r) => `${f(r.prefillS)}; ${f(r.boardStartS)}`],
  ];
  const head = ['', ...results.map((r) => r.variant + (r.timedOut ? ' (stopped at the bound)' : ''))];
  const table = [head, head.map(() => '---'), ...rows.map(([name, get]) => [name, ...results.map(get)])];
  process.stdout.write(`\n${table.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
  for (const r of results)
    r.proms.forEach((p, b) => {
      if (p.short.length) process.stdout.write(`${r.variant}: Prometheus ${b + 1} is short of samples for: ${p.short.join('; ')}\n`);
      for (const l of p.complaints) process.stdout.write(`${r.variant}: Prometheus ${b + 1} said: ${l}\n`);
    });
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (!process.env.SANSANG_BENCH_ISOLATED) {
    if (process.getuid?.() !== 0) fail('needs root: it runs in a network namespace of its own (run it as root)');
    if (!existsSync(PROMETHEUS)) fail(`${PROMETHEUS} is missing (Debian: apt-get install prometheus)`);
    const r = spawnSync(
      'unshare',
      [
        '--net',
        '--',
        'bash',
        '-c',
        'ip link set lo up && ulimit -n $(ulimit -Hn) && exec "$@"',
        'bench',
        process.execPath,
        ...process.execArgv,
        ...process.argv.slice(1),
      ],
      { stdio: 'inherit', env: { ...process.env, SANSANG_BENCH_ISOLATED: '1' } },
    );
    if (r.error) fail(`unshare: ${r.error.message} (Debian: util-linux)`);
    process.exit(r.status ?? 1);
  }
  const o = {
    sites: whole('sites', 1, 60_000),
    series: whole('series', 1, 1000),
    batches: whole('batches', 1, 1000),
    outageS: whole('outage', 0, 3600),
    boards: whole('boards', 1, 2),
    workers: whole('workers', 1, 16),
    timeoutS: whole('timeout', 10, 7200),
  };
  const variants = args.variants!.split(',').filter(Boolean) as Variant[];
  for (const v of variants) if (v !== 'peer' && v !== 'ours') fail(`--variants: peer and/or ours, not "${v}"`);
  process.stderr.write(
    `bench/reconnect-storm: ${o.sites} sites, ${o.boards} boards, ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  await mkdir(tmpdir(), { recursive: true });
  const results: Result[] = [];
  for (const v of variants) results.push(await runVariant(v, o));
  report(results);
}

if (args.role === 'board') await boardRole();
else if (args.role === 'worker') await workerRole();
else await main();
