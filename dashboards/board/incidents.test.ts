// Shared-cause incidents on the board and acknowledgements: one item failing at every unit is one
// incident (the inventory's thresholds, the rules' decision), each unit's item points at it
// instead of a local remedy; an acknowledgement shows on the incident and the unit and ends by
// itself on recovery. Stand-in agents on loopback, real HTTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, type Inventory } from '../../inventory/index.ts';
import { isIncident } from '../incidents.ts';
import { BoardCore, InputRejected } from './board.ts';
import { reportHtml } from './report.ts';
import { allFor, polledOnly, quickCentralFor, relocate, startStandIn, type StandInAgent, testBoard } from './testing.ts';

let inv: Inventory;
let dir: string;
let board: BoardCore;
const agents: StandInAgent[] = [];

beforeAll(async () => {
  // No `for` on the failing item: it is GO again at the first poll after it passes. The stand-in
  // agents answer polls and never push: every link polled.
  inv = allFor(
    quickCentralFor(
      polledOnly(relocate(await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname), 53)),
      0,
    ),
    '0s',
    ['reach-lgsp'],
  );
  dir = await mkdtemp(join(tmpdir(), 'board-incidents-'));
  for (const u of inv.units) for (const s of u.sites) agents.push(await startStandIn(inv, s.id));
  board = await testBoard({ ...inv, maintenance: [] }, dir);
});

afterAll(async () => {
  await board?.close();
  for (const a of agents) await a.close();
  await rm(dir, { recursive: true, force: true });
});

const item = (code: string, check: string) => board.unit(code)!.items.find((i) => i.check === check)!;
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 50 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
};

describe('the thresholds', () => {
  it('at least minUnits units and at least minShare of those having the item', () => {
    const t = { minUnits: 3, minShare: 0.3 };
    expect(isIncident(3, 10, t)).toBe(true);
    expect(isIncident(2, 2, t)).toBe(false);
    expect(isIncident(3, 11, t)).toBe(false);
    expect(isIncident(0, 0, t)).toBe(false);
  });
});

describe('shared-cause incidents on the board', () => {
  it('LGSP failing at every unit: one incident naming the service and its data centers; the units point at it', async () => {
    agents.find((a) => a.siteId === 'thanh-vinh-hq')!.behaviour.failing = ['reach-lgsp'];
    await board.refresh();
    // One unit failing is that unit's own fault, with its local remedy.
    expect(board.incidents).toEqual([]);
    expect(item('16681', 'reach-lgsp').incident).toBeUndefined();

    for (const a of agents) a.behaviour.failing = ['reach-lgsp'];
    await board.refresh();
    expect(board.incidents).toHaveLength(1);
    const inc = board.incidents[0]!;
    expect(inc).toMatchObject({ check: 'reach-lgsp', units: ['16681', '16690', '17827'], of: 3 });
    expect(inc.where.vi).toMatch(/Nền tảng LGSP tỉnh \(stand-in\) \(Trung tâm dữ liệu tỉnh \(chính\), Trung tâm dữ liệu dự phòng\)/);
    expect(inc.since).not.toBeNull();
    const i = item('16690', 'reach-lgsp');
    expect(i).toMatchObject({ state: 'nogo', incident: 'reach-lgsp' });
    expect(i.reason?.vi).toMatch(/Sự cố chung: .* không đạt tại 3\/3 đơn vị/);
    // What the unit's agent measured still follows the incident.
    expect(i.reason?.vi).toMatch(/\. Tại đơn vị này: ./);
    expect(i.reason?.en).toMatch(/\. At this unit: ./);
    expect(i.fix?.vi).toMatch(/Không cần xử lý tại đơn vị/);
    const site = board.unit('16690')!.sites[0]!.items.find((x) => x.check === 'reach-lgsp')!;
    expect(site.incident).toBe('reach-lgsp');
    expect(JSON.parse(board.overviewJson()).incidents[0].check).toBe('reach-lgsp');
  });

  it('acknowledged: on the incident; recovery ends it by itself, in the log', async () => {
    await expect(board.acknowledge('ttdl', { check: 'dns', who: 'An' })).rejects.toThrow(InputRejected);
    const r = await board.acknowledge('ttdl', { check: 'reach-lgsp', who: 'Nguyễn Văn An', note: 'phiếu 42' });
    expect(r.entry).toMatchObject({ type: 'ack', check: 'reach-lgsp', team: 'ttdl' });
    await until(() => board.incidents[0]?.ack?.who === 'Nguyễn Văn An');
    // A unit's own failing item, acknowledged by the team covering it; not another team's unit.
    await expect(board.acknowledge('vinh', { unit: '17827', check: 'reach-lgsp', who: 'B' })).rejects.toThrow(/does not cover/);
    await board.acknowledge('vinh', { unit: '16681', check: 'reach-lgsp', who: 'Trần Bình', note: 'đang gọi' });
    await until(() => item('16681', 'reach-lgsp').ack?.who === 'Trần Bình');
    expect(JSON.parse(board.overviewJson()).units.find((u: { code: string }) => u.code === '16681').failing[0].ack.who).toBe('Trần Bình');
    // The shift report says who took it on.
    const report = reportHtml(board, { fromMs: Date.now() - 3600_000, toMs: Date.now() + 1000 }, 'vi');
    expect(report).toMatch(/nhận xử lý: Kết nối tới Nền tảng tích hợp[^<]*<\/td><td>Trần Bình \(vinh\): đang gọi/);
    expect(report).toMatch(/Sự cố chung<\/td><td>nhận xử lý: [^<]*<\/td><td>Nguyễn Văn An \(ttdl\): phiếu 42/);

    for (const a of agents) a.behaviour.failing = [];
    await board.refresh();
    await until(() => board.log.openAcks().length === 0);
    const clears = board.log.entries().filter((e) => e.type === 'ack-clear');
    expect(clears).toHaveLength(2);
    await board.refresh();
    expect(board.incidents).toEqual([]);
    expect(item('16681', 'reach-lgsp').ack).toBeUndefined();
    // Nothing failing: nothing to acknowledge.
    await expect(board.acknowledge('vinh', { unit: '16681', check: 'reach-lgsp', who: 'B' })).rejects.toThrow(/nothing to acknowledge/);
  });
});
