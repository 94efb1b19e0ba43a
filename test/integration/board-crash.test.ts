// Crash safety of the sign-off log: a board child process is killed with SIGKILL again and
// again while sign-offs are being posted; every sign-off it acknowledged (201) must be in the
// log when it comes back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dashboards/board/testing.ts';

const root = new URL('../../', import.meta.url).pathname;
const TOKEN = 'ttdl-token-0123456789';
let PORT = 0;
let URL_ = '';
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'board-crash-'));
  PORT = await freePort();
  URL_ = `http://127.0.0.1:${PORT}/`;
  await writeFile(join(dir, 'tokens.yaml'), `ttdl: ${TOKEN}\n`);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function startChild(): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin/sansang.js'),
      'board',
      '--inventory',
      join(root, 'inventory/examples/demo.yaml'),
      '--listen',
      `127.0.0.1:${PORT}`,
      '--data-dir',
      join(dir, 'data'),
      '--tokens',
      join(dir, 'tokens.yaml'),
      '--refresh',
      '60',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the board exited (${child.exitCode}): ${err}`);
    try {
      if ((await fetch(`${URL_}healthz`)).ok) return { child, stderr: () => err };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the board did not start: ${err}`);
}

const checks = ['signature-devices', 'staff-trained', 'records-handed-over', 'failover-drill'];
const units = ['16681', '16690', '17827'];

async function post(n: number): Promise<string | null> {
  try {
    const r = await fetch(`${URL_}api/signoffs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ unit: units[n % 3], check: checks[n % 4], who: `crash ${n}`, note: 'x'.repeat(n % 300), signed: n % 5 !== 0 }),
    });
    if (r.status !== 201) return null;
    return ((await r.json()) as { id: string }).id;
  } catch {
    return null;
  }
}

describe('SIGKILL while sign-offs are posted', () => {
  it('loses no acknowledged sign-off', async () => {
    const acked: string[] = [];
    let n = 0;
    for (let round = 0; round < 5; round++) {
      const { child } = await startChild();
      let stop = false;
      const writers = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const id = await post(n++);
          if (id) acked.push(id);
        }
      });
      await new Promise((r) => setTimeout(r, 200 + round * 97));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      stop = true;
      await Promise.all(writers);
    }
    expect(acked.length).toBeGreaterThan(20);
    const { child, stderr } = await startChild();
    const ids = new Set<string>();
    let cursor = 0;
    for (;;) {
      const page = (await (await fetch(`${URL_}api/log?since=${cursor}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
        entries: { id: string }[];
        next: number;
      };
      for (const e of page.entries) ids.add(e.id);
      if (page.entries.length === 0) break;
      cursor = page.next;
    }
    const lost = acked.filter((id) => !ids.has(id));
    expect(lost).toEqual([]);
    // A torn last line, when a kill left one, is only a warning.
    expect(stderr()).not.toMatch(/internal error/);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }, 240_000);
});
