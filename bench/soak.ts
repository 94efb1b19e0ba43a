// The agent under random route and link flaps for ten minutes (the test, test/lab/agent-flaps.test.ts,
// runs a minute of it in `npm test`): the kit's bundle, started as its systemd unit starts it, in
// a site namespace with a primary and a backup link to a data-center namespace; both links go
// through the probe matrix's failures one at a time (test/lab/flaps.ts). Like systemd
// (Restart=always), an agent that exits is started again, and counted.
//
//   npx tsx bench/soak.ts [--minutes 10] [--seed N] [--interval 5s]
//
// Prints the restarts, the agent's resident memory over time (VmRSS every 5 s: the first minute,
// the last minute, the peak VmHWM), the most `ping` processes alive at once, what the flaps were,
// the causes the agent reported, and /status answers that failed. Re-executes itself in a fresh
// network namespace (as test/run.sh does); needs root, iproute2, nftables, iputils-ping.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { StatusDocument } from '../inventory/index.ts';
import { bundleAgent } from '../agents/kit.ts';
import { NODE_FLAGS } from '../agents/install/layout.ts';
import { testSlice } from '../agents/test-support/inventory.ts';
import { makeCertificate } from '../agents/test-support/servers.ts';
import { flap, heal, random } from '../test/lab/flaps.ts';
import { ipn, programsIn, requireLabTools, rssMb, sh, siteAndDc } from '../test/lab/netns.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
    interval: { type: 'string', default: '5s' },
  },
});
const minutes = Number(args.minutes);
const seed = Number(args.seed);
if (!(minutes > 0 && minutes <= 600)) throw new Error('--minutes from 0 to 600');

if (!process.env.SANSANG_BENCH_ISOLATED) {
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
  if (r.error) throw new Error(`unshare: ${r.error.message} (Debian: util-linux)`);
  process.exit(r.status ?? 1);
}

const repo = resolve(import.meta.dirname, '..');
const UP = '198.18.9.1';
const AGENT = '198.18.4.2:9464';
const say = (l: string) => process.stderr.write(`${l}\n`);
const openFiles = (pid: number) => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  requireLabTools();
  const work = mkdtempSync(join(tmpdir(), 'sansang-soak-'));
  const children: ChildProcess[] = [];
  const lab = siteAndDc({
    tag: 'soak',
    links: { primary: { site: 'p0', far: 'p1', net: 1, table: 101 }, backup: { site: 'b0', far: 'b1', net: 2, table: 102 } },
    dcAddresses: [UP],
  });
  const tls = makeCertificate('portal.test', 30);
  try {
    sh('ip', ['link', 'add', 'soakm', 'type', 'veth', 'peer', 'name', 'm0', 'netns', lab.site]);
    ipn(lab.site, 'addr', 'add', '198.18.4.2/24', 'dev', 'm0');
    sh('ip', ['addr', 'add', '198.18.4.1/24', 'dev', 'soakm']);
    ipn(lab.site, 'link', 'set', 'm0', 'up');
    sh('ip', ['link', 'set', 'soakm', 'up']);
    const far = spawn(
      'ip',
      ['netns', 'exec', lab.dc, process.execPath, '--import', 'tsx', join(repo, 'test/lab/far-side.ts'), tls.certFile, tls.keyFile, UP],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: repo },
    );
    children.push(far);
    const ports = await new Promise<{ http: number; https: number; tcp: number; dns: number }>((res, rej) => {
      let out = '';
      far.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) res(JSON.parse(out));
      });
      far.once('exit', (c) => rej(new Error(`the data center's servers exited (${c})`)));
    });
    const svc = (id: string, probe: object) => ({
      id,
      name: `Dịch vụ ${id}`,
      scope: 'provincial',
      category: 'other',
      hostedIn: ['dc1'],
      probes: [probe],
    });
    const slice = testSlice({
      services: [
        svc('icmp', { kind: 'icmp', host: UP }),
        svc('tcp', { kind: 'tcp', host: UP, port: ports.tcp }),
        svc('http', { kind: 'http', url: `http://${UP}:${ports.http}/ok` }),
        svc('https', { kind: 'http', url: `https://${UP}:${ports.https}/ok`, hostHeader: 'portal.test', caFile: tls.certFile }),
        svc('dns', { kind: 'dns', server: UP, port: ports.dns, name: 'portal.test' }),
      ],
      primary: { address: lab.links.primary!.address, gateway: lab.links.primary!.gateway },
      backup: { address: lab.links.backup!.address, gateway: lab.links.backup!.gateway },
      agent: { interval: args.interval, icmpCount: 5, icmpSpacing: '200ms' },
    });
    const cfg = join(work, 'site.json');
    writeFileSync(cfg, JSON.stringify(slice));
    const bundle = join(work, 'sansang-agent.cjs');
    await bundleAgent(bundle);

    // The supervisor: systemd's Restart=always, counting.
    const running: { agent: ChildProcess | null } = { agent: null };
    let restarts = 0;
    let stopping = false;
    let log = '';
    const startAgent = () => {
      const a = spawn('ip', ['netns', 'exec', lab.site, process.execPath, ...NODE_FLAGS, bundle, '--config', cfg, '--listen', AGENT], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      a.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
      a.on('exit', (code, signal) => {
        if (stopping) return;
        restarts++;
        say(`the agent exited (${code ?? signal}); started again, as systemd would:\n${log.slice(-2000)}`);
        setTimeout(startAgent, 1000);
      });
      running.agent = a;
    };
    startAgent();
    const status = async (): Promise<StatusDocument> =>
      (await (await fetch(`http://${AGENT}/status`, { signal: AbortSignal.timeout(3000) })).json()) as StatusDocument;
    for (let i = 0; ; i++) {
      const d = await status().catch(() => null);
      if (d && d.probes.length === 12 && d.probes.every((p) => p.success)) break;
      if (i > 120) throw new Error(`the agent never had every probe answering:\n${log.slice(-2000)}`);
      await sleep(1000);
    }
    say(`soak: ${minutes} min of flaps, seed ${seed}, the agent probing every ${args.interval}`);

    const rss: { t: number; mb: number }[] = [];
    const fds: number[] = [];
    const causes: Record<string, number> = {};
    let maxPings = 0;
    let statusFailures = 0;
    let unexplained = 0;
    let done = false;
    const t0 = Date.now();
    const watch = (async () => {
      while (!done) {
        const pid = running.agent?.pid;
        if (pid) {
          rss.push({ t: (Date.now() - t0) / 1000, mb: rssMb(pid) });
          fds.push(openFiles(pid));
        }
        maxPings = Math.max(maxPings, programsIn(lab.site).filter((p) => p === 'ping').length);
        const d = await status().catch(() => null);
        if (!d) statusFailures++;
        for (const p of d?.probes ?? []) {
          if (p.success) continue;
          if (!p.cause) unexplained++;
          else causes[p.cause.kind] = (causes[p.cause.kind] ?? 0) + 1;
        }
        await sleep(5000);
      }
    })();
    const flaps = await flap(lab, [UP], minutes * 60, random(seed));
    done = true;
    await watch;
    heal(lab, [UP]);
    const healAt = Date.now();
    let back = NaN;
    for (;;) {
      const d = await status().catch(() => null);
      if (d && d.probes.every((p) => p.success)) {
        back = (Date.now() - healAt) / 1000;
        break;
      }
      if (Date.now() - healAt > 120_000) break;
      await sleep(500);
    }
    const pid = running.agent!.pid!;
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
    stopping = true;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const first = rss.filter((r) => r.t >= 10 && r.t < 70).map((r) => r.mb);
    const last = rss.filter((r) => r.t >= minutes * 60 - 60).map((r) => r.mb);
    const f = (x: number) => x.toFixed(1);
    process.stdout.write(
      [
        '',
        `soak: ${minutes} min of random route and link flaps on both links (seed ${seed}), the agent probing every ${args.interval}`,
        `restarts of the agent: ${restarts}`,
        `RSS, MB: first minute median ${f(median(first))} (max ${f(Math.max(...first))}), last minute median ${f(median(last))} (max ${f(Math.max(...last))}); peak (VmHWM) ${f(hwm)}`,
        `RSS by minute, MB: ${Array.from({ length: Math.ceil(minutes) }, (_, m) => f(median(rss.filter((r) => r.t >= m * 60 && r.t < (m + 1) * 60).map((r) => r.mb)))).join(' ')}`,
        `ping processes alive at once, at most: ${maxPings}; the agent's open files: ${fds[0]} at the start, at most ${Math.max(...fds)}, ${fds[fds.length - 1]} at the end`,
        `flaps: ${Object.entries(flaps)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
        `failed probes seen (every 5 s), by cause: ${Object.entries(causes)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; without a cause: ${unexplained}`,
        `/status not answering (of ${rss.length} reads): ${statusFailures}`,
        `every probe answering again ${Number.isFinite(back) ? `${back.toFixed(1)} s` : 'NOT within 120 s'} after the flaps stopped`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const c of children) c.kill('SIGKILL');
    lab.destroy();
    spawnSync('ip', ['link', 'del', 'soakm']);
    tls.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
