// A full disk under the board's --data-dir (a small tmpfs): every sign-off the board answered 2xx
// is on disk, whole, after a restart; the others were answered 507, never 2xx; and once space
// comes back the next sign-off is whole too (nothing glued onto torn bytes).
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, TokenBook, BoardLog, type RunningBoard } from '../../dashboards/index.ts';
import { loadInventoryFile } from '../../inventory/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const TOKEN = 'ttdl-token-0123456789';
let dir = '';
let data = '';

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} not found: install the Debian package util-linux`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

beforeAll(async () => {
  if (process.getuid?.() !== 0)
    throw new Error('this test mounts a tmpfs under the data dir: run it as root (npm test does, in a namespace of its own)');
  dir = await mkdtemp(join(tmpdir(), 'board-disk-full-'));
  data = join(dir, 'data');
  await mkdir(data);
  sh('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', data]);
});

afterAll(async () => {
  if (data) spawnSync('umount', ['-l', data]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Fills the file system until it refuses a byte; returns the filler's handle (truncate it to free space). */
async function fill(file: string) {
  const fh = await open(file, 'w');
  const chunk = Buffer.alloc(1024, 0x61);
  for (;;) {
    try {
      const { bytesWritten } = await fh.write(chunk);
      if (bytesWritten < chunk.length) break;
    } catch {
      break;
    }
  }
  return fh;
}

describe('the board on a full disk', () => {
  it('answers 507, never 2xx, for what it could not keep whole, and keeps every acknowledged sign-off', async () => {
    const inventory = await loadInventoryFile(join(root, 'inventory/examples/demo.yaml'));
    let board: RunningBoard | null = await startBoard({
      inventory,
      dataDir: data,
      listen: '127.0.0.1:0',
      tokens: TokenBook.parse(`ttdl: ${TOKEN}\n`),
      refreshMs: 3_600_000,
      warn: () => {},
    });
    const acked: string[] = [];
    const statuses = new Set<number>();
    const post = async (n: number) => {
      const r = await fetch(new URL('api/signoffs', board!.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({
          team: 'ttdl',
          unit: '16681',
          check: 'staff-trained',
          who: `Người ký số ${n}`,
          note: 'x'.repeat(300),
          signed: n % 2 === 0,
        }),
      });
      statuses.add(r.status);
      if (r.status === 201) acked.push(((await r.json()) as { id: string }).id);
      else await r.body?.cancel();
      return r.status;
    };
    try {
      const filler = await fill(join(data, 'filler'));
      let refused = 0;
      for (let n = 0; n < 40 && refused < 5; n++) if ((await post(n)) !== 201) refused++;
      expect(refused).toBe(5);
      expect([...statuses].sort()).toEqual([201, 507].filter((s) => statuses.has(s)));
      expect(statuses.has(507)).toBe(true);
      // Space comes back without a restart: the next sign-offs are whole.
      await filler.truncate(0);
      await filler.close();
      for (let n = 100; n < 103; n++) expect(await post(n)).toBe(201);
    } finally {
      await board.close();
      board = null;
    }
    const warnings: string[] = [];
    const log = await BoardLog.open(data, (m) => warnings.push(m));
    try {
      expect(log.entries().map((e) => e.id)).toEqual(acked);
      expect(warnings.filter((w) => /damaged|torn/.test(w))).toEqual([]);
    } finally {
      await log.close();
    }
  });
});
