// The wall for a whole province, in real headless Chromium at 1920x1080: 130 units all on one
// screen without scrolling (problems first, grouped by old district), 500 units in pages that
// cycle, a dark background, the countdown to go-live with the units not GO yet. The board reads
// its agents' documents through the `fetcher` hook (the page is under test here, not the polling):
// one unit in seven NO-GO, one in eleven silent. With SANSANG_WALL_SHOTS=DIR the screenshots are
// written there (docs/ holds the ones made so).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChecklist, loadInventoryFile, type Inventory } from '../../inventory/index.ts';
import { startBoard, TokenBook, type RunningBoard } from '../../dashboards/index.ts';
import { quickCentralFor, standInDocument } from '../../dashboards/board/testing.ts';
import type { StatusFetcher } from '../../dashboards/board/embedded.ts';
import { generatedProvince } from '../support/province.ts';
import { launchChromium } from '../support/chromium.ts';

const SHOTS = process.env.SANSANG_WALL_SHOTS;
let dir: string;
let browser: Browser;
const boards: RunningBoard[] = [];

/** Agents' addresses a test turns silent. */
const broken = new Set<string>();

/** Agents' answers without a network: every seventh unit fails its LGSP item, every eleventh is silent. */
function fetcherFor(inv: Inventory): StatusFetcher {
  const siteOf = new Map(inv.units.flatMap((u, i) => u.sites.map((s) => [s.links.primary.address, { site: s.id, i }] as const)));
  return async (address) => {
    const now = Date.now();
    const s = siteOf.get(address);
    if (!s || s.i % 11 === 5 || broken.has(address)) return { ok: false, error: 'connect ECONNREFUSED', sentMs: now, receivedMs: now };
    const doc = standInDocument(inv, s.site, s.i % 7 === 3 ? { failing: ['reach-lgsp'] } : {});
    return { ok: true, doc, sentMs: now, receivedMs: now };
  };
}

async function province(units: number, net: number, effectiveInDays: number): Promise<RunningBoard> {
  const demo = await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname);
  const g = generatedProvince(demo, { units, net, perTeam: 40 });
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: g.province.timezone }).format(Date.now() + effectiveInDays * 86400_000);
  // Manual items left out: unsigned, they would keep every unit NO-GO.
  const manual = defaultChecklist.filter((i) => i.kind === 'manual').map((i) => i.id);
  const inv = quickCentralFor(
    { ...g, province: { ...g.province, name: 'Tỉnh Nghệ An', effectiveDate: day }, checklist: { drop: manual, add: [], thresholds: {} } },
    0,
  );
  const b = await startBoard({
    inventory: inv,
    dataDir: join(dir, `b${units}`),
    listen: '127.0.0.1:0',
    tokens: TokenBook.empty(),
    fetcher: fetcherFor(inv),
    refreshMs: 3_600_000,
    warn: () => {},
  });
  boards.push(b);
  return b;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'board-wall-'));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const b of boards) await b.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the wall', () => {
  it('130 units: every one visible without scrolling at 1920x1080, problems first, dark, with the countdown', async () => {
    const b = await province(130, 56, 5);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${b.url}?wall`);
    await page.waitForSelector('.wall-tiles .tile', { timeout: 10_000 }).catch((e: Error) => {
      throw new Error(`${e.message}\n${errors.join('\n')}`);
    });
    await page.waitForFunction(() => document.querySelectorAll('.wall-tiles .tile').length >= 130);
    const seen = await page.evaluate(() => {
      const tiles = Array.from(document.querySelectorAll<HTMLElement>('.wall-tiles .tile'));
      const w = document.documentElement.clientWidth;
      const h = document.documentElement.clientHeight;
      const off = tiles.filter((t) => {
        const r = t.getBoundingClientRect();
        return r.top < 0 || r.left < 0 || r.bottom > h || r.right > w || r.width < 100 || r.height < 40;
      });
      const names = tiles.filter((t) => t.dataset.state === 'go').map((t) => t.querySelector('.tile-name') as HTMLElement);
      return {
        codes: tiles.map((t) => t.dataset.unit),
        states: tiles.map((t) => t.dataset.state),
        off: off.map((t) => t.dataset.unit),
        scrolls: document.documentElement.scrollHeight > h || document.documentElement.scrollWidth > w,
        pages: document.body.dataset.wallPages,
        background: getComputedStyle(document.body).backgroundColor,
        // A GO tile's name is whole (two lines at most), never cut.
        cut: names.filter((n) => n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent),
        nameSize: parseFloat(getComputedStyle(names[0]!).fontSize),
        countdown: document.getElementById('countdown')!.textContent,
        labels: Array.from(document.querySelectorAll('.wall-tiles .group-label')).map((l) => l.textContent),
      };
    });
    expect(new Set(seen.codes).size).toBe(130);
    expect(seen.off).toEqual([]);
    expect(seen.scrolls).toBe(false);
    expect(seen.pages).toBe('1');
    expect(seen.background).toBe('rgb(13, 17, 23)');
    expect(seen.cut).toEqual([]);
    expect(seen.nameSize).toBeGreaterThanOrEqual(15);
    // Problems first: the first group is one with a NO-GO unit, and it starts with it.
    expect(seen.states[0]).toBe('nogo');
    expect(seen.labels[0]).toMatch(/^Huyện .* \(\d+\)$|^Thành phố .* \(\d+\)$/);
    const notGo = b.board.current.units.filter((u) => u.state !== 'go').length;
    expect(seen.countdown).toMatch(
      new RegExp(`^Còn 5 ngày đến ngày vận hành chính thức \\d{2}/\\d{2}/\\d{4}: ${notGo}/130 đơn vị chưa ĐẠT$`),
    );
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'wall-130.png') });
    // With ?sound, a unit newly NO-GO sounds once (counted on the page: headless Chromium has no speaker).
    await page.goto(`${b.url}?wall&sound`);
    await page.waitForFunction(() => document.querySelectorAll('.wall-tiles .tile').length >= 130);
    expect(await page.evaluate(() => document.body.dataset.beeps)).toBeUndefined();
    broken.add(b.board.catalog.units[0]!.sites[0]!.site.links.primary.address);
    await b.board.refresh();
    await page.waitForFunction(() => document.body.dataset.beeps === '1');
    // By response team instead of old district.
    await page.goto(`${b.url}?wall&group=team`);
    await page.waitForFunction(() => document.querySelectorAll('.wall-tiles .tile').length >= 130);
    const teams = await page.evaluate(() => Array.from(document.querySelectorAll('.wall-tiles .group-label')).map((l) => l.textContent));
    expect(teams.sort()).toEqual([
      'Tổ phản ứng nhanh cụm 1 (40)',
      'Tổ phản ứng nhanh cụm 2 (40)',
      'Tổ phản ứng nhanh cụm 3 (40)',
      'Tổ phản ứng nhanh cụm 4 (10)',
    ]);
    await page.close();
  }, 60_000);

  it('500 units: pages that fill the screen and cycle, NO-GO first', async () => {
    const b = await province(500, 57, -3);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${b.url}?wall&cycle=3`);
    await page.waitForSelector('.wall-tiles .tile');
    const first = await page.evaluate(() => ({
      codes: Array.from(document.querySelectorAll<HTMLElement>('.wall-tiles .tile')).map((t) => t.dataset.unit!),
      states: Array.from(document.querySelectorAll<HTMLElement>('.wall-tiles .tile')).map((t) => t.dataset.state!),
      pages: Number(document.body.dataset.wallPages),
      page: document.getElementById('wall-page')!.textContent,
      scrolls: document.documentElement.scrollHeight > document.documentElement.clientHeight,
      countdown: document.getElementById('countdown')!.textContent,
    }));
    expect(first.codes.length).toBeGreaterThanOrEqual(150);
    expect(first.codes.length).toBeLessThan(500);
    expect(first.pages).toBeGreaterThanOrEqual(3);
    expect(first.page).toBe(`Trang 1/${first.pages}`);
    expect(first.scrolls).toBe(false);
    expect(first.states[0]).toBe('nogo');
    expect(first.countdown).toMatch(/^Đã vận hành chính thức từ \d{2}\/\d{2}\/\d{4} \(3 ngày\)/);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'wall-500.png') });
    await page.waitForFunction(() => document.getElementById('wall-page')!.textContent!.startsWith('Trang 2/'), undefined, {
      timeout: 10_000,
    });
    const second = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.wall-tiles .tile')).map((t) => t.dataset.unit!),
    );
    expect(second.filter((c) => first.codes.includes(c))).toEqual([]);
    await page.close();
  }, 60_000);
});
