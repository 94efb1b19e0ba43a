// The push receiver's admission when Prometheus hangs: a write that waited its `maxWaitMs` for a
// turn is told 429 with a Retry-After, before the agent gives up (10 s) and sends the same samples
// again (bench/reconnect-storm.ts saw waits beyond the agent's patience turn into duplicate
// forwards that Prometheus refused as out of order, counted as dropped by the agents).
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWriteRequest, loadInventoryFile, snappyEncode } from '../../inventory/index.ts';
import { pushSamples, targetLabels } from '../../agents/push/samples.ts';
import { exchange } from '../../agents/push/http.ts';
import { STORM_SECRET, stormInventory, stormSites } from '../../agents/test-support/push-storm.ts';
import { startBoard, type RunningBoard } from './index.ts';

let dir: string;
let hung: Server;
const sockets: Socket[] = [];
let board: RunningBoard;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sansang-push-'));
  // A Prometheus that accepts the connection and never answers.
  hung = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
  const port = (hung.address() as { port: number }).port;
  board = await startBoard({
    inventory: stormInventory(await loadInventoryFile('inventory/examples/demo.yaml'), 1),
    dataDir: join(dir, 'board'),
    listen: { host: '127.0.0.1', port: 0 },
    push: { secret: STORM_SECRET, writeUrl: `http://127.0.0.1:${port}/api/v1/write`, maxInFlight: 1, maxQueued: 4, maxWaitMs: 300 },
  });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await board?.close();
  hung?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('push admission when Prometheus hangs', () => {
  it('tells a write that waited its time 429 with a Retry-After, and counts it busy', async () => {
    const site = stormSites(stormInventory(await loadInventoryFile('inventory/examples/demo.yaml'), 1))[0]!;
    const body = snappyEncode(encodeWriteRequest(pushSamples('', targetLabels(site.slice, site.link), Date.now())));
    const write = () =>
      exchange(new URL('api/push/write', board.url), {
        method: 'POST',
        headers: { authorization: site.auth, 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
        body,
        timeoutMs: 3000,
      });
    const first = write(); // takes the one turn and hangs with Prometheus
    await new Promise((r) => setTimeout(r, 100));
    const t = Date.now();
    const second = await write();
    expect(second.status).toBe(429);
    expect(second.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t).toBeLessThan(2500);
    expect(board.board.push!.counts.get('write\0busy')).toBe(1);
    expect(board.board.push!.queuedWrites).toBe(0);
    for (const s of sockets) s.destroy();
    expect((await first).status).toBe(503);
  });
});
