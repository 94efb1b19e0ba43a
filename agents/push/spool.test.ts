// The push queue and its sender under a reconnect storm's failures (bench/reconnect-storm.ts).
// A queued file that cannot be read: found by bench/reconnect-storm.ts, where
// thousands of queues read their backlog at once and ran out of file handles; a file that could
// not be read went out as nothing, the request was accepted and the file shifted as sent, so its
// samples were lost without a count. Now it stays queued until it can be read, and the sender
// tries again after its backoff.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snappyDecode } from '../../inventory/index.ts';
import { Sender } from './sender.ts';
import { Spool } from './spool.ts';

let dir: string;
let server: Server | null = null;

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function filled(n: number): Promise<Spool> {
  dir = await mkdtemp(join(tmpdir(), 'sansang-spool-'));
  const spool = new Spool(join(dir, 'q'), 1 << 20);
  await spool.open();
  for (let i = 0; i < n; i++) await spool.append(Buffer.alloc(100, 65 + i), 10);
  return spool;
}

/** Makes the queue's `i`-th file unreadable (a symbolic link to itself in its place: ELOOP) and returns how to undo it, in one step. */
async function spoil(spool: Spool, i: number): Promise<() => Promise<void>> {
  const file = join(spool.dir, (await readdir(spool.dir)).sort()[i]!);
  await rename(file, join(dir, 'aside'));
  await symlink(file, file);
  return () => rename(join(dir, 'aside'), file);
}

describe('the push queue when a file cannot be read', () => {
  it('throws and keeps everything queued, instead of handing out a body without the file', async () => {
    const spool = await filled(3);
    const undo = await spoil(spool, 1);
    await expect(spool.head(1 << 20)).rejects.toThrow(/cannot be read/);
    expect([spool.length, spool.samples, spool.dropped]).toEqual([3, 30, 0]);
    await undo();
    const h = await spool.head(1 << 20);
    expect([h!.count, h!.samples, h!.body.length]).toEqual([3, 30, 300]);
  });

  it('drops a file that is gone and counts its samples, and hands out the rest', async () => {
    const spool = await filled(3);
    await rm(join(spool.dir, (await readdir(spool.dir)).sort()[0]!));
    const h = await spool.head(1 << 20);
    expect([h!.count, h!.samples, h!.body.length, spool.dropped, spool.length]).toEqual([2, 20, 200, 10, 2]);
  });

  it('the sender backs off and sends the whole backlog once it can be read', async () => {
    const spool = await filled(3);
    const undo = await spoil(spool, 2);
    const bodies: Buffer[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(snappyDecode(Buffer.concat(chunks)));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const logs: string[] = [];
    const sender = new Sender({
      url: new URL(`http://127.0.0.1:${port}/api/push/write`),
      auth: 'Basic eDp5',
      localAddress: '127.0.0.1',
      spool,
      timeoutMs: 2000,
      backoffMs: { min: 20, max: 40 },
      log: (l) => logs.push(l),
    });
    sender.kick();
    await new Promise((r) => setTimeout(r, 150));
    expect(bodies).toEqual([]);
    expect(logs.join('\n')).toMatch(/cannot be read/);
    await undo();
    for (let i = 0; i < 100 && spool.length; i++) await new Promise((r) => setTimeout(r, 20));
    sender.stop();
    expect(bodies.map((b) => b.length)).toEqual([300]);
    expect([spool.length, spool.dropped]).toEqual([0, 0]);
  });
});

describe('a refusal as out of order after an attempt that got no answer', () => {
  /** A receiver that takes the first request and answers it only when the agent has stopped waiting (never), then `second`. */
  async function receiver(second: { status: number; body: string }): Promise<URL> {
    let n = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (n++ > 0) res.writeHead(second.status, { 'content-type': 'application/json' }).end(second.body);
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/api/push/write`);
  }

  async function send(url: URL): Promise<Spool> {
    const spool = await filled(2);
    const sender = new Sender({
      url,
      auth: 'Basic eDp5',
      spool,
      timeoutMs: 200,
      backoffMs: { min: 20, max: 40 },
      log: () => {},
      localAddress: '127.0.0.1',
    });
    sender.kick();
    for (let i = 0; i < 250 && spool.length; i++) await new Promise((r) => setTimeout(r, 20));
    sender.stop();
    return spool;
  }

  it('takes the samples as arrived (the attempt that timed out delivered them), not as dropped', async () => {
    const spool = await send(await receiver({ status: 400, body: '{"error":"Prometheus refused them: out of order sample"}' }));
    expect([spool.length, spool.dropped]).toEqual([0, 0]);
  });

  it('counts them dropped when the refusal is of another kind', async () => {
    const spool = await send(await receiver({ status: 400, body: '{"error":"a series of another site"}' }));
    expect([spool.length, spool.dropped]).toEqual([0, 20]);
  });
});
