// The board against the real site agent (agents/index.ts), not a stand-in: the agent's /status
// must be read with the shared schema, its central items judged, its host facts exported.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChecklist, loadInventoryFile, siteSliceDocument, type Inventory } from '../../inventory/index.ts';
import { startAgent, type RunningAgent } from '../../agents/index.ts';
import { startBoard, type RunningBoard } from '../../dashboards/index.ts';
import { allFor, polledOnly, relocate } from '../../dashboards/board/testing.ts';

let dir: string;
let inv: Inventory;
let agent: RunningAgent;
let board: RunningBoard;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'board-agent-'));
  const demo = polledOnly(relocate(await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname), 51));
  // No `for` to wait for: an item the agent judged is GO or NO-GO at once.
  inv = allFor(
    { ...demo, agent: { ...demo.agent, interval: '2s', icmpCount: 2 } },
    '0s',
    defaultChecklist.map((i) => i.id),
  );
  agent = await startAgent({ slice: siteSliceDocument(inv, 'nghi-loc-hq'), baseDir: dir, log: () => {} });
  board = await startBoard({ inventory: inv, dataDir: join(dir, 'data'), listen: '127.0.0.1:0', refreshMs: 1000, warn: () => {} });
}, 60_000);

afterAll(async () => {
  await board?.close();
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the board and the real agent', () => {
  it("reads the agent's /status on both links and judges its items", async () => {
    const site = () => board.board.unit('17827')!.sites[0]!;
    const item = (id: string) => site().items.find((i) => i.check === id)!;
    for (
      let i = 0;
      i < 60 && !(item('agent-up').state === 'go' && item('disk-space').state !== 'unknown' && item('wan-primary').state !== 'unknown');
      i++
    )
      await new Promise((r) => setTimeout(r, 500));
    expect(site().links.map((l) => l.answered)).toEqual([true, true]);
    expect(site().agent?.version).toBeTruthy();
    expect(item('agent-up').state).toBe('go');
    expect(item('clock').state).toBe('go');
    // Judged by the agent (whatever the verdict on this machine), so no longer UNKNOWN.
    expect(item('disk-space').state).not.toBe('unknown');
    expect(item('wan-primary').state).not.toBe('unknown');
    // The other units have no agent running: never GO.
    expect(board.board.unit('16681')!.state).not.toBe('go');
    expect(board.board.unit('16681')!.items.find((i) => i.check === 'agent-up')!.state).toBe('nogo');
  });

  it("exports the agent's host facts as the unit's IT assets", async () => {
    let csv = '';
    for (let i = 0; i < 40; i++) {
      csv = await (await fetch(new URL('units/17827/assets.csv', board.url))).text();
      if (!csv.includes('has not reported host facts')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const row = csv
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')[1]!;
    expect(row.startsWith('17827,Xã Nghi Lộc,nghi-loc-hq,')).toBe(true);
    expect(row).not.toContain('has not reported host facts');
  });
});
