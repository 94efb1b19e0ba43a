// The site agent in a network lab: a site namespace with a primary and a backup veth link to a
// data-center namespace, policy routing so probes bound to a link's address leave by that link,
// and the agent itself running as a child process inside the site namespace (scraped over a
// third, management veth). Cut the primary: its probes fall to 0 while the backup's stay 1.
// Drop 30 % of echo replies with nftables: the loss computed from the counters over >= 200
// echoes is between 0.2 and 0.4. Every address is in 198.18.0.0/15 (the benchmarking range),
// inside namespaces this test creates and deletes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSlice } from '../../agents/test-support/inventory.ts';
import { ipn, metricValue as value, requireLabTools, runTag, sh, siteAndDc, until as waitFor, type SiteDc } from './netns.ts';

const root = join(import.meta.dirname, '..', '..');
const tag = runTag();
const MGMT = `ssm${tag}`.slice(0, 15);
const AGENT = '198.18.3.2:9464';
const INTERVAL_S = 2;
const work = mkdtempSync(join(tmpdir(), 'sansang-lab-'));
const children: ChildProcess[] = [];
let agentLog = '';
let lab: SiteDc;
let SITE = '';
let DC = '';

async function scrape(): Promise<string> {
  const r = await fetch(`http://${AGENT}/metrics`, { signal: AbortSignal.timeout(3000) });
  return r.text();
}
const until = <T>(what: string, f: () => Promise<T | undefined | false>, ms: number) => waitFor(what, f, ms, () => agentLog);

beforeAll(async () => {
  requireLabTools();
  // primary p0 <-> p1, backup b0 <-> b1 (site <-> data center), management m0 (site) <-> MGMT (this test's namespace)
  lab = siteAndDc({
    tag,
    links: { primary: { site: 'p0', far: 'p1', net: 1, table: 101 }, backup: { site: 'b0', far: 'b1', net: 2, table: 102 } },
    dcAddresses: ['198.18.9.1'],
  });
  SITE = lab.site;
  DC = lab.dc;
  sh('ip', ['link', 'add', MGMT, 'type', 'veth', 'peer', 'name', 'm0', 'netns', SITE]);
  ipn(SITE, 'addr', 'add', '198.18.3.2/24', 'dev', 'm0');
  sh('ip', ['addr', 'add', '198.18.3.1/24', 'dev', MGMT]);
  ipn(SITE, 'link', 'set', 'm0', 'up');
  sh('ip', ['link', 'set', MGMT, 'up']);
  // A service in the data center: ICMP and a TCP listener.
  const svc = spawn(
    'ip',
    ['netns', 'exec', DC, process.execPath, '-e', "require('net').createServer((c) => c.end()).listen(8080, '198.18.9.1')"],
    { stdio: 'ignore' },
  );
  children.push(svc);

  const slice = testSlice({
    services: [
      {
        id: 'tinh',
        name: 'Dịch vụ tỉnh',
        scope: 'national',
        category: 'document-management',
        probes: [
          { kind: 'icmp', host: '198.18.9.1' },
          { kind: 'tcp', host: '198.18.9.1', port: 8080 },
        ],
      },
    ],
    primary: { address: '198.18.1.2', gateway: '198.18.1.1' },
    backup: { address: '198.18.2.2', gateway: '198.18.2.1' },
    agent: { interval: `${INTERVAL_S}s`, icmpCount: 50, icmpSpacing: '10ms' },
  });
  const cfg = join(work, 'site.json');
  writeFileSync(cfg, JSON.stringify(slice));
  const agent = spawn(
    'ip',
    ['netns', 'exec', SITE, process.execPath, join(root, 'bin/sansang.js'), 'agent', '--config', cfg, '--listen', AGENT],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  agent.stderr!.on('data', (d: Buffer) => (agentLog += d.toString()));
  children.push(agent);
  await until('the agent to answer', async () => (await scrape()).includes('sansang_probe_success{'), 30_000);
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  lab?.destroy();
  spawnSync('ip', ['link', 'del', MGMT]);
  rmSync(work, { recursive: true, force: true });
});

describe('agent lab', () => {
  it('both links work to begin with', async () => {
    const m = await until(
      'every probe to succeed',
      async () => {
        const t = await scrape();
        return (
          ['primary', 'backup'].every((link) =>
            ['icmp', 'tcp-8080'].every((probe) => value(t, 'sansang_probe_success', { target: 'tinh', probe, link }) === 1),
          ) && t
        );
      },
      15_000,
    );
    expect(value(m, 'sansang_probe_success', { target: 'gateway', link: 'backup' })).toBe(1);
  });

  it('30 % of echo replies dropped: loss from the counters over >= 200 echoes is between 0.2 and 0.4', async () => {
    sh(
      'ip',
      ['netns', 'exec', DC, 'nft', '-f', '-'],
      `table ip sansanglab {\n chain out {\n  type filter hook output priority 0; policy accept;\n  ip daddr 198.18.1.2 icmp type echo-reply numgen random mod 10 < 3 drop\n }\n}\n`,
    );
    try {
      const labels = { target: 'tinh', probe: 'icmp', link: 'primary' };
      // Start counting after a full round under the rule.
      await new Promise((r) => setTimeout(r, INTERVAL_S * 1000 + 1500));
      const t0 = await scrape();
      const s0 = value(t0, 'sansang_probe_icmp_sent_total', labels)!;
      const r0 = value(t0, 'sansang_probe_icmp_received_total', labels)!;
      const t1 = await until(
        '200 echoes',
        async () => {
          const t = await scrape();
          return value(t, 'sansang_probe_icmp_sent_total', labels)! - s0 >= 200 && t;
        },
        40_000,
      );
      const sent = value(t1, 'sansang_probe_icmp_sent_total', labels)! - s0;
      const received = value(t1, 'sansang_probe_icmp_received_total', labels)! - r0;
      const loss = 1 - received / sent;
      expect(sent).toBeGreaterThanOrEqual(200);
      expect(loss).toBeGreaterThan(0.2);
      expect(loss).toBeLessThan(0.4);
      // The backup link is untouched.
      expect(value(t1, 'sansang_probe_icmp_packet_loss_ratio', { target: 'tinh', probe: 'icmp', link: 'backup' })).toBe(0);
    } finally {
      sh('ip', ['netns', 'exec', DC, 'nft', 'delete', 'table', 'ip', 'sansanglab']);
    }
  }, 70_000);

  it('cut the primary: its probes fall to 0 within two intervals, the backup stays 1', async () => {
    ipn(SITE, 'link', 'set', 'p0', 'down');
    const cutAt = Date.now();
    const m = await until(
      'the primary probes to fail',
      async () => {
        const t = await scrape();
        return (
          ['icmp', 'tcp-8080'].every((probe) => value(t, 'sansang_probe_success', { target: 'tinh', probe, link: 'primary' }) === 0) &&
          value(t, 'sansang_probe_success', { target: 'gateway', link: 'primary' }) === 0 &&
          t
        );
      },
      INTERVAL_S * 1000 * 4,
    );
    // Two intervals, plus slack for the scrape loop and a loaded machine.
    expect(Date.now() - cutAt).toBeLessThanOrEqual(INTERVAL_S * 1000 * 2 + 2000);
    for (const probe of ['icmp', 'tcp-8080']) expect(value(m, 'sansang_probe_success', { target: 'tinh', probe, link: 'backup' })).toBe(1);
    expect(value(m, 'sansang_probe_success', { target: 'gateway', link: 'backup' })).toBe(1);
    // After its failure threshold the primary link item fails; the service stays reachable over the backup.
    const later = await until(
      'wan-primary to fail',
      async () => {
        const t = await scrape();
        return value(t, 'sansang_check_status', { check: 'wan-primary' }) === 0 && t;
      },
      INTERVAL_S * 1000 * 5,
    );
    expect(value(later, 'sansang_check_status', { check: 'wan-backup' })).toBe(1);
    expect(value(later, 'sansang_check_status', { check: 'reach-document-management' })).toBe(1);
    // The site's own port is down: its probes say so instead of timing out.
    const status = (await (await fetch(`http://${AGENT}/status`, { signal: AbortSignal.timeout(3000) })).json()) as {
      probes: { target: string; link: string; errorKind?: string; cause?: object }[];
    };
    const gw = status.probes.find((p) => p.target === 'gateway' && p.link === 'primary');
    expect(gw).toMatchObject({ errorKind: 'link-down', cause: { kind: 'link-down', iface: 'p0', link: 'primary' } });
  }, 40_000);
});
