// The board in a real headless Chromium: the example units listed, a stopped agent turning its
// unit NO-GO/UNKNOWN, a sign-off made on the page surviving a restart and reaching the peer
// board, and a hostile unit name rendered as text.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, loadInventoryText, type Inventory } from '../../inventory/index.ts';
import { startBoard, TokenBook, type RunningBoard } from '../../dashboards/index.ts';
import { quickCentralFor, polledOnly, relocate, startStandIn, type StandInAgent } from '../../dashboards/board/testing.ts';
import { readFileSync } from 'node:fs';
import { launchChromium } from '../support/chromium.ts';

const TOKEN = 'vinh-token-0123456789';
const tokens = () => TokenBook.parse(`vinh: ${TOKEN}\nttdl: ttdl-token-0123456789\n`);
const demoPath = new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname;

let dir: string;
let inv: Inventory;
let browser: Browser;
let boardA: RunningBoard;
let boardB: RunningBoard;
const agents = new Map<string, StandInAgent>();
const boards: RunningBoard[] = [];
/** Any alert() that ran: a hostile name executed as markup would open one. */
const dialogs: string[] = [];

async function start(opts: Parameters<typeof startBoard>[0]): Promise<RunningBoard> {
  const b = await startBoard({ refreshMs: 1000, peerEveryMs: 500, warn: () => {}, ...opts });
  boards.push(b);
  return b;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'board-page-'));
  // Central items hold for 1 s instead of minutes, so a unit can turn GO within the test.
  inv = quickCentralFor(polledOnly(relocate(await loadInventoryFile(demoPath), 47)), 1);
  for (const u of inv.units) for (const s of u.sites) agents.set(s.id, await startStandIn(inv, s.id));
  boardA = await start({ inventory: inv, dataDir: join(dir, 'a'), listen: '127.0.0.1:0', tokens: tokens(), datacenter: 'dc1' });
  boardB = await start({
    inventory: inv,
    dataDir: join(dir, 'b'),
    listen: '127.0.0.1:0',
    tokens: tokens(),
    datacenter: 'dc2',
    peer: boardA.url,
    peerToken: TOKEN,
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const b of boards) await b.close().catch(() => {});
  for (const a of agents.values()) await a.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(url: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.')) external.push(r.url());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url);
  await page.waitForSelector(url.includes('#/unit/') ? '#unit-title' : 'li.unit');
  expect(external).toEqual([]);
  return page;
}

const cardState = (page: Page, code: string) => page.getAttribute(`li.unit[data-unit="${code}"]`, 'data-state');

async function signAll(code: string) {
  const cu = boardA.board.catalog.byCode.get(code)!;
  for (const check of cu.manualIds) {
    const r = await fetch(new URL('api/signoffs', boardA.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ unit: code, check, who: 'API' }),
    });
    expect(r.status).toBe(201);
  }
}

describe('the board in Chromium', () => {
  it('lists the example units, in Vietnamese by default, with an English toggle; fits a phone', async () => {
    const page = await open(boardA.url);
    const names = await page.$$eval('li.unit .name', (els) => els.map((e) => e.textContent));
    expect(names.sort()).toEqual(['Phường Thành Vinh', 'Phường Trường Vinh', 'Xã Nghi Lộc']);
    expect(await page.textContent('li.unit[data-unit="16681"] .st')).toBe('CHƯA ĐẠT');
    expect(await page.textContent('li.unit[data-unit="16681"]')).toContain('Điểm nóng');
    await page.click('#lang');
    expect(await page.textContent('li.unit[data-unit="16681"] .st')).toBe('NO-GO');
    // Filters: old district and hot spots.
    await page.selectOption('#f-district', 'Huyện Nghi Lộc');
    expect(await page.$$eval('li.unit', (els) => els.map((e) => e.getAttribute('data-unit')))).toEqual(['17827']);
    await page.selectOption('#f-district', '');
    await page.check('#f-hot');
    expect(await page.$$eval('li.unit', (els) => els.map((e) => e.getAttribute('data-unit')))).toEqual(['16681']);
    await page.close();
    const phone = await open(boardA.url, { width: 390, height: 800 });
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.close();
  });

  it('a stopped agent turns its unit NO-GO or UNKNOWN within the refresh interval, live', async () => {
    await signAll('16690');
    const page = await open(boardA.url);
    await page.waitForSelector('li.unit[data-unit="16690"][data-state="go"]', { timeout: 10_000 });
    await agents.get('truong-vinh-motcua')!.close();
    await page.waitForSelector('li.unit[data-unit="16690"]:is([data-state="nogo"], [data-state="unknown"])', { timeout: 10_000 });
    expect(await page.textContent('li.unit[data-unit="16690"]')).toContain('truong-vinh-motcua');
    await page.close();
  });

  it('a sign-off made on the page shows, reaches the peer board, and survives a restart', async () => {
    const page = await open(`${boardA.url}#/unit/16681`);
    await page.waitForSelector('#unit-title');
    await page.selectOption('#signin-team', 'vinh');
    await page.fill('#signin-token', TOKEN);
    await page.click('#signin-go');
    await page.waitForSelector('#signout');
    const form = 'form.signoff[data-check="staff-trained"]';
    await page.fill(`${form} input[name="who"]`, 'Nguyễn Văn A');
    await page.fill(`${form} input[name="note"]`, 'đã tập huấn 12 người');
    await page.click(`${form} button`);
    await page.waitForSelector('li.manual[data-check="staff-trained"][data-state="go"]', { timeout: 10_000 });
    expect(await page.textContent('li.manual[data-check="staff-trained"]')).toContain('Nguyễn Văn A (vinh)');
    await page.close();

    const peer = await open(`${boardB.url}#/unit/16681`);
    await peer.waitForSelector('li.manual[data-check="staff-trained"][data-state="go"]', { timeout: 15_000 });
    expect(await peer.textContent('li.manual[data-check="staff-trained"]')).toContain('đã tập huấn 12 người');
    await peer.close();

    const port = new URL(boardA.url).port;
    await boardA.close();
    boardA = await start({ inventory: inv, dataDir: join(dir, 'a'), listen: `127.0.0.1:${port}`, tokens: tokens(), datacenter: 'dc1' });
    // The shift report still knows what changed before the restart (16690 went GO, then not).
    const csv = await (await fetch(new URL('report.csv', boardA.url))).text();
    expect(csv).toMatch(/^change,16690,Phường Trường Vinh,.*→ ĐẠT/m);
    const again = await open(`${boardA.url}#/unit/16681`);
    await again.waitForSelector('li.manual[data-check="staff-trained"][data-state="go"]', { timeout: 10_000 });
    expect(await again.textContent('li.manual[data-check="staff-trained"]')).toContain('Nguyễn Văn A');
    await again.close();
  }, 120_000);

  it('a wrong token is refused at sign-in, at once; a sign-off without one is refused on the page', async () => {
    const page = await open(`${boardA.url}#/unit/17827`);
    await page.waitForSelector('#unit-title');
    await page.selectOption('#signin-team', 'ttdl');
    await page.fill('#signin-token', 'not-the-right-token-000');
    await page.click('#signin-go');
    // Said at sign-in, in the page's language, not the server's English; not signed in.
    await page.waitForFunction(() => document.getElementById('signin-error')?.textContent !== '');
    expect(await page.textContent('#signin-error')).toBe('Mã truy cập không đúng với tổ này (token).');
    expect(await page.$('#signout')).toBeNull();
    const form = 'form.signoff[data-check="failover-drill"]';
    await page.fill(`${form} input[name="who"]`, 'Mallory');
    await page.click(`${form} button`);
    await page.waitForSelector('#form-status.error');
    expect(await page.textContent('#form-status')).toBe('Lỗi: Đăng nhập tổ (cuối trang) để ký xác nhận.');
    expect(await page.getAttribute('li.manual[data-check="failover-drill"]', 'data-state')).toBe('nogo');
    await page.close();
  });

  it("a team member acknowledges a unit's failing item on the page; it shows on the unit page and the overview", async () => {
    // truong-vinh-motcua was stopped above: 16690's agent item is NO-GO.
    const page = await open(`${boardA.url}#/unit/16690`);
    await page.selectOption('#signin-team', 'vinh');
    await page.fill('#signin-token', TOKEN);
    await page.click('#signin-go');
    await page.waitForSelector('#signout');
    const row = 'table.items tr[data-check="agent-up"]';
    // Failing items first.
    expect(await page.getAttribute('table.items tbody tr:first-child', 'data-state')).toBe('nogo');
    await page.fill(`${row} form.ack input[name="who"]`, 'Lê Văn C');
    await page.fill(`${row} form.ack input[name="note"]`, 'đang gọi điểm một cửa');
    await page.click(`${row} form.ack button`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('Đã nhận xử lý: Lê Văn C (vinh)'), row);
    expect(await page.textContent(row)).toContain('đang gọi điểm một cửa');
    expect(boardA.board.log.openAcks().map((a) => `${a.unit}/${a.check}/${a.who}`)).toEqual(['16690/agent-up/Lê Văn C']);
    await page.goto(`${boardA.url}#`);
    await page.waitForSelector('li.unit[data-unit="16690"]');
    expect(await page.textContent('li.unit[data-unit="16690"]')).toContain('đã nhận: Lê Văn C');
    await page.close();
  });

  it('a unit named <img src=x onerror=alert(1)> renders as text', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const text = readFileSync(demoPath, 'utf8').replace('name: Phường Trường Vinh', `name: "${hostile}"`);
    const evil = relocate(loadInventoryText(text), 48);
    const b = await start({ inventory: evil, dataDir: join(dir, 'evil'), listen: '127.0.0.1:0', tokens: tokens() });
    const page = await open(b.url);
    expect(await page.textContent('li.unit[data-unit="16690"] .name')).toBe(hostile);
    expect(await page.$$('main img')).toHaveLength(0);
    await page.goto(`${b.url}#/unit/16690`);
    await page.waitForSelector('#unit-title');
    expect(await page.textContent('#unit-title .name')).toBe(hostile);
    expect(await page.$$('img')).toHaveLength(0);
    const report = await browser.newPage();
    await report.goto(`${b.url}report`);
    expect(await report.$$('img')).toHaveLength(0);
    expect(await report.textContent('body')).toContain(hostile);
    await report.close();
    await page.close();
    expect(await cardState(await open(b.url), '16690')).toBeTruthy();
    expect(dialogs).toEqual([]);
  });
});
