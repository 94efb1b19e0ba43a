// Bench: the sansang site agent (as the kit ships it: one bundled file under plain node) against
// Debian's prometheus-blackbox-exporter, on the same 50 loopback targets, the same interval,
// side by side, one probe kind at a time (ICMP, TCP, HTTP) so CPU per probe is clean. /metrics
// latency of both is measured from a child process of its own (bench/scrape-load.ts), so the
// bench driver's own event loop (parsing /proc, driving the exporter, serving the HTTP targets)
// is not counted: a normal scraper (one scrape a second, as Prometheus) through every phase while
// the probes run, then 8 back-to-back scrapers for a few seconds. Not run in CI.
//
//   npx tsx bench/agent.ts [--duration 60] [--interval 5] [--targets 50] [--drive spread|burst] [--node-flags '…'] [--executable]
//
// --executable runs the kit's single executable (Node's single-executable application, for a PC
// without Node) instead of the bundle under node, as its unit starts it: the same V8 flags first,
// and the unit's NODE_OPTIONS (bench/executable-rss.ts shows where its memory is).
//
// CPU is read from /proc/PID/stat (utime+stime, plus cutime+cstime: the `ping` children the
// agent has reaped) and the children still running (the heartbeat's long-running pings); RSS is
// the agent's peak (VmHWM). The exporter is driven by /probe requests, one per
// target per interval, each target at its own offset as Prometheus spreads them (--drive burst:
// all at the start of the interval).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleAgent } from '../agents/kit.ts';
import { buildExecutable } from '../agents/install/sea.ts';
import { EXECUTABLE_NODE_OPTIONS, NODE_FLAGS } from '../agents/install/layout.ts';
import { httpStand, tcpStand } from '../agents/test-support/servers.ts';
import { testSlice } from '../agents/test-support/inventory.ts';
import { AGENT_METRICS } from '../inventory/names.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    interval: { type: 'string', default: '5' },
    targets: { type: 'string', default: '50' },
    'node-flags': { type: 'string' },
    drive: { type: 'string', default: 'spread' },
    executable: { type: 'boolean', default: false },
  },
});
if (args.drive !== 'spread' && args.drive !== 'burst') throw new Error(`--drive ${args.drive}: spread (as Prometheus) or burst`);
// The agent runs with the unit's V8 flags (agents/install/layout.ts) unless told otherwise ('' for none).
const nodeFlags = args['node-flags'] === undefined ? [...NODE_FLAGS] : args['node-flags'].split(' ').filter(Boolean);
const DURATION = Number(args.duration);
const INTERVAL = Number(args.interval);
const N = Number(args.targets);
const PHASE_S = Math.max(INTERVAL * 2, Math.floor(DURATION / 3));
const TICK = 100; // clock ticks per second on Linux
const work = mkdtempSync(join(tmpdir(), 'sansang-bench-'));
const children: ChildProcess[] = [];

function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14-17 of stat: utime stime cutime cstime (f[0] is field 3)
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
}
/** The children of a process, from every task's `children` list. */
function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}
/** CPU seconds of a process, its reaped children and the children still running (the heartbeat's pings). */
function treeCpu(pid: number): number {
  let total = procCpu(pid);
  for (const c of childPids(pid)) {
    try {
      total += procCpu(c);
    } catch {
      // exited meanwhile: its time is the parent's once reaped
    }
  }
  return total;
}
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitHttp(url: string) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} never answered`);
}
/** Runs bench/scrape-load.ts in a child process; resolves to each scrape's latency in ms. */
function scrapeLoad(url: string, seconds: number, mode: 'paced' | 'saturate', n: number): Promise<number[]> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'scrape-load.ts');
  const c = spawn(process.execPath, ['--import', 'tsx', script, url, String(seconds), mode, String(n)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(c);
  let out = '';
  c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    c.on('close', (code) => {
      try {
        const r = JSON.parse(out) as { ms: number[]; errors: number };
        if (r.errors) console.log(`  ${url}: ${r.errors} failed scrapes`);
        resolve(r.ms);
      } catch {
        reject(new Error(`scrape-load ${url} exited ${code} without a result`));
      }
    }),
  );
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

type Kind = 'icmp' | 'tcp' | 'http';
interface Row {
  tool: string;
  kind: Kind;
  probes: number;
  echoes: number;
  cpu: number;
  rss: number;
}

async function main() {
  const web = await httpStand();
  const tcp = await tcpStand();
  const targetsOf = (kind: Kind) =>
    Array.from({ length: N }, (_, i) => {
      const host = `127.0.2.${i + 1}`;
      if (kind === 'icmp') return { bb: host, probe: { kind: 'icmp', host } };
      if (kind === 'tcp') return { bb: `127.0.0.1:${tcp.port}`, probe: { kind: 'tcp', host: '127.0.0.1', port: tcp.port } };
      return { bb: `http://127.0.0.1:${web.port}/ok?t=${i}`, probe: { kind: 'http', url: `http://127.0.0.1:${web.port}/ok?t=${i}` } };
    });
  const bundle = join(work, 'sansang-agent.cjs');
  await bundleAgent(bundle);
  const exe = join(work, 'sansang-agent');
  if (args.executable) await buildExecutable(bundle, exe);
  const agentArgv = (cfg: string): [string, string[]] =>
    args.executable
      ? [exe, [...nodeFlags, '--config', cfg, '--listen', '127.0.0.1:19464']]
      : [process.execPath, [...nodeFlags, bundle, '--config', cfg, '--listen', '127.0.0.1:19464']];
  const bbConfig = join(work, 'blackbox.yml');
  writeFileSync(
    bbConfig,
    `modules:\n  icmp:\n    prober: icmp\n    timeout: ${Math.min(10, INTERVAL * 0.8)}s\n  tcp:\n    prober: tcp\n    timeout: ${Math.min(10, INTERVAL * 0.8)}s\n  http:\n    prober: http\n    timeout: ${Math.min(10, INTERVAL * 0.8)}s\n`,
  );
  const rows: Row[] = [];
  const paced: Record<string, number[]> = {}; // by "tool kind"
  const saturated: Record<string, number[]> = {};
  const start = (cmd: string, a: string[], env: NodeJS.ProcessEnv = process.env) => {
    const c = spawn(cmd, a, { stdio: ['ignore', 'ignore', 'inherit'], env });
    children.push(c);
    return c;
  };

  for (const kind of ['icmp', 'tcp', 'http'] as const) {
    const targets = targetsOf(kind);
    // The agent: one service per target, one link, no backup (the gateway ping is left out of the counts).
    const slice = testSlice({
      services: targets.map((t, i) => ({ id: `t${i}`, name: `Target ${i}`, scope: 'national', category: 'other', probes: [t.probe] })),
      primary: { address: '127.0.1.10', gateway: '127.0.1.1' },
      agent: { interval: `${INTERVAL}s`, icmpCount: 5, icmpSpacing: '200ms' },
    });
    const cfg = join(work, `site-${kind}.json`);
    writeFileSync(cfg, JSON.stringify(slice));
    const agent = start(...agentArgv(cfg), args.executable ? { ...process.env, NODE_OPTIONS: EXECUTABLE_NODE_OPTIONS } : process.env);
    const bb = start('/usr/bin/prometheus-blackbox-exporter', [`--config.file=${bbConfig}`, '--web.listen-address=127.0.0.1:19115']);
    await waitHttp('http://127.0.0.1:19464/healthz');
    await waitHttp('http://127.0.0.1:19115/metrics');
    // The agent gathers its host facts at start (then hourly): some twenty short commands whose CPU
    // is billed to it when reaped. Start counting once they are in, not to charge them to 20 s of probes.
    for (let i = 0; i < 100; i++) {
      const doc = (await (await fetch('http://127.0.0.1:19464/status')).json()) as { host: unknown };
      if (doc.host) break;
      await sleep(200);
    }
    const cpu0 = { agent: treeCpu(agent.pid!), bb: procCpu(bb.pid!) };
    // A normal scraper of each tool's /metrics, one a second through the phase, in its own process.
    const pacedRuns = [
      scrapeLoad('http://127.0.0.1:19464/metrics', PHASE_S - 1, 'paced', 1000).then((ms) => (paced[`sansang agent ${kind}`] = ms)),
      scrapeLoad('http://127.0.0.1:19115/metrics', PHASE_S - 1, 'paced', 1000).then((ms) => (paced[`blackbox exporter ${kind}`] = ms)),
    ];
    const seen = new Set<string>();
    let bbProbes = 0;
    const end = Date.now() + PHASE_S * 1000;
    // The exporter: one /probe per target per interval. `spread` (the default) is what Prometheus
    // does: each target at its own offset in the interval (it spreads a job's targets by a hash of
    // their labels). `burst` sends all of them at the start of each interval, as this bench did
    // before: the exporter then batches its work (less CPU a probe) and the machine gets a burst
    // every interval that no Prometheus makes.
    const origin = Date.now();
    const probeBb = async (t: (typeof targets)[number]) => {
      const r = await fetch(`http://127.0.0.1:19115/probe?module=${kind}&target=${encodeURIComponent(t.bb)}`).catch(() => null);
      if (r) {
        await r.text();
        bbProbes++;
      }
    };
    const offset = (i: number) => (args.drive === 'spread' ? i / targets.length : 0);
    const driveBb = Promise.all(
      targets.map(async (t, i) => {
        for (let n = 0; ; n++) {
          const at = origin + (offset(i) + n) * INTERVAL * 1000;
          if (at >= end) return;
          await sleep(at - Date.now());
          await probeBb(t);
        }
      }),
    );
    // The agent runs its own schedule; count its runs from /status (each probe's `at` changes per round).
    const watchAgent = (async () => {
      while (Date.now() < end) {
        const doc = (await (await fetch('http://127.0.0.1:19464/status')).json()) as { probes: { target: string; at: string }[] };
        for (const p of doc.probes) if (p.target !== 'gateway') seen.add(`${p.target}@${p.at}`);
        // Twice a round is enough to see every round; more would bill the agent for the bench's reads.
        await sleep(INTERVAL * 500);
      }
    })();
    await Promise.all([driveBb, watchAgent, ...pacedRuns]);
    const metrics = await (await fetch('http://127.0.0.1:19464/metrics')).text();
    const echoes = metrics
      .split('\n')
      .filter((l) => l.startsWith(`${AGENT_METRICS.icmpSent}{`) && !l.includes('target="gateway"'))
      .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    rows.push({
      tool: 'sansang agent',
      kind,
      probes: seen.size,
      echoes,
      cpu: treeCpu(agent.pid!) - cpu0.agent,
      rss: peakRssMb(agent.pid!),
    });
    rows.push({
      tool: 'blackbox exporter',
      kind,
      probes: bbProbes,
      echoes: kind === 'icmp' ? bbProbes : 0,
      cpu: procCpu(bb.pid!) - cpu0.bb,
      rss: peakRssMb(bb.pid!),
    });

    if (kind === 'http') {
      // /metrics saturated: 8 clients back to back for 5 s, one tool at a time, from a child process.
      // The agent keeps probing on its schedule meanwhile (the exporter is not driven then).
      for (const [tool, url] of [
        ['sansang agent', 'http://127.0.0.1:19464/metrics'],
        ['blackbox exporter', 'http://127.0.0.1:19115/metrics'],
      ] as const)
        saturated[tool] = await scrapeLoad(url, 5, 'saturate', 8);
    }
    agent.kill('SIGTERM');
    bb.kill('SIGTERM');
    await sleep(300);
  }
  await web.close();
  await tcp.close();

  console.log(
    `\n${N} targets, interval ${INTERVAL} s, ${PHASE_S} s per kind, the exporter's probes ${args.drive === 'spread' ? 'spread over the interval' : 'in one burst an interval'}; the agent runs as ${args.executable ? ['EXECUTABLE', ...nodeFlags].join(' ') : ['node', ...nodeFlags, 'BUNDLE'].join(' ')}\n`,
  );
  console.log('tool               kind  probes  echoes  CPU s   CPU s/1000 probes (echoes for ICMP)  peak RSS MB');
  for (const r of rows) {
    const per = r.kind === 'icmp' ? r.cpu / (r.echoes / 1000) : r.cpu / (r.probes / 1000);
    console.log(
      `${r.tool.padEnd(18)} ${r.kind.padEnd(5)} ${String(r.probes).padStart(6)}  ${String(r.echoes).padStart(6)}  ${r.cpu.toFixed(2).padStart(5)}   ${per.toFixed(2).padStart(8)}                             ${r.rss.toFixed(1)}`,
    );
  }
  const line = (lat: number[] = []) =>
    `${String(lat.length).padStart(7)}  ${pct(lat, 50).toFixed(2).padStart(7)}  ${pct(lat, 90).toFixed(2).padStart(7)}  ${pct(lat, 99).toFixed(2).padStart(7)}  ${Math.max(
      ...lat,
    )
      .toFixed(2)
      .padStart(7)}`;
  console.log('\n/metrics latency, ms, from a separate process (request to last byte, keep-alive, one warm-up scrape not counted)');
  console.log('tool               load                                   scrapes      p50      p90      p99      max');
  for (const tool of ['sansang agent', 'blackbox exporter']) {
    for (const kind of ['icmp', 'tcp', 'http'])
      console.log(`${tool.padEnd(18)} 1 scraper, 1/s, ${kind.padEnd(4)} probes running   ${line(paced[`${tool} ${kind}`])}`);
    const all = ['icmp', 'tcp', 'http'].flatMap((k) => paced[`${tool} ${k}`] ?? []);
    console.log(`${tool.padEnd(18)} 1 scraper, 1/s, all phases             ${line(all)}`);
    console.log(`${tool.padEnd(18)} 8 scrapers back to back (saturated)   ${line(saturated[tool])}`);
  }
}

try {
  await main();
} finally {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
