// The board knows when it is blind: reaching no agent at all, or its own clock off every agent's,
// is said in a banner (Vietnamese first) and leaves the units UNKNOWN, never NO-GO. Real HTTP to
// stand-in agents on loopback; "no agent reachable" is every agent dropping the board's
// connections over both links, as a cut of the board's own network does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, type Inventory } from '../../inventory/index.ts';
import { BoardCore } from './board.ts';
import { quickCentralFor, relocate, startStandIn, type StandInAgent, testBoard } from './testing.ts';

let inv: Inventory;
let dir: string;
let board: BoardCore;
const agents: StandInAgent[] = [];

beforeAll(async () => {
  inv = quickCentralFor(relocate(await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname), 52), 0);
  dir = await mkdtemp(join(tmpdir(), 'board-blind-'));
  for (const u of inv.units) for (const s of u.sites) agents.push(await startStandIn(inv, s.id));
  board = await testBoard(inv, dir);
});

afterAll(async () => {
  await board?.close();
  for (const a of agents) await a.close();
  await rm(dir, { recursive: true, force: true });
});

/** Items NO-GO for what the board sees (manual items are NO-GO until signed, blind or not). */
const seenNogo = () =>
  board.current.units.flatMap((u) =>
    u.items
      .filter((i) => i.state === 'nogo' && board.catalog.byCode.get(u.code)!.items.get(i.check)!.kind !== 'manual')
      .map((i) => `${u.code}/${i.check}`),
  );
const kinds = () => board.current.problems.map((p) => p.kind);

describe('the board knows when it is blind', () => {
  it('no agent reachable over any link: a banner, and what the board sees UNKNOWN, not NO-GO', async () => {
    await board.refresh();
    expect(kinds()).toEqual([]);
    expect(board.unit('16681')!.items.find((i) => i.check === 'agent-up')!.state).toBe('go');

    for (const a of agents) a.behaviour.silentOn = ['primary', 'backup'];
    await board.refresh();
    expect(kinds()).toEqual(['board-blind']);
    const p = board.current.problems[0]!;
    expect(p.reason.vi).toMatch(/^Bảng theo dõi \(hoặc Prometheus nó đọc\) không liên lạc được với tác tử nào/);
    expect(p.fix?.vi).toMatch(/mạng/);
    expect(seenNogo()).toEqual([]);
    expect(board.current.units.every((u) => u.sites.every((s) => s.state === 'unknown' || s.state === 'maintenance'))).toBe(true);
    const agentUp = board.unit('16681')!.items.find((i) => i.check === 'agent-up')!;
    expect(agentUp.state).toBe('unknown');
    expect(agentUp.reason?.vi).toMatch(/lỗi ở phía bảng/);
    // The banner reaches the page's JSON.
    expect(JSON.parse(board.overviewJson()).problems[0].kind).toBe('board-blind');

    // One agent answering again: the others' silence is theirs (NO-GO), the banner goes.
    agents[0]!.behaviour.silentOn = [];
    await board.refresh();
    expect(kinds()).toEqual([]);
    expect(seenNogo()).toContain('16690/agent-up');
    for (const a of agents) a.behaviour.silentOn = [];
    await board.refresh();
  });

  it("the board's clock off every agent's: a banner, the clock items UNKNOWN; one agent off alone is that agent's NO-GO", async () => {
    for (const a of agents) a.behaviour.clockOffsetSeconds = 120;
    await board.refresh();
    expect(kinds()).toEqual(['board-clock-off']);
    expect(board.current.problems[0]!.reason.vi).toMatch(/Đồng hồ của máy chạy bảng theo dõi lệch khoảng -120 giây|lệch khoảng 120 giây/);
    for (const u of board.current.units) {
      const clock = u.items.find((i) => i.check === 'clock');
      if (clock && clock.state !== 'maintenance') expect(clock.state).toBe('unknown');
    }
    expect(seenNogo()).toEqual([]);

    for (const a of agents) a.behaviour.clockOffsetSeconds = 0;
    agents.find((a) => a.siteId === 'thanh-vinh-motcua')!.behaviour.clockOffsetSeconds = 120;
    await board.refresh();
    expect(kinds()).toEqual([]);
    expect(board.unit('16681')!.items.find((i) => i.check === 'clock')!.state).toBe('nogo');
  });
});
