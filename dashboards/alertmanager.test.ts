// alertmanager.yml checked by the real amtool (config and routing) and by a real Alertmanager
// (a maintenance window mutes its unit and only its unit).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, writeGeneratedFiles, type Inventory } from '../inventory/index.ts';
import { ALERTMANAGER_FILE, alertmanagerFiles, windowRanges } from './alertmanager.ts';
import { freePort } from './board/testing.ts';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
const demo = join(root, 'inventory/examples/demo.yaml');
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sansang-am-'));
  cleanup.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

async function amtool(args: string[]): Promise<string> {
  try {
    const r = await run('amtool', args);
    return r.stdout.trim();
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('amtool not found: install the Debian package "prometheus-alertmanager"');
    throw new Error(`amtool ${args.join(' ')} failed: ${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

describe('alertmanager.yml', () => {
  it('`sansang config alertmanager` passes amtool and routes hot spots first, each team its units', async () => {
    const dir = await tempDir();
    await run(process.execPath, [join(root, 'bin/sansang.js'), 'config', 'alertmanager', '--inventory', demo, '--out', dir], { cwd: root });
    const file = join(dir, ALERTMANAGER_FILE);
    expect(await amtool(['check-config', file])).toContain('SUCCESS');
    const route = (...labels: string[]) => amtool(['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
    // 16681 is the hot spot: both teams covering it are paged through their hot-spot receivers.
    expect(await route('alertname=SansangUnitNotReady', 'unit=16681')).toBe('team-ttdl-hotspot,team-vinh-hotspot');
    expect(await route('alertname=SansangUnitNotReady', 'unit=16690')).toBe('team-ttdl,team-vinh');
    // 17827 has a maintenance window: its own subtree (muted in the window), the province team only.
    expect(await route('alertname=SansangUnitNotReady', 'unit=17827')).toBe('team-ttdl');
    // Alerts without a unit go to the team covering the whole province.
    expect(await route('alertname=SansangAnchorsMissing', 'anchor=sansang_check_expected')).toBe('team-ttdl');
    const tree = await amtool(['config', 'routes', 'show', `--config.file=${file}`]);
    expect(tree).toMatch(/unit=~"16681"\}\s+continue: true\s+receiver: team-ttdl-hotspot/);
  });

  it('turns one-off windows into pinned dates in the province time zone', () => {
    const tz = 'Asia/Ho_Chi_Minh';
    expect(windowRanges({ from: '2025-06-30T22:00:00+07:00', to: '2025-06-30T23:30:00+07:00' }, tz)).toEqual([
      { times: [{ start_time: '22:00', end_time: '23:30' }], days_of_month: ['30'], months: ['6'], years: ['2025'], location: tz },
    ]);
    // Given in UTC, spanning a month end: first evening, whole days per month, last morning.
    expect(windowRanges({ from: '2025-06-28T15:00:00Z', to: '2025-07-03T01:15:00Z' }, tz)).toEqual([
      { times: [{ start_time: '22:00', end_time: '24:00' }], days_of_month: ['28'], months: ['6'], years: ['2025'], location: tz },
      { days_of_month: ['29:30'], months: ['6'], years: ['2025'], location: tz },
      { days_of_month: ['1:2'], months: ['7'], years: ['2025'], location: tz },
      { times: [{ start_time: '00:00', end_time: '08:15' }], days_of_month: ['3'], months: ['7'], years: ['2025'], location: tz },
    ]);
  });

  it('a real Alertmanager mutes the unit in maintenance and still notifies for the others', async () => {
    // A webhook receiver on loopback records what the Alertmanager delivers.
    const delivered: { unit?: string }[] = [];
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const msg = JSON.parse(body) as { alerts: { labels: { unit?: string } }[] };
        for (const a of msg.alerts) delivered.push({ unit: a.labels.unit });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => hook.close(() => r())));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;

    const base = await loadInventoryFile(demo);
    const now = Date.now();
    const inv: Inventory = {
      ...base,
      units: base.units.map((u) => ({ ...u, hotSpot: true })),
      teams: [{ id: 'watch', name: 'Watch', units: ['*'], email: [], webhook: [hookUrl], telegram: [] }],
      maintenance: [
        { unit: '17827', from: new Date(now - 3600_000).toISOString(), to: new Date(now + 3600_000).toISOString(), reason: 'test' },
      ],
    };
    const dir = await tempDir();
    await writeGeneratedFiles(dir, alertmanagerFiles(inv));
    const port = await freePort();
    const am: ChildProcess = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${join(dir, ALERTMANAGER_FILE)}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    cleanup.push(() => {
      am.kill('SIGKILL');
    });
    await new Promise<void>((resolve, reject) => {
      am.once('error', (e) =>
        reject(new Error(`prometheus-alertmanager did not start (install the Debian package "prometheus-alertmanager"): ${e.message}`)),
      );
      am.once('spawn', () => resolve());
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const alerts = ['16681', '17827'].map((unit) => ({
      labels: { alertname: 'SansangUnitNotReady', severity: 'critical', unit },
      annotations: { summary: unit },
    }));
    const posted = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(posted.status).toBe(200);
    // Hot-spot routes wait 10s before the first notification.
    for (let i = 0; i < 300 && !delivered.some((d) => d.unit === '16681'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(delivered.map((d) => d.unit)).toContain('16681');
    // Both groups were due at the same time; give the muted one a few more seconds to (not) arrive.
    await new Promise((r) => setTimeout(r, 3000));
    expect(delivered.map((d) => d.unit)).not.toContain('17827');
  });
});
