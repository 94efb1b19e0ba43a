// A short reconnect storm (bench/reconnect-storm.ts is the long one, 13,000 sites): 300 sites
// with a backlog each, the agent's real queues and senders, all at once against a real board
// whose admission is small, forwarding to a real Prometheus (--web.enable-remote-write-receiver).
// Every site gets in eventually, some are told 429 with a Retry-After and come back after it, and
// Prometheus holds every sample each site queued: nothing is dropped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile } from '../../inventory/index.ts';
import { startBoard, type RunningBoard } from '../../dashboards/board/index.ts';
import { STORM_SECRET, StormSites, stormInventory, stormSites } from '../../agents/test-support/push-storm.ts';
import { startPrometheus, type Running } from '../support/monitoring.ts';

const SITES = 300;
const SERIES = 10;
const BATCHES = 5;

let dir: string;
let prom: Running;
let board: RunningBoard;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sansang-push-storm-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  prom = await startPrometheus(join(dir, 'prometheus.yml'), join(dir, 'prom-data'), ['--web.enable-remote-write-receiver']);
  const inventory = stormInventory(await loadInventoryFile('inventory/examples/demo.yaml'), SITES);
  board = await startBoard({
    inventory,
    dataDir: join(dir, 'board'),
    listen: { host: '127.0.0.1', port: 0 },
    prometheus: prom.url,
    refreshMs: 60_000,
    // Small on purpose: 300 sites at once must meet the admission limit (one write at a time, two waiting).
    push: { secret: STORM_SECRET, writeUrl: `${prom.url}/api/v1/write`, maxInFlight: 1, maxQueued: 2 },
  });
});

afterAll(async () => {
  await board?.close();
  await prom?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function query(q: string): Promise<number> {
  const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  return Number(r.data.result[0]?.value[1] ?? 0);
}

describe('a reconnect storm against a board with a small admission limit', () => {
  it('admits every site eventually, tells some 429 with Retry-After, and Prometheus holds every sample', async () => {
    const inventory = stormInventory(await loadInventoryFile('inventory/examples/demo.yaml'), SITES);
    const sites = new StormSites({
      sites: stormSites(inventory),
      receivers: [new URL(board.url)],
      dir: join(dir, 'spool'),
      series: SERIES,
      batches: BATCHES,
      intervalMs: 15_000,
      endMs: Date.now(),
    });
    await sites.prefill();
    sites.back(Date.now());
    sites.go();
    const deadline = Date.now() + 40_000;
    while (!sites.done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    sites.stop();
    const c = sites.counts;
    expect(c.drainedQueues, JSON.stringify(c)).toBe(SITES);
    expect(c.after['429'] ?? 0, `some sites were told to wait: ${JSON.stringify(c.after)}`).toBeGreaterThan(0);
    expect(c.busyWithoutRetryAfter, 'every 429 said when to come back').toBe(0);
    expect(board.board.push!.counts.get('write\0busy')).toBe(c.after['429']);
    expect(c.dropped).toBe(0);
    const job = '{job="sansang-agent"}';
    expect(await query(`count(sum by (site) (count_over_time(${job}[1h])) == ${SERIES * BATCHES})`)).toBe(SITES);
    expect(await query(`sum(count_over_time(${job}[1h]))`)).toBe(SITES * SERIES * BATCHES);
  });
});
