// The agent at a broken site: the kit's bundle, started as its systemd unit starts it, in a site
// namespace with a primary and a backup link to a data-center namespace. First the heartbeat:
// the far side drops everything from the primary address (the carrier stays up) and the
// gateway's probe fails within a few echoes, not at its next slot of a 20 s round, naming the
// gateway; it comes back when the gateway answers. Then the soak: random route and link flaps
// on both links (test/lab/flaps.ts) for SANSANG_SOAK_SECONDS (45 s here; bench/soak.ts runs ten
// minutes): the agent never exits, its memory stays flat, no `ping` is left behind, every
// failure it reports has a cause, and once the flaps stop every probe answers again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult, StatusDocument } from '../../inventory/index.ts';
import { bundleAgent } from '../../agents/kit.ts';
import { NODE_FLAGS } from '../../agents/install/layout.ts';
import { testSlice } from '../../agents/test-support/inventory.ts';
import { makeCertificate, type TlsMaterial } from '../../agents/test-support/servers.ts';
import { FLAPS, flap, heal, random } from './flaps.ts';
import { ipn, nftIn, programsIn, requireLabTools, rssMb, runTag, sh, siteAndDc, until as waitFor, type SiteDc } from './netns.ts';

const SOAK_SECONDS = Number(process.env.SANSANG_SOAK_SECONDS ?? 45);
const SEED = Number(process.env.SANSANG_SOAK_SEED ?? Date.now() % 100000);
const root = join(import.meta.dirname, '..', '..');
const tag = runTag();
const MGMT = `ssf${tag}`.slice(0, 15);
const AGENT = '198.18.4.2:9464';
const UP = '198.18.9.1';
const work = mkdtempSync(join(tmpdir(), 'sansang-flaps-'));
const children: ChildProcess[] = [];
let agent: ChildProcess;
let exited: string | null = null;
let agentLog = '';
let lab: SiteDc;
let tls: TlsMaterial;

const until = <T>(what: string, f: () => Promise<T | undefined | false>, ms: number) => waitFor(what, f, ms, () => agentLog);
async function status(): Promise<StatusDocument> {
  const r = await fetch(`http://${AGENT}/status`, { signal: AbortSignal.timeout(3000) });
  return (await r.json()) as StatusDocument;
}
const probe = (d: StatusDocument, target: string, link: string, kind?: string) =>
  d.probes.find((p) => p.target === target && p.link === link && (!kind || p.kind === kind));

beforeAll(async () => {
  requireLabTools();
  lab = siteAndDc({
    tag,
    links: { primary: { site: 'p0', far: 'p1', net: 1, table: 101 }, backup: { site: 'b0', far: 'b1', net: 2, table: 102 } },
    dcAddresses: [UP],
  });
  sh('ip', ['link', 'add', MGMT, 'type', 'veth', 'peer', 'name', 'm0', 'netns', lab.site]);
  ipn(lab.site, 'addr', 'add', '198.18.4.2/24', 'dev', 'm0');
  sh('ip', ['addr', 'add', '198.18.4.1/24', 'dev', MGMT]);
  ipn(lab.site, 'link', 'set', 'm0', 'up');
  sh('ip', ['link', 'set', MGMT, 'up']);

  tls = makeCertificate('portal.test', 30);
  const far = spawn(
    'ip',
    ['netns', 'exec', lab.dc, process.execPath, '--import', 'tsx', join(import.meta.dirname, 'far-side.ts'), tls.certFile, tls.keyFile, UP],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: root,
    },
  );
  children.push(far);
  const ports = await new Promise<{ http: number; https: number; tcp: number; dns: number }>((resolve, reject) => {
    let out = '';
    far.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out));
    });
    far.once('exit', (c) => reject(new Error(`the data center's servers exited (${c})`)));
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
    // A long round: a probe's next slot is seconds away; the heartbeat (every second, down after 3) is not.
    agent: { interval: '20s', icmpCount: 2, icmpSpacing: '100ms', heartbeat: { every: '1s', misses: 3 } },
  });
  const cfg = join(work, 'site.json');
  writeFileSync(cfg, JSON.stringify(slice));
  const bundle = join(work, 'sansang-agent.cjs');
  await bundleAgent(bundle);
  agent = spawn('ip', ['netns', 'exec', lab.site, process.execPath, ...NODE_FLAGS, bundle, '--config', cfg, '--listen', AGENT], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  agent.stderr!.on('data', (d: Buffer) => (agentLog += d.toString()));
  agent.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  children.push(agent);
  await until(
    'every probe of both links to answer',
    async () => {
      const d = await status();
      return d.probes.length === 12 && d.probes.every((p) => p.success) && d;
    },
    45_000,
  );
}, 90_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  lab?.destroy();
  spawnSync('ip', ['link', 'del', MGMT]);
  tls?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('the agent at a broken site', () => {
  it('the far side drops everything (carrier up): the heartbeat fails the gateway within a few echoes, and brings it back', async () => {
    const l = lab.links.primary!;
    nftIn(
      lab.dc,
      `table inet hb {\n  chain in {\n    type filter hook input priority 0; policy accept;\n    ip saddr ${l.address} drop\n  }\n}\n`,
    );
    const cut = Date.now();
    let seen: ProbeResult | undefined;
    try {
      seen = await until(
        "the heartbeat's verdict on the primary gateway",
        async () => {
          const gw = probe(await status(), 'gateway', 'primary');
          // The heartbeat's signature: the echoes it missed (a round of this agent sends 2).
          return gw && !gw.success && (gw.icmp?.sent ?? 0) >= 3 && gw;
        },
        15_000,
      );
      const seconds = (Date.now() - cut) / 1000;
      // Well before the gateway's next slot could have seen it (a 20 s round).
      expect(seconds).toBeLessThan(10);
      expect(seen.cause).toEqual({ kind: 'gateway-no-echo', link: 'primary', gateway: l.gateway, echoes: seen.icmp!.sent });
      // The primary's own echo probe times out by its next slot (under load it may still show the
      // round before the cut when the heartbeat has already spoken); the backup is untouched.
      const d = await until(
        'the primary echo probe timing out',
        async () => {
          const d = await status();
          return probe(d, 'icmp', 'primary')?.success === false && d;
        },
        25_000,
      );
      expect(probe(d, 'icmp', 'primary')).toMatchObject({ success: false, errorKind: 'timeout' });
      expect(probe(d, 'gateway', 'backup')?.success).toBe(true);
    } finally {
      nftIn(lab.dc, 'delete table inet hb\n');
    }
    await until(
      'the primary gateway back',
      async () => {
        const d = await status();
        return probe(d, 'gateway', 'primary')?.success && probe(d, 'icmp', 'primary')?.success && d;
      },
      10_000,
    );
  }, 40_000);

  it(
    `random route and link flaps for ${SOAK_SECONDS} s (seed ${SEED}): no exit, flat memory, no ping left behind, every failure with its cause`,
    async () => {
      const pid = agent.pid!;
      const startedAt = (await status()).agent.startedAt;
      const rss: number[] = [];
      const causes: Record<string, number> = {};
      let unexplained = 0;
      let maxPings = 0;
      let done = false;
      const watch = (async () => {
        while (!done) {
          rss.push(rssMb(pid));
          maxPings = Math.max(maxPings, programsIn(lab.site).filter((p) => p === 'ping').length);
          const d = await status().catch(() => null);
          for (const p of d?.probes ?? []) {
            if (p.success) continue;
            if (!p.cause) unexplained++;
            else causes[p.cause.kind] = (causes[p.cause.kind] ?? 0) + 1;
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      })();
      const flaps = await flap(lab, [UP], SOAK_SECONDS, random(SEED), () => exited !== null);
      done = true;
      await watch;
      heal(lab, [UP]);
      expect(exited, agentLog.slice(-2000)).toBeNull();
      expect(Object.keys(flaps).length, JSON.stringify(flaps)).toBeGreaterThanOrEqual(Math.min(FLAPS.length, 4));
      // The same process all along (under systemd, an exit would be a restart).
      expect((await status()).agent.startedAt).toBe(startedAt);
      // Flat memory: the last ten seconds against the ten after warming up.
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const early = median(rss.slice(5, 15));
      const late = median(rss.slice(-10));
      expect(late - early, `RSS ${rss.map((x) => x.toFixed(0)).join(' ')}`).toBeLessThan(16);
      // The heartbeat's four pings and the probes' own: nothing piles up.
      expect(maxPings).toBeLessThanOrEqual(10);
      expect(unexplained).toBe(0);
      expect(causes.other ?? 0, JSON.stringify(causes)).toBe(0);
      // Once the flaps stop, every probe answers again.
      await until(
        'every probe to answer again after the flaps',
        async () => {
          const d = await status();
          return d.probes.every((p) => p.success) && d;
        },
        45_000,
      );
      process.stderr.write(
        `soak ${SOAK_SECONDS} s, seed ${SEED}: flaps ${JSON.stringify(flaps)}; causes seen ${JSON.stringify(causes)}; RSS ${early.toFixed(1)} -> ${late.toFixed(1)} MB; pings at most ${maxPings}\n`,
      );
    },
    (SOAK_SECONDS + 120) * 1000,
  );
});
