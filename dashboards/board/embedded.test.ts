// The embedded data source against stand-in agents on loopback: every state, from real HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, type Inventory } from '../../inventory/index.ts';
import { BoardCore } from './board.ts';
import { newEntryId } from './store.ts';
import { quickCentralFor, polledOnly, relocate, startStandIn, type StandInAgent, testBoard } from './testing.ts';

let inv: Inventory;
let dir: string;
let board: BoardCore;
const agents = new Map<string, StandInAgent>();

const unit = (code: string) => board.unit(code)!;
const item = (code: string, check: string) => unit(code).items.find((i) => i.check === check)!;

beforeAll(async () => {
  inv = quickCentralFor(
    polledOnly(relocate(await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname), 45)),
    1,
  );
  dir = await mkdtemp(join(tmpdir(), 'board-embedded-'));
  for (const u of inv.units) for (const s of u.sites) agents.set(s.id, await startStandIn(inv, s.id));
  board = await testBoard(inv, dir);
});

afterAll(async () => {
  await board?.close();
  for (const a of agents.values()) await a.close();
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('embedded mode', () => {
  it('manual items are NO-GO until signed off; central items UNKNOWN until they held for their `for`; then GO', async () => {
    await board.refresh();
    expect(item('16681', 'staff-trained')).toMatchObject({ state: 'nogo', reason: { vi: 'Chưa ký xác nhận', en: 'Not signed off yet' } });
    expect(unit('16681').state).toBe('nogo');
    // Edge items: the agent says they have passed for an hour.
    expect(item('16681', 'wan-primary').state).toBe('go');
    // Central items: the board has only just seen them pass.
    expect(item('16681', 'agent-up').state).toBe('unknown');
    expect(item('16681', 'agent-up').reason?.en).toMatch(/GO once it has held for 1\.0 s/);
    expect(item('16681', 'agent-up').reason?.vi).toMatch(/ĐẠT khi giữ đủ 1,0 giây/);
    for (const u of board.catalog.units)
      for (const check of u.manualIds) await board.signoff('ttdl', { unit: u.unit.code, check, who: 'Tester' });
    expect(unit('16681').state).toBe('unknown');
    await sleep(1100);
    await board.refresh();
    expect(board.current.units.map((u) => [u.code, u.state])).toEqual([
      ['16681', 'go'],
      ['16690', 'go'],
      ['17827', 'go'],
    ]);
    expect(item('16681', 'staff-trained').signoff).toMatchObject({ signed: true, who: 'Tester', team: 'ttdl' });
  });

  it('with the default `for` (1 min), a freshly started board shows agent-up UNKNOWN, never GO', async () => {
    const plain = relocate(await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname), 45);
    const fresh = await testBoard(plain, join(dir, 'fresh'));
    try {
      await fresh.refresh();
      expect(fresh.unit('16681')!.items.find((i) => i.check === 'agent-up')!.state).toBe('unknown');
      expect(fresh.unit('16681')!.items.find((i) => i.check === 'clock')!.state).toBe('unknown');
    } finally {
      await fresh.close();
    }
  });

  it('an agent that stops answering: its items UNKNOWN, agent-up NO-GO, the unit NO-GO', async () => {
    await agents.get('truong-vinh-motcua')!.close();
    await board.refresh();
    const site = unit('16690').sites.find((s) => s.id === 'truong-vinh-motcua')!;
    expect(site.items.find((i) => i.check === 'wan-primary')!.state).toBe('unknown');
    expect(site.items.find((i) => i.check === 'agent-up')).toMatchObject({ state: 'nogo' });
    expect(site.links[0]!.answered).toBe(false);
    expect(item('16690', 'wan-primary')).toMatchObject({ state: 'unknown', sites: ['truong-vinh-motcua'] });
    expect(unit('16690').state).toBe('nogo');
    expect(unit('16681').state).toBe('go');
  });

  it('after it comes back, agent-up holds NO-GO for its `for`, saying why', async () => {
    agents.set('truong-vinh-motcua', await startStandIn(inv, 'truong-vinh-motcua'));
    await board.refresh();
    expect(item('16690', 'wan-primary').state).toBe('go');
    expect(item('16690', 'agent-up').state).toBe('nogo');
    expect(item('16690', 'agent-up').reason?.en).toMatch(/Passing again .* GO once it holds for 1\.0 s/);
    await sleep(1100);
    await board.refresh();
    expect(item('16690', 'agent-up').state).toBe('go');
  });

  it('an agent that answers garbage leaves its items UNKNOWN', async () => {
    agents.get('nghi-loc-hq')!.behaviour.garbage = true;
    await board.refresh();
    expect(item('17827', 'dns').state).toBe('unknown');
    expect(item('17827', 'agent-up').state).toBe('nogo');
    expect(item('17827', 'agent-up')).toMatchObject({
      reason: { en: 'The agent answers with an invalid document' },
      fix: { vi: 'Cài tác tử từ bộ cài mới nhất' },
    });
    expect(unit('17827').state).toBe('nogo');
    agents.get('nghi-loc-hq')!.behaviour.garbage = false;
  });

  it("a failing edge item is NO-GO with the agent's reason; an advisory one does not block", async () => {
    const a = agents.get('thanh-vinh-hq')!;
    a.behaviour.failing = ['latency'];
    await board.refresh();
    expect(item('16681', 'latency')).toMatchObject({
      state: 'nogo',
      blocking: false,
      sites: ['thanh-vinh-hq'],
    });
    // The agent's own cause of the failure (a stand-in without one: its English reason as the detail).
    expect(item('16681', 'latency').reason?.en).toMatch(/stand-in says failing/);
    expect(unit('16681').state).toBe('go');
    a.behaviour.failing = ['dns'];
    await board.refresh();
    expect(item('16681', 'dns').state).toBe('nogo');
    expect(unit('16681').state).toBe('nogo');
    a.behaviour.failing = [];
  });

  it('an agent that answers over the backup, not over the primary: the primary link is down, not the agent', async () => {
    const a = agents.get('thanh-vinh-hq')!;
    a.behaviour.silentOn = ['primary'];
    await board.refresh();
    const site = unit('16681').sites.find((s) => s.id === 'thanh-vinh-hq')!;
    expect(site.links).toMatchObject([
      { link: 'primary', answered: false, lost: true },
      { link: 'backup', answered: true },
    ]);
    expect(site.items.find((i) => i.check === 'agent-up')!.state).toBe('go');
    expect(item('16681', 'wan-primary')).toMatchObject({
      state: 'nogo',
      sites: ['thanh-vinh-hq'],
      reason: { vi: expect.stringMatching(/^Đường truyền chính mất: tác tử trả lời qua đường truyền dự phòng/) },
      fix: { vi: expect.stringMatching(/Gọi nhà mạng của đường truyền chính/) },
    });
    expect(item('16681', 'wan-backup').state).toBe('go');
    a.behaviour.silentOn = [];
    await board.refresh();
    // Recovering: NO-GO until it has held for its `for` again.
    expect(item('16681', 'wan-primary').reason?.en).toMatch(/Passing again/);
  });

  it('a clock off by more than maxOffsetSeconds is NO-GO', async () => {
    const a = agents.get('thanh-vinh-motcua')!;
    a.behaviour.clockOffsetSeconds = 30;
    await board.refresh();
    expect(item('16681', 'clock')).toMatchObject({ state: 'nogo', sites: ['thanh-vinh-motcua'] });
    expect(item('16681', 'clock').reason?.en).toMatch(/clock is off by 30 s/);
    expect(item('16681', 'clock').fix?.vi).toMatch(/NTP/);
    a.behaviour.clockOffsetSeconds = 0;
  });

  it('a maintenance window set on the board makes the unit MAINTENANCE, not NO-GO', async () => {
    agents.get('thanh-vinh-hq')!.behaviour.failing = ['dns'];
    await board.refresh();
    expect(unit('16681').state).toBe('nogo');
    await board.log.append([
      {
        id: newEntryId(),
        type: 'maintenance',
        unit: '16681',
        from: new Date(Date.now() - 1000).toISOString(),
        to: new Date(Date.now() + 3600_000).toISOString(),
        reason: 'router swap',
        who: 'T',
        team: 'vinh',
        at: new Date().toISOString(),
        origin: 'test',
      },
    ]);
    expect(unit('16681').state).toBe('maintenance');
    expect(unit('16681').maintenance[0]).toMatchObject({ reason: 'router swap', source: 'board' });
    expect(item('16681', 'dns').state).toBe('maintenance');
  });
});
