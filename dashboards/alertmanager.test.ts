// alertmanager.yml checked by the real amtool (config and routing) and by a real Alertmanager
// (a maintenance window mutes its unit and only its unit).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, writeGeneratedFiles, type Inventory } from '../inventory/index.ts';
import { ALERTMANAGER_FILE, alertmanagerFiles, windowRanges } from './alertmanager.ts';
import { startAlertmanager } from '../test/support/monitoring.ts';
import { startSmtpStandIn, startTelegramStandIn, startWebhookStandIn } from '../test/support/notify-standins.ts';

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
    // 16681 is the hot spot: both teams covering it are paged through their hot-spot receivers
    // during the watch, and their normal ones outside it (amtool ignores the time intervals, the
    // real Alertmanager below does not).
    expect(await route('alertname=SansangUnitNotReady', 'unit=16681')).toBe('team-ttdl-hotspot,team-vinh-hotspot,team-ttdl,team-vinh');
    expect(await route('alertname=SansangUnitNotReady', 'unit=16690')).toBe('team-ttdl,team-vinh');
    // Not acknowledged in time: the twin goes to the team vinh escalates to, once.
    expect(await route('alertname=SansangUnitNotReady', 'unit=16690', 'escalated=true')).toBe('team-ttdl');
    // A shared outage: one alert per item, to each team whose units have the item, grouped per item.
    expect(await route('alertname=SansangSharedOutage', 'check=reach-lgsp')).toBe('team-ttdl,team-vinh');
    expect(await route('alertname=SansangSharedOutage', 'check=reach-lgsp', 'escalated=true')).toBe('team-ttdl');
    // 17827 has a maintenance window: its own subtree (muted in the window), the province team only.
    expect(await route('alertname=SansangUnitNotReady', 'unit=17827')).toBe('team-ttdl');
    // Alerts without a unit go to the team covering the whole province.
    expect(await route('alertname=SansangAnchorsMissing', 'anchor=sansang_check_expected')).toBe('team-ttdl');
    const tree = await amtool(['config', 'routes', 'show', `--config.file=${file}`]);
    expect(tree).toMatch(/unit=~"16681".*\}\s+continue: true\s+receiver: team-ttdl-hotspot/);
    const yml = await readFile(file, 'utf8');
    expect(yml).toMatch(/alertname="SansangSharedOutage"[\s\S]*?group_by:\s+- alertname\s+- check/);
    expect(yml).toMatch(/active_time_intervals:\s+- watch/);
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

  it('a real Alertmanager mutes the unit in maintenance, pages the hot spot once during the watch, and delivers by e-mail, Telegram and webhook', async () => {
    const smtp = await startSmtpStandIn();
    const telegram = await startTelegramStandIn();
    const hook = await startWebhookStandIn();
    cleanup.push(smtp.close, telegram.close, hook.close);
    const dir = await tempDir();
    const passwordFile = join(dir, 'smtp-password');
    const tokenFile = join(dir, 'telegram-token');
    // Alertmanager 0.25 sends the file's bytes as they are, a final new line too: written without one.
    await writeFile(passwordFile, 'relay-secret-from-a-file');
    await writeFile(tokenFile, '123456:stand-in-bot-token\n');

    const base = await loadInventoryFile(demo);
    const now = Date.now();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: base.province.timezone }).format(now);
    const inv: Inventory = {
      ...base,
      province: { ...base.province, watch: { from: today, to: today } },
      units: base.units.map((u) => ({ ...u, hotSpot: u.code === '16681' })),
      teams: [
        {
          id: 'watch',
          name: 'Watch',
          units: ['*'],
          email: ['truc-ban@example.invalid'],
          webhook: [`${hook.url}/watch`],
          telegram: [-1001234567890],
        },
      ],
      notify: {
        ...base.notify,
        smtp: {
          smarthost: `127.0.0.1:${smtp.port}`,
          from: 'sansang@example.invalid',
          username: 'sansang',
          passwordFile,
          requireTls: false,
        },
        telegram: { botTokenFile: tokenFile, apiUrl: telegram.url },
        groupWait: '1s',
        groupInterval: '2s',
      },
      maintenance: [
        { unit: '17827', from: new Date(now - 3600_000).toISOString(), to: new Date(now + 3600_000).toISOString(), reason: 'test' },
      ],
    };
    // Debian's Alertmanager is 0.25: no bot_token_file before 0.26, so the token goes in the file.
    await writeGeneratedFiles(dir, alertmanagerFiles(inv, { version: '0.25.0' }));
    const file = join(dir, ALERTMANAGER_FILE);
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/example\.invalid:587|placeholder/i);
    expect(text).toContain('smtp_auth_password_file');
    expect(await amtool(['check-config', file])).toContain('SUCCESS');
    const am = await startAlertmanager(file, dir);
    cleanup.push(am.stop);

    const alerts = ['16681', '16690', '17827'].map((unit) => ({
      labels: { alertname: 'SansangUnitNotReady', severity: 'critical', unit },
      annotations: { summary: `Đơn vị ${unit} chưa sẵn sàng` },
    }));
    const posted = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(posted.status).toBe(200);
    const units = () => hook.calls.flatMap((c) => c.alerts.map((a) => a.labels.unit));
    for (
      let i = 0;
      i < 150 && !(units().includes('16681') && units().includes('16690') && telegram.calls.length >= 2 && smtp.mails.length >= 2);
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    // Both groups were due at the same time; give the muted one a few more seconds to (not) arrive.
    await new Promise((r) => setTimeout(r, 3000));
    expect(units().sort()).toEqual(['16681', '16690']);
    // The watch is on today: the hot spot pages through its hot-spot receiver only (one stream).
    expect(hook.calls.find((c) => c.alerts[0]!.labels.unit === '16681')!.receiver).toBe('team-watch-hotspot');
    expect(hook.calls.find((c) => c.alerts[0]!.labels.unit === '16690')!.receiver).toBe('team-watch');
    // E-mail through the relay, authenticated with the password read from its file.
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[0]).toMatchObject({ user: 'sansang', password: 'relay-secret-from-a-file' });
    expect(smtp.mails.map((m) => m.to.join())).toEqual(['<truc-ban@example.invalid>', '<truc-ban@example.invalid>']);
    expect(smtp.mails.map((m) => m.data).join('\n')).toContain('SansangUnitNotReady');
    // Telegram: the bot token from its file, the team's chat.
    const sent = telegram.calls.filter((c) => c.method === 'sendMessage');
    expect(sent).toHaveLength(2);
    expect(sent.every((c) => c.token === '123456:stand-in-bot-token' && Number(c.body.chat_id) === -1001234567890)).toBe(true);
    expect(String(sent[0]!.body.text)).toContain('SansangUnitNotReady');
  });
});
