// `sansang board` and its signals: SIGHUP reads the tokens file again (a token taken out stops
// working, a new one works) and never stops the board; SIGTERM stops it cleanly.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dashboards/board/testing.ts';

const root = new URL('../../', import.meta.url).pathname;
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('sansang board signals', () => {
  it('SIGHUP reloads the tokens without stopping the board', async () => {
    dir = await mkdtemp(join(tmpdir(), 'board-signals-'));
    const tokens = join(dir, 'tokens.yaml');
    const OLD = 'vinh-old-token-0123456789';
    const NEW = 'vinh-new-token-0123456789';
    await writeFile(tokens, `vinh: ${OLD}\n`);
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        join(root, 'bin/sansang.js'),
        'board',
        '--inventory',
        join(root, 'inventory/examples/demo.yaml'),
        '--listen',
        `127.0.0.1:${port}`,
        '--data-dir',
        join(dir, 'data'),
        '--tokens',
        tokens,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const url = `http://127.0.0.1:${port}/`;
    const sign = (token: string) =>
      fetch(`${url}api/signoffs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ team: 'vinh', unit: '16681', check: 'staff-trained', who: 'Nguyễn Văn A' }),
      }).then((r) => r.status);
    try {
      for (let i = 0; i < 150; i++) {
        if (
          await fetch(`${url}healthz`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await sign(OLD)).toBe(201);
      await writeFile(tokens, `vinh: ${NEW}\n`);
      child.kill('SIGHUP');
      for (let i = 0; i < 50 && !stderr.includes('tokens reloaded'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(stderr).toContain('tokens reloaded (1 teams)');
      expect(await sign(OLD)).toBe(401);
      expect(await sign(NEW)).toBe(201);
      // A broken file on SIGHUP keeps the tokens that work.
      await writeFile(tokens, 'vinh: short\n');
      child.kill('SIGHUP');
      for (let i = 0; i < 50 && !stderr.includes('not reloaded'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(stderr).toMatch(/tokens not reloaded, the old ones stay: .*shorter than 16 characters/);
      expect(await sign(NEW)).toBe(201);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
