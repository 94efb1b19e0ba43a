// Offices as they are really wired, in network namespaces (issue 17's "Done when"):
//   site A   two links: the primary reachable from the data center; the 4G backup behind a
//            carrier's NAT (nftables masquerade in a "carrier" namespace, no inbound path at all),
//            so the agent pushes over it to the board, which forwards its samples to a real
//            Prometheus (--web.enable-remote-write-receiver).
//   site R   one network card behind a dual-WAN router namespace (two uplinks, each masqueraded),
//            which fails over by itself (`ip route replace default` in the router).
// This test's namespace is the data center: the board (embedded mode, push receiver) on the
// data center's address, Prometheus on loopback. Checked: A reaches GO with its backup pushed,
// and its backup turns UNKNOWN (never GO) when its pushes stop; a data-center outage leaves no
// gap in A's pushed samples once it is back (compressed here: 2 s probes, a 30 s outage; the
// literal ten minutes is `npx tsx bench/dc-outage.ts`, figures in bench/README.md); the router's
// failover turns R's "running on the primary" item and names the backup uplink in
// sansang_uplink_active within two probe intervals. Addresses in 198.19.0.0/16 (benchmarking
// range), in namespaces this test creates and deletes, and on this namespace's loopback.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startBoard, type RunningBoard } from '../../dashboards/index.ts';
import { freePort } from '../../dashboards/board/testing.ts';
import { itemState, unitItems } from '../../demo/lab/board-watch.ts';
import { allChecklistItems, AGENT_METRICS, loadInventoryText, pushToken } from '../../inventory/index.ts';
import { testInventoryYaml } from '../../agents/test-support/inventory.ts';
import { deleteNs, ipn, metricValue, nftIn, requireLabTools, requireTool, runTag, sh, until } from './netns.ts';

const root = join(import.meta.dirname, '..', '..');
const tag = runTag();
const INTERVAL_S = 2;
/** The outage: 30 s in npm test; `SANSANG_DC_OUTAGE_S=600` for the literal ten minutes (bench/dc-outage.sh). */
const OUTAGE_S = Number(process.env.SANSANG_DC_OUTAGE_S ?? 30);
const DC = '198.19.0.1';
const SECRET = 'lab-push-secret-0123456789abcdef';
// Not the demo lab's `ss-` prefix: test/lab/demo-lab.test.ts, which may run beside this file, counts
// every `ss-` namespace as its own.
const ns = { a: `of-a-${tag}`, carrier: `of-c-${tag}`, r: `of-r-${tag}`, router: `of-g-${tag}` };
/** Interfaces in this namespace (the data center's ends): unique per run, 15 characters at most. */
const dcIf = {
  aPrim: `sa${tag}`.slice(0, 15),
  carrier: `sc${tag}`.slice(0, 15),
  up1: `su${tag}`.slice(0, 15),
  up2: `sv${tag}`.slice(0, 15),
};
const A = { site: 'a-site', unit: '16681', primary: '198.19.1.2', backup: '198.19.2.2' };
const R = { site: 'r-site', unit: '16690', address: '198.19.4.2', uplink1: '198.19.5.2', uplink2: '198.19.6.2' };
const work = mkdtempSync(join(tmpdir(), 'sansang-offices-'));
const children: ChildProcess[] = [];
const logs: Record<string, string> = {};
let board: RunningBoard | undefined;
let boardUrl = '';
let promUrl = '';
let service: Server | undefined;
/** What the board showed last (for a failure's message). */
let seen = '';

const fresh = (what: string) => () =>
  `${what}: board ${seen}\n${Object.entries(logs)
    .map(([k, v]) => `--- ${k}\n${v.slice(-1500)}`)
    .join('\n')}`;

function start(name: string, cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  logs[name] = '';
  c.stdout!.on('data', (d: Buffer) => (logs[name] += d.toString()));
  c.stderr!.on('data', (d: Buffer) => (logs[name] += d.toString()));
  children.push(c);
  return c;
}

/** A veth pair between two namespaces (`undefined`: this one), each end addressed and up. */
function veth(a: { ns?: string; ifname: string; addr: string }, b: { ns?: string; ifname: string; addr: string }): void {
  sh('ip', [
    ...(a.ns ? ['-n', a.ns] : []),
    'link',
    'add',
    a.ifname,
    'type',
    'veth',
    'peer',
    'name',
    b.ifname,
    'netns',
    b.ns ?? String(process.pid),
  ]);
  for (const e of [a, b]) {
    sh('ip', [...(e.ns ? ['-n', e.ns] : []), 'addr', 'add', e.addr, 'dev', e.ifname]);
    sh('ip', [...(e.ns ? ['-n', e.ns] : []), 'link', 'set', e.ifname, 'up']);
  }
}

/** The lab's inventory: two units, A with an outbound-only 4G backup, R behind a dual-WAN router; short `for`s, no manual items. */
function labInventory(boardPort: number): string {
  const base = parse(
    testInventoryYaml({
      services: [
        {
          id: 'tinh',
          name: 'Dịch vụ tỉnh',
          scope: 'provincial',
          category: 'document-management',
          hostedIn: ['dc1'],
          probes: [
            { kind: 'icmp', host: DC },
            { kind: 'tcp', host: DC, port: 18082 },
          ],
        },
      ],
      primary: { address: A.primary, gateway: '198.19.1.1' },
      agent: {
        interval: `${INTERVAL_S}s`,
        icmpCount: 3,
        icmpSpacing: '50ms',
        heartbeat: { enabled: false },
        push: { receivers: [`http://${DC}:${boardPort}`], tokenFile: join(work, '{site}.token'), spoolDir: join(work, 'spool', '{site}') },
      },
    }),
  ) as { units: Record<string, unknown>[]; checklist?: unknown };
  base.units = [
    {
      code: A.unit,
      name: 'Phường Có Đường 4G',
      kind: 'phuong',
      sites: [
        {
          id: A.site,
          name: 'Trụ sở A',
          links: {
            primary: { kind: 'wan', address: A.primary, gateway: '198.19.1.1' },
            backup: { kind: '4g', address: A.backup, gateway: '198.19.2.1', reachable: false },
          },
        },
      ],
    },
    {
      code: R.unit,
      name: 'Xã Có Bộ Định Tuyến',
      kind: 'xa',
      sites: [
        {
          id: R.site,
          name: 'Trụ sở R',
          links: { primary: { kind: 'wan', address: R.address, gateway: '198.19.4.1' } },
          router: { uplinks: { primary: { kind: 'wan', address: R.uplink1 }, backup: { kind: '4g', address: R.uplink2 } } },
        },
      ],
    },
  ];
  const inv = loadInventoryText(stringify(base), 'offices.yaml');
  const items = allChecklistItems(inv);
  base.checklist = {
    drop: items.filter((i) => i.kind === 'manual').map((i) => i.id),
    add: [],
    thresholds: Object.fromEntries(items.filter((i) => i.kind !== 'manual').map((i) => [i.id, { for: `${2 * INTERVAL_S}s` }])),
  };
  return stringify(base);
}

async function promQuery(q: string, time?: number): Promise<{ metric: Record<string, string>; values?: [number, string][] }[]> {
  const u = new URL('/api/v1/query', promUrl);
  u.searchParams.set('query', q);
  if (time) u.searchParams.set('time', String(time));
  const r = (await (await fetch(u, { signal: AbortSignal.timeout(5000) })).json()) as {
    data: { result: { metric: Record<string, string>; values?: [number, string][] }[] };
  };
  return r.data.result;
}

const agentMetrics = async (address: string) =>
  (await fetch(`http://${address}:9464/metrics`, { signal: AbortSignal.timeout(3000) })).text();

beforeAll(async () => {
  requireLabTools();
  requireTool('prometheus', ['--version'], 'prometheus');
  for (const n of Object.values(ns)) {
    sh('ip', ['netns', 'add', n]);
    ipn(n, 'link', 'set', 'lo', 'up');
  }
  sh('ip', ['addr', 'add', `${DC}/32`, 'dev', 'lo']);
  // Site A: primary straight to the data center; backup to the carrier, which masquerades out of its uplink.
  veth({ ns: ns.a, ifname: 'prim', addr: `${A.primary}/24` }, { ifname: dcIf.aPrim, addr: '198.19.1.1/24' });
  veth({ ns: ns.a, ifname: 'back', addr: `${A.backup}/24` }, { ns: ns.carrier, ifname: 'lan', addr: '198.19.2.1/24' });
  veth({ ns: ns.carrier, ifname: 'wan', addr: '198.19.3.2/24' }, { ifname: dcIf.carrier, addr: '198.19.3.1/24' });
  ipn(ns.a, 'rule', 'add', 'from', A.primary, 'table', '101');
  ipn(ns.a, 'route', 'add', `${DC}/32`, 'via', '198.19.1.1', 'table', '101');
  ipn(ns.a, 'rule', 'add', 'from', A.backup, 'table', '102');
  ipn(ns.a, 'route', 'add', 'default', 'via', '198.19.2.1', 'table', '102');
  sh('ip', ['netns', 'exec', ns.carrier, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  ipn(ns.carrier, 'route', 'add', 'default', 'via', '198.19.3.1');
  // Carrier-grade NAT: out by masquerade; nothing from outside opens a connection in.
  nftIn(
    ns.carrier,
    `table ip cgnat {
  chain post { type nat hook postrouting priority 100; oifname "wan" masquerade; }
  chain lanwan { type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
}
`,
  );
  // Site R: one card behind the dual-WAN router; the router masquerades out of either uplink.
  veth({ ns: ns.r, ifname: 'lan', addr: `${R.address}/24` }, { ns: ns.router, ifname: 'lan', addr: '198.19.4.1/24' });
  veth({ ns: ns.router, ifname: 'up1', addr: `${R.uplink1}/24` }, { ifname: dcIf.up1, addr: '198.19.5.1/24' });
  veth({ ns: ns.router, ifname: 'up2', addr: `${R.uplink2}/24` }, { ifname: dcIf.up2, addr: '198.19.6.1/24' });
  ipn(ns.r, 'route', 'add', 'default', 'via', '198.19.4.1');
  sh('ip', ['netns', 'exec', ns.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  ipn(ns.router, 'route', 'add', 'default', 'via', '198.19.5.1');
  nftIn(ns.router, 'table ip dualwan {\n chain post { type nat hook postrouting priority 100; oifname { "up1", "up2" } masquerade; }\n}\n');
  // The data center reaches R's card through the router's primary uplink (the office's VPN); A's backup not at all.
  sh('ip', ['route', 'add', '198.19.4.0/24', 'via', R.uplink1]);

  // The service A probes, in the data center.
  service = createServer((c) => c.end());
  await new Promise<void>((r) => service!.listen(18082, DC, () => r()));
  // Prometheus with its remote-write receiver; the board forwards the pushed samples to it.
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  writeFileSync(join(work, 'prometheus.yml'), 'global: { scrape_interval: 15s }\n');
  mkdirSync(join(work, 'prom'));
  start('prometheus', 'prometheus', [
    `--config.file=${join(work, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(work, 'prom')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--web.enable-remote-write-receiver',
  ]);
  const boardPort = await freePort();
  const invFile = join(work, 'inventory.yaml');
  writeFileSync(invFile, labInventory(boardPort));
  const inv = loadInventoryText(labInventory(boardPort), invFile);
  for (const s of [A.site, R.site]) writeFileSync(join(work, `${s}.token`), `${pushToken(SECRET, s)}\n`);
  await until('Prometheus to start', async () => (await fetch(`${promUrl}/-/ready`)).ok, 30_000, fresh('prometheus'));
  board = await startBoard({
    inventory: inv,
    dataDir: join(work, 'board'),
    listen: { host: DC, port: boardPort },
    refreshMs: 1000,
    push: { secret: SECRET, writeUrl: `${promUrl}/api/v1/write` },
  });
  boardUrl = board.url.replace(/\/$/, '');
  for (const [site, n] of [
    [A.site, ns.a],
    [R.site, ns.r],
  ] as const)
    start(`agent ${site}`, 'ip', [
      'netns',
      'exec',
      n,
      process.execPath,
      join(root, 'bin/sansang.js'),
      'agent',
      '--inventory',
      invFile,
      '--site',
      site,
    ]);
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await board?.close();
  await new Promise<void>((r) => (service ? service.close(() => r()) : r()));
  for (const n of Object.values(ns)) deleteNs(n);
  spawnSync('ip', ['route', 'del', '198.19.4.0/24']);
  spawnSync('ip', ['addr', 'del', `${DC}/32`, 'dev', 'lo']);
  spawnSync('nft', ['delete', 'table', 'ip', `ssdc${tag}`]);
  rmSync(work, { recursive: true, force: true });
});

describe('offices as they are wired', () => {
  it('the 4G backup behind the carrier NAT: no inbound path, yet the site reaches GO from what it pushes', async () => {
    // No way in: from the data center, the backup's address answers nothing.
    const probe = spawnSync('ping', ['-c', '1', '-W', '1', A.backup], { encoding: 'utf8' });
    expect(probe.status).not.toBe(0);
    const unit = await until(
      'unit A GO with its backup pushed',
      async () => {
        const u = await unitItems(boardUrl, A.unit).catch((e: Error) => {
          seen = `${boardUrl}: ${e.message}`;
          throw e;
        });
        seen = JSON.stringify(u.items.filter((i) => i.state !== 'go'));
        return u.state === 'go' && u;
      },
      60_000,
      fresh('A'),
    );
    expect(unit.items.find((i) => i.check === 'wan-backup')?.state).toBe('go');
    // The pushed samples are in Prometheus with the labels a scrape would give them.
    const up = await until(
      'pushed `up` in Prometheus',
      async () => (await promQuery(`up{site="${A.site}", scrape_link="backup"}`))[0],
      20_000,
    );
    expect(up.metric).toMatchObject({ job: 'sansang-agent', unit: A.unit, site: A.site, scrape_link: 'backup' });
  }, 90_000);

  it('its pushes stop (the carrier drops them, the link still works): the backup is UNKNOWN, never GO, then GO again', async () => {
    const port = new URL(boardUrl).port;
    nftIn(ns.carrier, `table ip pushcut {\n chain cut {\n  type filter hook forward priority -10;\n  tcp dport ${port} drop\n }\n}\n`);
    try {
      await until('wan-backup UNKNOWN', async () => (await itemState(boardUrl, A.unit, 'wan-backup')) === 'unknown', 30_000, fresh('A'));
      // Stays UNKNOWN while nothing arrives (never GO, not NO-GO: the link itself works).
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 500));
        expect(await itemState(boardUrl, A.unit, 'wan-backup')).toBe('unknown');
      }
      expect((await unitItems(boardUrl, A.unit)).state).toBe('unknown');
    } finally {
      sh('ip', ['netns', 'exec', ns.carrier, 'nft', 'delete', 'table', 'ip', 'pushcut']);
    }
    await until('wan-backup GO again', async () => (await itemState(boardUrl, A.unit, 'wan-backup')) === 'go', 60_000, fresh('A'));
  }, 120_000);

  it(
    `a data-center outage (${OUTAGE_S} s${OUTAGE_S < 600 ? ', compressed' : ''}) leaves no gap in the pushed samples once it is back`,
    async () => {
      // Pushes arrive before the outage (when run alone, the agent has only just started).
      await until(
        'pushed samples in Prometheus',
        async () => (await promQuery(`up{site="${A.site}", scrape_link="backup"}`))[0],
        60_000,
        fresh('A'),
      );
      await new Promise((r) => setTimeout(r, 2 * INTERVAL_S * 1000));
      const from = Date.now() / 1000;
      // The data center is gone: nothing reaches its address, from any link.
      sh(
        'nft',
        ['-f', '-'],
        `table ip ssdc${tag} {\n chain in {\n  type filter hook input priority 0;\n  ip daddr ${DC} tcp dport ${new URL(boardUrl).port} drop\n }\n}\n`,
      );
      await new Promise((r) => setTimeout(r, OUTAGE_S * 1000));
      // The agent kept its backlog on disk meanwhile.
      const backlog = metricValue(await agentMetrics(A.primary), AGENT_METRICS.pushBacklogBytes, { link: 'backup' });
      expect(backlog).toBeGreaterThan(0);
      sh('nft', ['delete', 'table', 'ip', `ssdc${tag}`]);
      const back = Date.now() / 1000;
      await until(
        'the backlog sent',
        async () => metricValue(await agentMetrics(A.primary), AGENT_METRICS.pushBacklogBytes, { link: 'backup' }) === 0,
        90_000,
        fresh('A'),
      );
      const sentAfter = Math.round(Date.now() / 1000 - back);
      // Every interval of the window has its sample.
      const end = Date.now() / 1000;
      const win = Math.ceil(end - from) + 2 * INTERVAL_S;
      const [series] = await promQuery(`up{site="${A.site}", scrape_link="backup"}[${win}s]`, end);
      const ts = series!.values!.map(([t]) => Number(t)).filter((t) => t >= from - INTERVAL_S);
      const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
      const dropped = metricValue(await agentMetrics(A.primary), AGENT_METRICS.pushDropped, { link: 'backup' });
      // Where the long gaps are: before the outage, during it (the backlog) or after it.
      const long = gaps.flatMap((g, i) =>
        g >= 1.5 * INTERVAL_S
          ? [`${g.toFixed(2)} s at ${ts[i]! < from ? 'before' : ts[i]! < back ? 'during' : 'after'} +${Math.round(ts[i]! - from)} s`]
          : [],
      );
      process.stderr.write(
        `dc-outage: ${OUTAGE_S} s outage, backlog ${backlog} bytes at its end, ${dropped} samples dropped, all sent ${sentAfter} s after it; ${ts.length} samples over ${Math.round(ts.at(-1)! - ts[0]!)} s, largest gap ${Math.max(...gaps).toFixed(2)} s (interval ${INTERVAL_S} s); gaps of 1.5 intervals or more: ${long.join(', ') || 'none'}\n`,
      );
      expect(dropped).toBe(0);
      expect(ts[0]!).toBeLessThanOrEqual(from);
      expect(ts.at(-1)!).toBeGreaterThan(back);
      // No tick lost: a missing sample would leave a gap of two intervals (a tick may start late under load, never twice late).
      expect(Math.max(...gaps)).toBeLessThan(2 * INTERVAL_S);
      expect(ts.length).toBeGreaterThanOrEqual(Math.floor((ts.at(-1)! - ts[0]!) / INTERVAL_S));
    },
    (OUTAGE_S + 240) * 1000,
  );

  it('the dual-WAN router fails over: within two probe intervals the item turns and the metric names the backup uplink', async () => {
    const m0 = await until(
      'R on its primary uplink',
      async () => {
        const t = await agentMetrics(R.address);
        return (
          metricValue(t, AGENT_METRICS.uplinkActive, { uplink: 'primary' }) === 1 &&
          metricValue(t, AGENT_METRICS.checkStatus, { check: 'uplink-primary' }) === 1 &&
          t
        );
      },
      30_000,
      fresh('R'),
    );
    expect(metricValue(m0, AGENT_METRICS.checkStatus, { check: 'uplink-primary' })).toBe(1);
    await until('the board shows R on its primary', async () => (await itemState(boardUrl, R.unit, 'uplink-primary')) === 'go', 30_000);
    const t0 = Date.now();
    ipn(ns.router, 'route', 'replace', 'default', 'via', '198.19.6.1');
    // Polled closely (every 100 ms), so the time measured is the agent's, not the poll's.
    let m1 = '';
    while (Date.now() - t0 < 10 * INTERVAL_S * 1000) {
      const t = await agentMetrics(R.address).catch(() => '');
      if (
        metricValue(t, AGENT_METRICS.uplinkActive, { uplink: 'backup' }) === 1 &&
        metricValue(t, AGENT_METRICS.checkStatus, { check: 'uplink-primary' }) === 0
      ) {
        m1 = t;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const took = (Date.now() - t0) / 1000;
    expect(m1, fresh('R on its backup uplink')()).not.toBe('');
    expect(took).toBeLessThanOrEqual(2 * INTERVAL_S);
    expect(metricValue(m1, AGENT_METRICS.uplinkActive, { uplink: 'primary' })).toBe(0);
    // The board's advisory item turns; the unit stays GO (advisory).
    const u = await until(
      'the board shows R on its backup',
      async () => {
        const x = await unitItems(boardUrl, R.unit);
        return x.items.find((i) => i.check === 'uplink-primary')?.state === 'nogo' && x;
      },
      15_000,
    );
    expect(u.state).toBe('go');
    ipn(ns.router, 'route', 'replace', 'default', 'via', '198.19.5.1');
    await until(
      'R back on its primary',
      async () => metricValue(await agentMetrics(R.address), AGENT_METRICS.uplinkActive, { uplink: 'primary' }) === 1,
      10_000,
    );
  }, 90_000);
});
