// The board's HTTP API with real programs around it: stand-in agents, promtool for /metrics,
// a real Alertmanager for the silences of maintenance windows.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BcryptGate, loadInventoryFile, type Inventory } from '../../inventory/index.ts';
import { startBoard, type RunningBoard } from './index.ts';
import { freePort, relocate, startStandIn, type StandInAgent } from './testing.ts';
import { TokenBook } from './tokens.ts';

const run = promisify(execFile);
let dir: string;
let inv: Inventory;
let board: RunningBoard;
let am: ChildProcess;
let AM = '';
const agents: StandInAgent[] = [];
const TOKEN = 'vinh-token-0123456789';

async function waitFor(url: string, what: string) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'board-server-'));
  inv = relocate(await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname), 46);
  for (const u of inv.units) for (const s of u.sites) agents.push(await startStandIn(inv, s.id));
  const amPort = await freePort();
  AM = `http://127.0.0.1:${amPort}/`;
  await writeFile(join(dir, 'am.yml'), 'route: { receiver: none }\nreceivers: [{ name: none }]\n');
  am = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ],
    { stdio: 'ignore' },
  );
  await waitFor(`${AM}api/v2/status`, 'alertmanager (Debian package: prometheus-alertmanager)');
  board = await startBoard({
    inventory: inv,
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    tokens: TokenBook.parse(`vinh: ${TOKEN}\n`),
    alertmanager: AM,
    refreshMs: 60_000,
    warn: () => {},
  });
}, 60_000);

afterAll(async () => {
  await board?.close();
  for (const a of agents) await a.close();
  am?.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, token?: string) =>
  fetch(new URL(path, board.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('board HTTP API', () => {
  it('serves the page with no resource from elsewhere, and a strict CSP', async () => {
    const r = await fetch(board.url);
    const html = await r.text();
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['board.js', 'board.css', 'report.css']) {
      const a = await fetch(new URL(asset, board.url));
      expect(a.status).toBe(200);
      expect(await a.text()).not.toMatch(/(src|href|url)\s*[=(]\s*['"]?https?:/i);
    }
  });

  it('refuses a sign-off without a valid token (401), accepts it with one', async () => {
    const body = { unit: '16681', check: 'staff-trained', who: 'Nguyễn Văn A', note: '<script>alert(1)</script>' };
    expect((await post('api/signoffs', body)).status).toBe(401);
    const wrong = await post('api/signoffs', body, 'wrong-token-0123456789');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'bad-token' }); // the page says it in its own language
    expect((await post('api/signoffs', { ...body, team: 'ttdl' }, TOKEN)).status).toBe(401);
    const ok = await post('api/signoffs', { ...body, team: 'vinh' }, TOKEN);
    expect(ok.status).toBe(201);
    const entry = (await ok.json()) as { id: string; team: string; at: string };
    expect(entry).toMatchObject({ team: 'vinh', who: 'Nguyễn Văn A' });
    expect(entry.id).toMatch(/^[0-9a-f-]{36}$/);
    const unit = (await (await fetch(new URL('api/units/16681', board.url))).json()) as {
      unit: { items: { check: string; state: string }[] };
    };
    expect(unit.unit.items.find((i) => i.check === 'staff-trained')!.state).toBe('go');
    // The log holds names and notes: reading it takes a token.
    expect((await fetch(new URL('api/log?since=0', board.url))).status).toBe(401);
    const log = (await (await fetch(new URL('api/log?since=0', board.url), { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      entries: { id: string }[];
      next: number;
      now: string;
    };
    expect(log.entries.map((e) => e.id)).toContain(entry.id);
    expect(Math.abs(Date.parse(log.now) - Date.now())).toBeLessThan(5000);
  });

  it("a team acts only for its units: another team's sign-off, withdrawal and maintenance window are refused (403)", async () => {
    // "vinh" covers 16681 and 16690; 17827 is covered by "ttdl" only.
    const other = '17827';
    const sign = await post('api/signoffs', { team: 'vinh', unit: other, check: 'staff-trained', who: 'A' }, TOKEN);
    expect(sign.status).toBe(403);
    const refusal = (await sign.json()) as { error: string; error_vi: string };
    expect(refusal.error).toMatch(/does not cover unit 17827.*Trung tâm dữ liệu tỉnh/);
    // The page says it in Vietnamese, with the unit's name.
    expect(refusal.error_vi).toMatch(/^Tổ ".*" không phụ trách Xã Nghi Lộc; đơn vị do Trung tâm dữ liệu tỉnh phụ trách$/);
    expect((await post('api/signoffs', { team: 'vinh', unit: other, check: 'staff-trained', who: 'A', signed: false }, TOKEN)).status).toBe(
      403,
    );
    const to = new Date(Date.now() + 7 * 24 * 3600_000 - 60_000).toISOString();
    expect((await post('api/maintenance', { team: 'vinh', unit: other, to, reason: 'x', who: 'A' }, TOKEN)).status).toBe(403);
    expect(board.board.unit(other)!.state).not.toBe('maintenance');
  });

  it('reads every body with one schema: a boolean is a boolean, windows stay within bounds, unknown fields are refused', async () => {
    const base = { team: 'vinh', unit: '16681', check: 'failover-drill', who: 'A' };
    const asText = await post('api/signoffs', { ...base, signed: 'false' }, TOKEN);
    expect(asText.status).toBe(400);
    expect(((await asText.json()) as { error: string }).error).toMatch(/^signed: /);
    expect(board.board.log.signoff('16681', 'failover-drill')).toBeUndefined();
    const extra = await post('api/signoffs', { ...base, admin: true }, TOKEN);
    expect(extra.status).toBe(400);
    // Every refusal reads in Vietnamese on the page, a schema's own wording included.
    expect(((await extra.json()) as { error_vi: string }).error_vi).toBe('Trường không được nhận: "admin"');
    const asText2 = (await (await post('api/signoffs', { ...base, signed: 'yes' }, TOKEN)).json()) as { error_vi: string };
    expect(asText2.error_vi).toMatch(/^Yêu cầu không hợp lệ ở trường Xác nhận \(/);
    const window = (from: string, to: string, reason = 'thay thiết bị') =>
      post('api/maintenance', { team: 'vinh', unit: '16690', from, to, reason, who: 'B' }, TOKEN);
    expect((await window('1970-01-01T00:00:00Z', '1970-01-02T00:00:00Z')).status).toBe(400);
    expect((await window(new Date().toISOString(), '+275760-09-13T00:00:00.000Z')).status).toBe(400);
    const far = Date.now() + 60 * 24 * 3600_000;
    expect((await window(new Date(far).toISOString(), new Date(far + 3600_000).toISOString())).status).toBe(400);
    const noReason = await window(new Date().toISOString(), new Date(Date.now() + 3600_000).toISOString(), '  ');
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toEqual({ error: 'reason: give a reason', error_vi: 'Lý do: ghi lý do' });
    const past = await window('1970-01-01T00:00:00Z', '1970-01-01T01:00:00Z');
    expect(((await past.json()) as { error_vi: string }).error_vi).toBe('Lịch bảo trì không thể bắt đầu trong quá khứ');
  });

  it('rejects a sign-off of an item that is not manual, or of an unknown unit', async () => {
    expect((await post('api/signoffs', { unit: '16681', check: 'dns', who: 'A' }, TOKEN)).status).toBe(400);
    expect((await post('api/signoffs', { unit: '99999', check: 'staff-trained', who: 'A' }, TOKEN)).status).toBe(404);
    expect((await post('api/signoffs', { unit: '16681', check: 'staff-trained' }, TOKEN)).status).toBe(400);
  });

  it('a maintenance window puts the unit in MAINTENANCE and creates an Alertmanager silence for that unit only', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const r = await post('api/maintenance', { unit: '16690', from, to, reason: 'thay thiết bị', who: 'Trần B' }, TOKEN);
    expect(r.status).toBe(201);
    const body = (await r.json()) as { silence?: string; silenceError?: string };
    expect(body.silenceError).toBeUndefined();
    const silences = (await (await fetch(`${AM}api/v2/silences`)).json()) as {
      id: string;
      matchers: { name: string; value: string }[];
      endsAt: string;
      status: { state: string };
    }[];
    const s = silences.find((x) => x.id === body.silence)!;
    expect(s.matchers).toEqual([{ name: 'unit', value: '16690', isRegex: false, isEqual: true }]);
    expect(Date.parse(s.endsAt)).toBe(Date.parse(to));
    expect(s.status.state).toBe('active');
    const state = (await (await fetch(new URL('api/state', board.url))).json()) as { units: { code: string; state: string }[] };
    expect(state.units.find((u) => u.code === '16690')!.state).toBe('maintenance');
    expect((await post('api/maintenance', { unit: '16690', from: to, to: from, reason: 'x', who: 'y' }, TOKEN)).status).toBe(400);
  });

  it('/metrics has the four series of the contract and passes promtool check metrics', async () => {
    const text = await (await fetch(new URL('metrics', board.url))).text();
    expect(text).toMatch(/^sansang_check_expected\{unit="16681",site="thanh-vinh-hq",check="agent-up"\} 1$/m);
    expect(text).toMatch(/^sansang_check_expected\{unit="16690",site="truong-vinh-motcua",check="dns"\} 1$/m);
    // The one-link site expects no backup link.
    expect(text).not.toMatch(/site="truong-vinh-motcua",check="wan-backup"/);
    expect(text).toMatch(/^sansang_signoff_status\{unit="16681",check="staff-trained"\} 1$/m);
    expect(text).toMatch(/^sansang_signoff_status\{unit="17827",check="failover-drill"\} 0$/m);
    expect(text).toMatch(/^sansang_maintenance_active\{unit="16690"\} 1$/m);
    expect(text).toMatch(/^sansang_maintenance_active\{unit="16681"\} 0$/m);
    expect(text).toMatch(/^sansang_board_info\{version="[^"]+",datacenter="dc1"\} 1$/m);
    expect(text).not.toMatch(/nodejs_|process_/);
    const f = join(dir, 'metrics.txt');
    await writeFile(f, text);
    const r = await run('bash', ['-c', `promtool check metrics < ${f}`]).catch((e: { stdout: string; stderr: string; code: number }) => e);
    expect('code' in r ? r.stderr + r.stdout : '').toBe('');
  });

  it('the shift report escapes untrusted text, lists changes and open items; CSV too', async () => {
    const html = await (await fetch(new URL('report?lang=en', board.url))).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toMatch(/Changes during the shift/);
    expect(html).toMatch(/Staff trained: signed off/);
    expect(html).toMatch(/Open items/);
    const csv = await (await fetch(new URL('report.csv', board.url))).text();
    const lines = csv
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('section,unit_code,unit_name,state,check,sites,since,at,detail');
    expect(lines.filter((l) => l.startsWith('unit,'))).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('change,16681,'))).toBe(true);
    expect(lines.some((l) => /^open,17827,.*,nogo,failover-drill,/.test(l))).toBe(true);
    // Local time with the offset stated, four-digit years, as on the page; never UTC.
    expect(csv).toMatch(/,20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00,/);
    expect(csv).not.toMatch(/\d\d:\d\d(\.\d+)?Z/);
    // A change row says why.
    expect(lines.find((l) => l.startsWith('change,16681,') && l.includes('→'))).toMatch(/hạng mục bắt buộc|mọi hạng mục/);
  });

  it("exports each unit's IT assets from the agents' host facts as CSV", async () => {
    const csv = await (await fetch(new URL('units/16681/assets.csv', board.url))).text();
    const lines = csv
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^unit_code,unit_name,site,site_name,hostname,manufacturer,model,serial/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      '16681,Phường Thành Vinh,thanh-vinh-hq',
      '16681,Phường Thành Vinh,thanh-vinh-motcua',
    ]);
    expect(lines[1]).toContain('SN-thanh-vinh-hq');
    expect((await fetch(new URL('units/00000/assets.csv', board.url))).status).toBe(404);
    const all = await (await fetch(new URL('assets.csv', board.url))).text();
    expect(all.trim().split('\r\n')).toHaveLength(1 + 5);
  });

  it('once bcrypt has used its share of the time, a new token gets 429 at once; a token already checked still works', async () => {
    const hashed = await startBoard({
      inventory: inv,
      dataDir: join(dir, 'hashed'),
      listen: '127.0.0.1:0',
      tokens: TokenBook.parse(`vinh: "${bcrypt.hashSync(TOKEN, 4)}"\n`, 'tokens.yaml', new BcryptGate({ share: 0.001, capMs: 1 })),
      refreshMs: 60_000,
      warn: () => {},
    });
    try {
      const at = (path: string, token: string) =>
        fetch(new URL(path, hashed.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ unit: inv.units[0]!.code, check: 'staff-trained', team: 'vinh', who: 'x', note: '', signed: true }),
        });
      // A credit of 1 ms refilled at 0.1 % of the clock: the first check spends it all.
      expect((await at('api/signoffs', TOKEN)).status).toBe(201);
      const flood = await Promise.all(Array.from({ length: 5 }, (_, i) => at('api/signoffs', `wrong-token-${i}-0123456789`)));
      expect(flood.map((r) => r.status)).toEqual([429, 429, 429, 429, 429]);
      expect(flood[0]!.headers.get('retry-after')).toBe('10');
      expect(await flood[0]!.json()).toMatchObject({ code: 'tokens-busy' });
      expect((await at('api/signoffs', TOKEN)).status).toBe(201); // remembered: no check needed
    } finally {
      await hashed.close();
    }
  });
});
