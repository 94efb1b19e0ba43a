// How fast a cut primary link is seen: ours against Debian's blackbox exporter scraped by
// Prometheus, on the demo's lab (every site in a network namespace of its own). Two kinds of cut,
// each --cuts times:
//   carrier   the link's veth set down at the gateway's end: the site's interface loses its
//             carrier (a cable pulled, a modem off), which the agent reads at once;
//   far-drop  the gateway's side drops everything to and from the link (nftables in the
//             gateway's namespace), the carrier stays up: the ISP's side failing beyond the
//             office, seen only by what stops answering.
//
//   npx tsx bench/detect.ts [--cuts 8] [--interval 5] [--site thanh-vinh-hq] [--kinds carrier,far-drop]
//
// Per cut, the time from the cut to:
//   agent /metrics    the agent's sansang_probe_success{link="primary"} reads 0 for some probe
//                     (its /metrics read over the backup link every 100 ms)
//   agent via prom    the same series through Prometheus (the agent scraped at the interval)
//   board NO-GO       the board shows wan-primary NO-GO for the unit (embedded mode)
//   blackbox via prom probe_success of the exporter reads 0 for some probe, through Prometheus;
//                     the exporter runs inside the site's namespace with source_ip_address set
//                     to the primary address and probes the same services and the gateway
// and prints p50/p90/max of each, per kind of cut, against the goal: the agent (read directly) at
// least as fast as the exporter through Prometheus at every percentile, on any primary probe and
// on the gateway's ping; the board's NO-GO within 2 intervals + 2 s. The agent's interval,
// Prometheus' scrape interval and the board's refresh are the same (--interval); the exporter's
// timeout is the agent's probe timeout.
//
// It re-executes itself in a fresh network namespace (as test/run.sh does), so the host's own
// network is never touched. Needs root, iproute2, nftables, prometheus and
// prometheus-blackbox-exporter (Debian packages of those names).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { AGENT_METRICS, JOBS, findSite, probeId, servicesForUnit, type Inventory, type Probe } from '../inventory/index.ts';
import { startLabDemo, type LabDemo } from '../demo/lab/index.ts';
import { labLink } from '../demo/lab/plan.ts';
import { run } from '../demo/lab/sh.ts';
import { itemState, waitUntil } from '../demo/lab/board-watch.ts';
import { Processes } from '../demo/processes.ts';
import { freePort } from '../dashboards/board/testing.ts';

const repo = resolve(import.meta.dirname, '..');
const PROMETHEUS = '/usr/bin/prometheus';
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
/** Every probe the agent runs over the primary link, as Prometheus scraped it. */
const PRIMARY_SUCCESS = `${AGENT_METRICS.probeSuccess}{job="${JOBS.agent}",link="primary"}`;

const { values: args } = parseArgs({
  options: {
    cuts: { type: 'string', default: '8' },
    kinds: { type: 'string', default: 'carrier,far-drop' },
    interval: { type: 'string', default: '5' },
    site: { type: 'string', default: 'thanh-vinh-hq' },
    probe: { type: 'string', default: 'gateway/icmp' },
  },
});
const cuts = Number(args.cuts);
const intervalS = Number(args.interval);
if (!Number.isInteger(cuts) || cuts < 1 || cuts > 100) throw new Error('--cuts is a whole number from 1 to 100');
if (!Number.isInteger(intervalS) || intervalS < 2 || intervalS > 60) throw new Error('--interval is whole seconds from 2 to 60');
const CUT_KINDS = ['carrier', 'far-drop'] as const;
type CutKind = (typeof CUT_KINDS)[number];
const kinds = args.kinds.split(',').filter(Boolean) as CutKind[];
for (const k of kinds) if (!CUT_KINDS.includes(k)) throw new Error(`--kinds ${k}: carrier or far-drop`);

// ---------------------------------------------------------------- isolation

if (!process.env.SANSANG_BENCH_ISOLATED) {
  if (process.getuid?.() !== 0) fail('bench/detect needs root: it builds network namespaces (run it as root)');
  for (const [bin, pkg] of [
    [PROMETHEUS, 'prometheus'],
    [BLACKBOX, 'prometheus-blackbox-exporter'],
  ] as const)
    if (!existsSync(bin)) fail(`${bin} is missing (Debian: apt-get install ${pkg})`);
  const r = spawnSync(
    'unshare',
    [
      '--net',
      '--mount',
      '--propagation',
      'private',
      '--',
      'bash',
      '-c',
      'ip link set lo up && mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns && exec "$@"',
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

function fail(msg: string): never {
  process.stderr.write(`bench/detect: ${msg}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------- the peer's configuration

interface BlackboxTarget {
  module: string;
  target: string;
  name: string;
}

/** One blackbox module per probe of the site's primary link, timed out like the agent's probes. */
function blackboxConfig(
  inv: Inventory,
  siteId: string,
  caFile: string | undefined,
  timeoutS: number,
): { yaml: string; targets: BlackboxTarget[] } {
  const { unit, site } = findSite(inv, siteId)!;
  const source = site.links.primary.address;
  const modules: Record<string, unknown> = {};
  const targets: BlackboxTarget[] = [];
  const timeout = `${Math.round(timeoutS * 1000)}ms`;
  const add = (name: string, module: unknown, target: string) => {
    const id = name.replace(/[^A-Za-z0-9_]/g, '_');
    modules[id] = module;
    targets.push({ module: id, target, name });
  };
  add(
    'gateway/icmp',
    { prober: 'icmp', timeout, icmp: { preferred_ip_protocol: 'ip4', ip_protocol_fallback: false, source_ip_address: source } },
    site.links.primary.gateway,
  );
  // A kind the exporter has no prober for is left out of the comparison.
  for (const svc of servicesForUnit(inv, unit))
    for (const p of svc.probes) {
      const module = moduleFor(p, source, timeout, caFile);
      const target = targetFor(p);
      if (module !== undefined && target !== undefined) add(`${svc.id}/${probeId(p)}`, module, target);
    }
  return { yaml: stringify({ modules }), targets };
}

function moduleFor(p: Probe, source: string, timeout: string, caFile: string | undefined): unknown {
  const ip = { preferred_ip_protocol: 'ip4', ip_protocol_fallback: false, source_ip_address: source };
  switch (p.kind) {
    case 'icmp':
      return { prober: 'icmp', timeout, icmp: ip };
    case 'tcp':
      return { prober: 'tcp', timeout, tcp: ip };
    case 'dns':
      return {
        prober: 'dns',
        timeout,
        dns: { ...ip, transport_protocol: 'udp', query_name: p.name, query_type: p.recordType, valid_rcodes: ['NOERROR'] },
      };
    case 'http':
      // The exporter's http prober has no source_ip_address: inside the site's namespace its
      // unbound connections take the main table's primary route (metric 10), so they still go
      // over the primary link, which stays the route even while cut (the veth only loses carrier).
      return {
        prober: 'http',
        timeout,
        http: {
          preferred_ip_protocol: 'ip4',
          ip_protocol_fallback: false,
          valid_status_codes: p.expectStatus,
          follow_redirects: false,
          ...(p.hostHeader ? { headers: { Host: p.hostHeader } } : {}),
          ...(p.url.startsWith('https:') && caFile
            ? { tls_config: { ca_file: caFile, ...(p.hostHeader ? { server_name: p.hostHeader } : {}) } }
            : {}),
        },
      };
    default:
      return undefined;
  }
}

function targetFor(p: Probe): string | undefined {
  switch (p.kind) {
    case 'icmp':
      return p.host;
    case 'tcp':
      return `${p.host}:${p.port}`;
    case 'dns':
      return `${p.server}:${p.port}`;
    case 'http':
      return p.url;
    default:
      return undefined;
  }
}

function prometheusConfig(o: { agent: string; blackbox: string; targets: BlackboxTarget[]; intervalS: number; timeoutS: number }): string {
  return stringify({
    global: {
      scrape_interval: `${o.intervalS}s`,
      scrape_timeout: `${Math.round(o.timeoutS * 1000)}ms`,
      evaluation_interval: `${o.intervalS}s`,
    },
    scrape_configs: [
      { job_name: JOBS.agent, static_configs: [{ targets: [o.agent] }] },
      {
        job_name: 'blackbox',
        metrics_path: '/probe',
        static_configs: o.targets.map((t) => ({
          targets: [o.blackbox],
          labels: { __param_module: t.module, __param_target: t.target, probe: t.name },
        })),
      },
    ],
  });
}

// ---------------------------------------------------------------- observing

/** The agent's primary-link probe results (all, or one `target/probe`), read from its /metrics over the backup link. */
async function agentPrimary(url: string, only?: string): Promise<number[]> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  const text = await r.text();
  const [target, probe] = only?.split('/') ?? [];
  const out: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${AGENT_METRICS.probeSuccess}{`) || !line.includes('link="primary"')) continue;
    if (only && !(line.includes(`target="${target}"`) && line.includes(`probe="${probe}"`))) continue;
    out.push(Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

async function promValues(prom: string, query: string): Promise<number[]> {
  const r = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(2000) });
  const body = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
  return (body.data?.result ?? []).map((x) => Number(x.value[1]));
}

const allOne = (v: number[]) => v.length > 0 && v.every((x) => x === 1);
const someZero = (v: number[]) => v.some((x) => x === 0);

interface Watch {
  name: string;
  /** True once the cut is seen. */
  seen(): Promise<boolean>;
  /** True when everything is healthy again. */
  healthy(): Promise<boolean>;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sansang-bench-detect-'));
  const procs = new Processes(join(dir, 'bench-logs'));
  let demo: LabDemo | undefined;
  const say = (l: string) => process.stderr.write(`${l}\n`);
  let ok = false;
  try {
    say(
      `bench/detect: ${cuts} cuts of each kind (${kinds.join(', ')}) of the primary link of ${args.site}, interval ${intervalS} s; logs in ${dir}`,
    );
    demo = await startLabDemo({
      inventory: join(repo, 'inventory/examples/demo.yaml'),
      dir,
      board: `127.0.0.1:${await freePort()}`,
      control: `127.0.0.1:${await freePort()}`,
      synth: false,
      say: () => undefined,
      labInventory: { interval: `${intervalS}s`, maxFor: `${intervalS}s` },
    });
    const inv = demo.inventory;
    const ref = findSite(inv, args.site);
    if (!ref?.site.links.backup) fail(`site ${args.site} is not in the example or has no backup link`);
    const { unit, site } = ref;
    const backup = site.links.backup!.address;
    // The agent's probe timeout (agents/probes: 0.8 of the interval), the exporter gets the same.
    const timeoutS = Math.min(10, Math.floor(intervalS * 0.8 * 10) / 10);

    const bb = blackboxConfig(inv, site.id, inv.agent.caFile, timeoutS);
    await writeFile(join(dir, 'blackbox.yml'), bb.yaml);
    const bbListen = `${backup}:${await freePort()}`;
    const check = spawnSync(BLACKBOX, [`--config.file=${join(dir, 'blackbox.yml')}`, '--config.check'], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`the blackbox configuration is refused: ${check.stderr.trim().split('\n').pop()}`);
    const inNs = demo.lab.inSite(site.id, [BLACKBOX, `--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=${bbListen}`]);
    await procs.start('blackbox', inNs.cmd, inNs.args);

    const promListen = `127.0.0.1:${await freePort()}`;
    await writeFile(
      join(dir, 'prometheus.yml'),
      prometheusConfig({
        agent: `${backup}:${site.agentPort}`,
        blackbox: bbListen,
        targets: bb.targets,
        intervalS,
        timeoutS: Math.min(intervalS, timeoutS + 0.5),
      }),
    );
    await procs.start('prometheus', PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom-data')}`,
      `--web.listen-address=${promListen}`,
    ]);
    const prom = `http://${promListen}`;

    const metricsUrl = `http://${backup}:${site.agentPort}/metrics`;
    const watches: Watch[] = [
      {
        name: 'agent /metrics',
        seen: async () => someZero(await agentPrimary(metricsUrl)),
        healthy: async () => allOne(await agentPrimary(metricsUrl)),
      },
      {
        name: 'agent via prom',
        seen: async () => someZero(await promValues(prom, PRIMARY_SUCCESS)),
        healthy: async () => allOne(await promValues(prom, PRIMARY_SUCCESS)),
      },
      {
        name: 'board NO-GO',
        seen: async () => (await itemState(demo!.boardUrl, unit.code, 'wan-primary')) === 'nogo',
        healthy: async () => (await itemState(demo!.boardUrl, unit.code, 'wan-primary')) === 'go',
      },
      {
        name: 'blackbox via prom',
        seen: async () => someZero(await promValues(prom, 'probe_success{job="blackbox"}')),
        healthy: async () => {
          const v = await promValues(prom, 'probe_success{job="blackbox"}');
          return v.length === bb.targets.length && allOne(v);
        },
      },
    ];
    // The same comparison for one probe only (default: the gateway ping), so the exporter's many
    // targets, each scraped at its own offset within the interval, do not stand for one fast probe.
    const one = args.probe;
    const [target, probe] = one.split('/');
    if (!bb.targets.some((t) => t.name === one))
      fail(`--probe ${one}: the site has no such probe; probes: ${bb.targets.map((t) => t.name).join(', ')}`);
    const agentOne = `${AGENT_METRICS.probeSuccess}{job="${JOBS.agent}",link="primary",target="${target}",probe="${probe}"}`;
    const bbOne = `probe_success{job="blackbox",probe="${one}"}`;
    watches.push(
      {
        name: `agent /metrics, ${one}`,
        seen: async () => someZero(await agentPrimary(metricsUrl, one)),
        healthy: async () => allOne(await agentPrimary(metricsUrl, one)),
      },
      {
        name: `agent via prom, ${one}`,
        seen: async () => someZero(await promValues(prom, agentOne)),
        healthy: async () => allOne(await promValues(prom, agentOne)),
      },
      {
        name: `blackbox via prom, ${one}`,
        seen: async () => someZero(await promValues(prom, bbOne)),
        healthy: async () => allOne(await promValues(prom, bbOne)),
      },
    );
    const healthy = () =>
      waitUntil(
        'every watcher seeing the site healthy',
        async () => {
          for (const c of ['blackbox', 'prometheus'])
            if (!procs.has(c)) throw new Error(`${c} has exited; see ${join(dir, 'bench-logs', `${c}.log`)}`);
          const states = await Promise.all(watches.map((w) => w.healthy().catch(() => false)));
          if (states.every(Boolean)) return true;
          throw new Error(
            `not yet: ${watches
              .filter((_, i) => !states[i])
              .map((w) => w.name)
              .join(', ')}`,
          );
        },
        120_000,
        200,
      );
    await healthy();
    say('every watcher sees the site healthy; cutting…');

    // A cut of each kind: what makes it, what undoes it.
    const hostIf = labLink(demo.plan, site.id, 'primary').hostIf;
    const CUT_TABLE = 'sansang_detect';
    const cut: Record<CutKind, { make(): Promise<void>; undo(): Promise<void>; what: string }> = {
      carrier: {
        what: "the primary veth set down at the gateway's end (the site loses its carrier)",
        make: () => demo!.lab.setLink(site.id, 'primary', false),
        undo: () => demo!.lab.setLink(site.id, 'primary', true),
      },
      'far-drop': {
        what: "the gateway's side drops everything to and from the primary link (nftables; the carrier stays up)",
        make: () =>
          run(
            'nft',
            ['-f', '-'],
            [
              `table inet ${CUT_TABLE} {`,
              '  chain cut_in {',
              '    type filter hook input priority -10; policy accept;',
              `    iifname "${hostIf}" drop`,
              '  }',
              '  chain cut_forward {',
              '    type filter hook forward priority -10; policy accept;',
              `    iifname "${hostIf}" drop`,
              `    oifname "${hostIf}" drop`,
              '  }',
              '  chain cut_out {',
              '    type filter hook output priority -10; policy accept;',
              `    oifname "${hostIf}" drop`,
              '  }',
              '}',
              '',
            ].join('\n'),
          ).then(() => undefined),
        undo: () => run('nft', ['delete', 'table', 'inet', CUT_TABLE]).then(() => undefined),
      },
    };

    const results: { kind: CutKind; rows: { name: string; p50: number; p90: number; max: number }[] }[] = [];
    for (const kind of kinds) {
      const times = new Map<string, number[]>(watches.map((w) => [w.name, []]));
      say(`${kind}: ${cut[kind].what}`);
      for (let i = 0; i < cuts; i++) {
        // A random phase against the probe rounds and the scrapes.
        await new Promise((r) => setTimeout(r, Math.random() * intervalS * 1000));
        const t0 = performance.now();
        await cut[kind].make();
        const seen = await Promise.all(
          watches.map(async (w) => {
            const until = t0 + 60_000;
            while (performance.now() < until) {
              if (await w.seen().catch(() => false)) return (performance.now() - t0) / 1000;
              await new Promise((r) => setTimeout(r, 100));
            }
            return Infinity;
          }),
        );
        watches.forEach((w, j) => times.get(w.name)!.push(seen[j]!));
        say(`${kind} cut ${i + 1}/${cuts}: ${watches.map((w, j) => `${w.name} ${seen[j]!.toFixed(1)} s`).join('; ')}`);
        await cut[kind].undo();
        const r0 = performance.now();
        await healthy();
        say(`  every watcher healthy again ${((performance.now() - r0) / 1000).toFixed(1)} s after the link came back`);
      }
      results.push({
        kind,
        rows: [...times].map(([name, t]) => {
          const s = [...t].sort((a, b) => a - b);
          return { name, p50: pct(s, 50), p90: pct(s, 90), max: s[s.length - 1]! };
        }),
      });
    }

    const f = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : 'missed').padStart(8);
    const out: string[] = [];
    for (const { kind, rows } of results) {
      const row = (name: string) => rows.find((r) => r.name === name)!;
      const atLeastAsFast = (a: string, b: string) => (['p50', 'p90', 'max'] as const).every((p) => row(a)[p] <= row(b)[p]);
      const board = row('board NO-GO');
      const boardGoal = 2 * intervalS + 2;
      out.push(
        '',
        `${kind}: ${cut[kind].what}`,
        `Time from cutting the primary link of ${site.id} to seeing it, ${cuts} cuts, interval ${intervalS} s (probe timeout ${timeoutS} s)`,
        `${'watcher (any primary probe unless named)'.padEnd(44)}${'p50'.padStart(8)}${'p90'.padStart(8)}${'max'.padStart(8)}`,
        ...rows.map((r) => `${r.name.padEnd(44)}${f(r.p50)}${f(r.p90)}${f(r.max)}`),
        `goal, agent /metrics at least as fast as blackbox via prom at every percentile, any probe: ${atLeastAsFast('agent /metrics', 'blackbox via prom') ? 'met' : 'NOT met'}`,
        `goal, the same on ${one}: ${atLeastAsFast(`agent /metrics, ${one}`, `blackbox via prom, ${one}`) ? 'met' : 'NOT met'}`,
        `goal, board NO-GO within 2 intervals + 2 s (${boardGoal} s) at every percentile: ${board.max <= boardGoal ? 'met' : 'NOT met'} (max ${f(board.max).trim()})`,
      );
    }
    out.push(
      '',
      "agent /metrics: any primary probe of the agent at 0, read directly; board NO-GO: wan-primary (the agent's verdict, or the board not reaching the agent over the link while it answers over the backup);",
      'agent/blackbox via prom: any primary probe at 0 in Prometheus, both scraped at the same interval.',
    );
    process.stdout.write(`${out.join('\n')}\n`);
    ok = true;
  } finally {
    await procs.stopAll();
    await demo?.stop();
    if (ok) await rm(dir, { recursive: true, force: true });
    else say(`logs kept in ${dir}`);
  }
}

await main();
