// One board per data dir: a second one is refused with a message, a lock left by a board that
// died is taken over, and releasing never removes someone else's lock.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../inventory/index.ts';
import { LOCK_FILE, lockDataDir } from './data-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'data-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ownStart = () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};
const lockOf = (pid: number, procStart: string, host = hostname()) =>
  writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid, host, procStart, since: '2025-07-01T00:00:00.000Z', token: 'theirs' }));

describe('the data dir lock', () => {
  it('refuses a second board while the first holds the dir, and lets it in once released', async () => {
    const first = await lockDataDir(dir);
    const second = lockDataDir(dir);
    await expect(second).rejects.toBeInstanceOf(InputError);
    await expect(second).rejects.toThrow(`in use by another board (pid ${process.pid}`);
    await first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await (await lockDataDir(dir)).release();
  });

  it('takes over a lock left by a board that is gone: dead pid, reused pid, torn file', async () => {
    const gone = spawnSync('true').pid!; // has exited: no such process now
    for (const left of [
      () => lockOf(gone, '1'),
      () => lockOf(process.pid, 'not-my-start'),
      () => writeFile(join(dir, LOCK_FILE), '{"pid": 12'),
    ]) {
      await left();
      const lock = await lockDataDir(dir);
      expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid, procStart: ownStart() });
      await lock.release();
    }
  });

  it('takes over a lock of a board killed but not yet reaped (a zombie)', async () => {
    // A parent that starts a child, kills it, and then holds its own event loop so it cannot reap it.
    const script = `
      const { spawn } = require('node:child_process');
      const { readFileSync } = require('node:fs');
      const c = spawn('sleep', ['30'], { stdio: 'ignore' });
      setTimeout(() => {
        const stat = readFileSync('/proc/' + c.pid + '/stat', 'utf8');
        process.stdout.write(c.pid + ' ' + stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] + '\\n');
        process.kill(c.pid, 'SIGKILL');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);
      }, 200);`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [pid, start] = (await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString())))).trim().split(' ');
    try {
      for (let i = 0; i < 50 && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toContain(') Z ');
      await lockOf(Number(pid), start!);
      const lock = await lockDataDir(dir);
      expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid });
      await lock.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('refuses a lock held on another host (a shared filesystem), saying which file to delete', async () => {
    await lockOf(1, '1', 'dc2-board');
    await expect(lockDataDir(dir)).rejects.toThrow(
      `in use by a board on dc2-board (pid 1, since 2025-07-01T00:00:00.000Z); give this board a data dir of its own, or delete ${join(dir, LOCK_FILE)}`,
    );
  });

  it('never releases a lock it no longer holds', async () => {
    const mine = await lockDataDir(dir);
    await lockOf(process.pid, ownStart()); // someone else's token now
    await mine.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  it('the CLI refuses a second board on the same data dir in one line, no stack trace', async () => {
    const held = await lockDataDir(join(dir, 'data'));
    try {
      const child = spawn(
        process.execPath,
        [
          join(root, 'bin/sansang.js'),
          'board',
          '--inventory',
          join(root, 'inventory/examples/demo.yaml'),
          '--listen',
          '127.0.0.1:0',
          '--data-dir',
          join(dir, 'data'),
        ],
        { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      // Without the lock the board would start and serve: bounded, and killed then.
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((r) => child.on('close', r));
      clearTimeout(timer);
      expect(code).not.toBe(0);
      expect(err).toContain(`is in use by another board (pid ${process.pid}`);
      expect(err).not.toMatch(/\n\s+at /);
    } finally {
      await held.release();
    }
  });
});
