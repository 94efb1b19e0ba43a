// The week report against answers counted by hand: a week of the demo's three units, written
// into a real Prometheus's TSDB by backfilling (promtool tsdb create-blocks-from openmetrics),
// read back with range queries by `sansang report` (its CSV must equal the fixture) and by the
// board's /report/week, printed to PDF on A4 by a real headless Chromium.
//
// The history (local time, UTC+07:00), one sample a minute as the rules would record them:
//   Phường Thành Vinh   02/07 09:00–10:30 LGSP NO-GO; 04/07 14:00–14:20 primary WAN NO-GO.
//   Phường Trường Vinh  01/07 00:00–01:00 UNKNOWN (just started); 02/07 09:00–10:30 LGSP NO-GO;
//                       05/07 08:00–11:00 DNS NO-GO, then UNKNOWN until 11:30 (recovering);
//                       06/07 02:00–02:15 nothing recorded (Prometheus down).
//   Xã Nghi Lộc         02/07 09:00–10:00 LGSP NO-GO; 03/07 22:00–23:30 maintenance;
//                       07/07 23:00 to the end of the week, clock NO-GO.
//   LGSP fails at all three units 09:00–10:00: the shared-cause incident (3 units ≥ 3, ≥ 30 %).
// The answers (testdata/demo-week.csv), e.g. Trường Vinh: 10,080 min in the week, 270 NO-GO
// (90 + 180), 105 UNKNOWN (60 + 30 + 15 with no sample), GO 9,705 = 96.3 %; recoveries 90 and
// 210 min (08:00 → 11:30), mean 150. Nghi Lộc: GO 9,870 of the 9,990 outside maintenance = 98.8 %.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, SERIES } from '../../inventory/index.ts';
import { startBoard, type RunningBoard } from '../../dashboards/index.ts';
import { freePort } from '../../dashboards/board/testing.ts';
import { startPrometheus, type Running } from '../support/monitoring.ts';
import { launchChromium } from '../support/chromium.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const demo = join(repo, 'inventory/examples/demo.yaml');
const testdata = join(repo, 'dashboards/report/testdata');

const WEEK_START = Date.parse('2025-07-01T00:00:00+07:00');
const MINUTES = 7 * 1440;
/** Minutes into the week of a local day (1 = 01/07) and time. */
const at = (day: number, h: number, m: number) => (day - 1) * 1440 + h * 60 + m;
const CHECKS = ['wan-primary', 'reach-lgsp', 'dns', 'clock'] as const;

/** A stretch of the history: the unit's code, its items' codes (others stay as the default), or nothing recorded (null). */
interface Stretch {
  from: number;
  to: number;
  unit: number | null;
  items?: Partial<Record<(typeof CHECKS)[number], number>>;
  /** Every item takes the unit's code (UNKNOWN at start, maintenance). */
  all?: boolean;
}
const HISTORY: Record<string, Stretch[]> = {
  '16681': [
    { from: at(2, 9, 0), to: at(2, 10, 30), unit: 2, items: { 'reach-lgsp': 2 } },
    { from: at(4, 14, 0), to: at(4, 14, 20), unit: 2, items: { 'wan-primary': 2 } },
  ],
  '16690': [
    { from: 0, to: 60, unit: 1, all: true },
    { from: at(2, 9, 0), to: at(2, 10, 30), unit: 2, items: { 'reach-lgsp': 2 } },
    { from: at(5, 8, 0), to: at(5, 11, 0), unit: 2, items: { dns: 2 } },
    { from: at(5, 11, 0), to: at(5, 11, 30), unit: 1, items: { dns: 1 } },
    { from: at(6, 2, 0), to: at(6, 2, 15), unit: null },
  ],
  '17827': [
    { from: at(2, 9, 0), to: at(2, 10, 0), unit: 2, items: { 'reach-lgsp': 2 } },
    { from: at(3, 22, 0), to: at(3, 23, 30), unit: 3, all: true },
    { from: at(7, 23, 0), to: MINUTES, unit: 2, items: { clock: 2 } },
  ],
};
const INCIDENT = { check: 'reach-lgsp', from: at(2, 9, 0), to: at(2, 10, 0), units: 3 };

/** The history as OpenMetrics, one family after another, each series in time order. */
function openMetrics(): string {
  const out: string[] = [];
  const ts = (m: number) => (WEEK_START + m * 60_000) / 1000;
  const stretchAt = (unit: string, m: number) => HISTORY[unit]!.find((s) => m >= s.from && m < s.to);
  out.push(`# TYPE ${SERIES.unitCode} gauge`);
  for (const unit of Object.keys(HISTORY))
    for (let m = 0; m < MINUTES; m++) {
      const s = stretchAt(unit, m);
      if (s?.unit === null) continue;
      out.push(`${SERIES.unitCode}{unit="${unit}"} ${s?.unit ?? 0} ${ts(m)}`);
    }
  // Items: every minute of a stretch; outside, a GO sample every 10 minutes is enough (the report
  // reads only their NO-GO samples) and keeps the backfill small.
  out.push(`# TYPE ${SERIES.unitCheckCode} gauge`);
  for (const unit of Object.keys(HISTORY))
    for (const check of CHECKS)
      for (let m = 0; m < MINUTES; m++) {
        const s = stretchAt(unit, m);
        if (s?.unit === null || (!s && m % 10 !== 0)) continue;
        const code = s ? (s.all ? s.unit : (s.items?.[check] ?? 0)) : 0;
        out.push(`${SERIES.unitCheckCode}{unit="${unit}",check="${check}"} ${code} ${ts(m)}`);
      }
  out.push(`# TYPE ${SERIES.checkIncident} gauge`);
  for (let m = INCIDENT.from; m < INCIDENT.to; m++)
    out.push(`${SERIES.checkIncident}{check="${INCIDENT.check}"} ${INCIDENT.units} ${ts(m)}`);
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

async function sansang(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repo, 'bin/sansang.js'), ...args], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function program(name: string, pkg: string, args: string[]): Promise<string> {
  try {
    return (await run(name, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(
      err.code === 'ENOENT' ? `${name} is missing: install the Debian package "${pkg}"` : `${name}: ${err.stderr ?? err.message}`,
    );
  }
}

/** CSV rows, without the BOM; CRLF line ends checked apart. */
const rows = (csv: string) =>
  csv
    .replace(/^\ufeff/, '')
    .split('\r\n')
    .filter(Boolean);

let dir: string;
let prom: Running;
let board: RunningBoard;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'week-report-'));
  await writeFile(join(dir, 'history.om'), openMetrics());
  await program('promtool', 'prometheus', [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--quiet',
    join(dir, 'history.om'),
    join(dir, 'tsdb'),
  ]);
  await writeFile(join(dir, 'prometheus.yml'), 'global: {}\n');
  // Samples a minute apart: a 30 s look-back makes a stretch with nothing recorded read as such, to the minute.
  prom = await startPrometheus(join(dir, 'prometheus.yml'), join(dir, 'tsdb'), [
    '--storage.tsdb.retention.time=100y',
    '--query.lookback-delta=30s',
  ]);
  // The board's log holds the same entries as the CLI's --board-log (the torn line left out).
  const log = (await readFile(join(testdata, 'demo-week-board-log.jsonl'), 'utf8')).split('\n').filter((l) => l.startsWith('{'));
  await mkdir(join(dir, 'board'), { recursive: true });
  await writeFile(join(dir, 'board', 'board-log.jsonl'), `${log.join('\n')}\n`);
  board = await startBoard({
    inventory: await loadInventoryFile(demo),
    dataDir: join(dir, 'board'),
    listen: '127.0.0.1:0',
    prometheus: prom.url,
    refreshMs: 60_000,
    warn: () => {},
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await board?.close();
  await prom?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the week report of the demo', () => {
  it('sansang report: the CSV equals the hand-counted fixture, acknowledgements from the board log; a Prometheus that does not answer is one clear line', async () => {
    const closed = await freePort();
    const [r, down, page] = await Promise.all([
      sansang(
        'report',
        '--prometheus',
        prom.url,
        '--inventory',
        demo,
        '--from',
        '2025-07-01',
        '--to',
        '2025-07-07',
        '--board-log',
        join(testdata, 'demo-week-board-log.jsonl'),
      ),
      sansang('report', '--prometheus', `http://127.0.0.1:${closed}`, '--inventory', demo, '--from', '2025-07-01', '--to', '2025-07-07'),
      sansang(
        'report',
        '--prometheus',
        prom.url,
        '--inventory',
        demo,
        '--from',
        '2025-07-01T00:00:00+07:00',
        '--to',
        '2025-07-08T00:00',
        '--format',
        'html',
        '--lang',
        'en',
        '--out',
        join(dir, 'week.html'),
      ),
    ]);
    expect(r.stderr).toBe(`sansang report: ${join(testdata, 'demo-week-board-log.jsonl')}: 1 lines are not JSON and were skipped\n`);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('\ufeff')).toBe(true);
    expect(r.stdout.replace(/\r\n/g, '').includes('\n')).toBe(false);
    const fixture = (await readFile(join(testdata, 'demo-week.csv'), 'utf8')).split('\n').filter(Boolean);
    expect(rows(r.stdout)).toEqual(fixture);

    // A page to print that stands alone: its stylesheet inside, English, the same figures.
    expect(page.code).toBe(0);
    expect(page.stderr).toBe(`wrote ${join(dir, 'week.html')}\n`);
    const html = await readFile(join(dir, 'week.html'), 'utf8');
    expect(html).toContain('<style>');
    expect(html).toContain('<h1>Week report — Tỉnh Nghệ An (demo)</h1>');
    expect(html).toContain('<td>Phường Trường Vinh</td><td class="n">96.3 %</td><td class="n">270</td>');

    expect(down.code).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr).toBe(`sansang: cannot read Prometheus: http://127.0.0.1:${closed}: ECONNREFUSED\n`);
  }, 30_000);

  it("the board's /report/week prints on A4 in Chromium, in Vietnamese, names and local times with the offset; its CSV has the same figures", async () => {
    const q = 'from=2025-07-01&to=2025-07-07';
    // The board's log holds the fixture's acknowledgements (the seeded log's `ack` entries): its
    // report carries them, as `sansang report --board-log` does.
    expect(board.board.log.entries().some((e) => e.type === 'ack')).toBe(true);
    // The board's footer leads to it, in the page's language.
    const home = await browser.newPage();
    await home.goto(board.url);
    const [week] = await Promise.all([home.waitForResponse((r) => r.url().includes('report/week?lang=vi')), home.click('#l-week')]);
    expect(week.status()).toBe(200);
    await home.close();
    const page = await browser.newPage();
    const res = await page.goto(new URL(`report/week?${q}`, board.url).href);
    expect(res?.status()).toBe(200);
    // The units' rows as printed: names, worst first, the figures of the fixture in Vietnamese notation.
    const cells = await page.$$eval('table.units tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)),
    );
    expect(cells).toEqual([
      [
        'Phường Trường Vinh',
        '96,3 %',
        '270',
        '105',
        '0',
        '2',
        '150 / 210',
        '1',
        'Phân giải tên miền (DNS): 180 phút; Kết nối tới Nền tảng tích hợp, chia sẻ dữ liệu (LGSP): 90 phút',
      ],
      [
        'Xã Nghi Lộc',
        '98,8 %',
        '120',
        '0',
        '90',
        '2',
        '60 / 60',
        '1',
        'Đồng hồ máy trạm chính xác (ký số): 60 phút; Kết nối tới Nền tảng tích hợp, chia sẻ dữ liệu (LGSP): 60 phút; còn CHƯA ĐẠT cuối kỳ',
      ],
      [
        'Phường Thành Vinh',
        '98,9 %',
        '110',
        '0',
        '0',
        '2',
        '55 / 90',
        '1',
        'Kết nối tới Nền tảng tích hợp, chia sẻ dữ liệu (LGSP): 90 phút; Đường truyền chính (mạng TSLCD) thông: 20 phút',
      ],
    ]);
    const pdf = await page.pdf({ format: 'A4' });
    await page.close();
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await writeFile(join(dir, 'week.pdf'), pdf);
    const info = await program('pdfinfo', 'poppler-utils', [join(dir, 'week.pdf')]);
    // A4 is 595.3 × 841.9 pt; Chromium lays it out in whole CSS pixels, a point or so more.
    expect(info).toMatch(/^Page size:\s+59[56]\.\d+ x 84[23]\.\d+ pts \(A4\)$/m);
    expect(info).toMatch(/^Pages:\s+1$/m);
    const text = (await program('pdftotext', 'poppler-utils', [join(dir, 'week.pdf'), '-'])).replace(/\s+/g, ' ');
    expect(text).toContain('Báo cáo tuần — Tỉnh Nghệ An (demo)');
    expect(text).toContain('01/07/2025 00:00 – 08/07/2025 00:00 (giờ địa phương, UTC+07:00 (Asia/Ho_Chi_Minh))');
    for (const s of [
      'Phường Trường Vinh',
      'Phường Thành Vinh',
      'Xã Nghi Lộc',
      '96,3 %',
      '150 / 210',
      '02/07/2025 09:00',
      'sau 7 phút: Nguyễn Thị Lan (ttdl), 02/07/2025 09:07: Đã báo nhà cung cấp LGSP, phiếu 1234',
    ])
      expect(text).toContain(s);
    // Names, not ids.
    expect(text).not.toMatch(/\b1(6681|6690|7827)\b|reach-lgsp/);

    const en = await (await fetch(new URL(`report/week?${q}&lang=en`, board.url))).text();
    expect(en).toContain('Week report');
    expect(en).toContain('2025-07-01 00:00 – 2025-07-08 00:00');
    expect(en).toContain('96.3 %');

    // The same figures as the fixture (without acknowledgements, the units' count of them is 0).
    const csv = await fetch(new URL(`report/week.csv?${q}`, board.url));
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename=sansang-week-report-2025-07-01.csv');
    const got = rows(await csv.text());
    const fixture = (await readFile(join(testdata, 'demo-week.csv'), 'utf8')).split('\n').filter(Boolean);
    const sections = (list: string[], s: string) => list.filter((l) => l.startsWith(`${s},`));
    for (const s of ['period', 'item']) expect(sections(got, s)).toEqual(sections(fixture, s));
    expect(sections(got, 'unit').map((l) => l.replace(/,1,,[01],/, ',1,,0,'))).toEqual(
      sections(fixture, 'unit').map((l) => l.replace(/,1,,[01],/, ',1,,0,')),
    );
    expect(sections(got, 'ack')).toEqual(sections(fixture, 'ack'));
    expect(sections(got, 'unit')).toEqual(sections(fixture, 'unit'));
  }, 30_000);

  it('refuses a bad period with the reason, and a board without Prometheus says what it needs', async () => {
    const bad = await fetch(new URL('report/week?from=2025-07-08&to=2025-07-01', board.url));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('Tham số không hợp lệ: from must be before to\n');
    const odd = await fetch(new URL('report/week.csv?from=tuesday&lang=en', board.url));
    expect(odd.status).toBe(400);
    expect(await odd.text()).toMatch(/^Bad parameters: from: expected a day \(2025-07-01\)/);
    const alone = await startBoard({
      inventory: board.board.opts.inventory,
      dataDir: join(dir, 'alone'),
      listen: '127.0.0.1:0',
      warn: () => {},
    });
    try {
      const r = await fetch(new URL('report/week', alone.url));
      expect(r.status).toBe(503);
      expect(await r.text()).toMatch(/--prometheus URL/);
    } finally {
      await alone.close();
    }
  });
});
