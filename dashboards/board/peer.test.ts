// The peer board as a hostile or broken one would be, faked on loopback: an answer far larger
// than any log, and entries dated ahead of this board's clock.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, type Inventory } from '../../inventory/index.ts';
import { BoardCore } from './board.ts';
import { MAX_ANSWER_BYTES } from './fetch-status.ts';
import { CLOCK_TOLERANCE_MS } from './peer.ts';
import { newEntryId, type SignoffEntry } from './store.ts';
import { TokenBook } from './tokens.ts';

let dir: string;
let inv: Inventory;
const servers: Server[] = [];
const PEER_TOKEN = 'peer-token-0123456789';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'board-peer-'));
  inv = await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname);
});
afterAll(async () => {
  for (const s of servers) s.close();
  await rm(dir, { recursive: true, force: true });
});

type Handler = (
  send: (status: number, body: string | Buffer) => void,
  auth: string | undefined,
  res: ServerResponse,
  since: number,
) => void;

async function fakePeer(handler: Handler): Promise<string> {
  const s = createServer((req, res) =>
    handler(
      (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(body),
      req.headers.authorization,
      res,
      Number(new URL(req.url ?? '/', 'http://x').searchParams.get('since') ?? 0),
    ),
  );
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}/`;
}

const board = (peer: string) =>
  BoardCore.create({
    inventory: inv,
    dataDir: join(dir, `data-${Math.random()}`),
    tokens: TokenBook.parse('ttdl: ttdl-token-0123456789\n'),
    datacenter: 'dc1',
    version: 'test',
    origin: 'test',
    peer,
    peerToken: PEER_TOKEN,
    peerEveryMs: 3_600_000,
    refreshMs: 3_600_000,
    warn: () => {},
  });

const signoff = (o: Partial<SignoffEntry>): SignoffEntry => ({
  id: newEntryId(),
  type: 'signoff',
  unit: '16681',
  check: 'staff-trained',
  signed: true,
  who: 'Peer',
  team: 'ttdl',
  note: '',
  at: new Date().toISOString(),
  origin: 'peer',
  ...o,
});

describe('pulling from a peer board', () => {
  it('a peer that refuses the connection, or our token, is said in Vietnamese for the page, with no errno code', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const b = await board(`http://127.0.0.1:${port}/`);
    try {
      await b.start();
      await new Promise((r) => setTimeout(r, 300));
      const peer = JSON.parse(b.overviewJson()).peer as { lastError: string; lastErrorVi: string };
      expect(peer.lastError).toMatch(/ECONNREFUSED/);
      expect(peer.lastErrorVi).toBe('bảng đối tác từ chối kết nối (bảng chưa chạy hoặc sai cổng)');
    } finally {
      await b.close();
    }
    const refusing = createServer((_req, res) => res.writeHead(401).end());
    servers.push(refusing);
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', () => r()));
    const b2 = await board(`http://127.0.0.1:${(refusing.address() as { port: number }).port}/`);
    try {
      await b2.start();
      await new Promise((r) => setTimeout(r, 300));
      const peer = JSON.parse(b2.overviewJson()).peer as { lastErrorVi: string };
      expect(peer.lastErrorVi).toMatch(/^bảng đối tác từ chối mã truy cập của bảng này/);
    } finally {
      await b2.close();
    }
  });

  it('cuts off an answer larger than an agent may send, and says so', async () => {
    let sentBytes = 0;
    const url = await fakePeer((_send, _auth, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      // Up to 64 MiB, unless the board hangs up first.
      const push = () => {
        while (sentBytes < 64 << 20) {
          sentBytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', push);
        }
        res.end();
      };
      res.on('error', () => {});
      res.write('{"entries":[');
      push();
    });
    const b = await board(url);
    try {
      const rss = process.memoryUsage().rss;
      await b.start();
      await new Promise((r) => setTimeout(r, 300));
      expect(b.current).toBeTruthy();
      const peer = JSON.parse(b.overviewJson()).peer as { lastError: string; lastErrorVi: string };
      expect(peer.lastError).toMatch(/larger than 8 MiB/);
      expect(peer.lastErrorVi).toMatch(/^câu trả lời lớn quá 8 MiB/);
      expect(sentBytes).toBeLessThan(MAX_ANSWER_BYTES + (8 << 20));
      expect(process.memoryUsage().rss - rss).toBeLessThan(200 << 20);
    } finally {
      await b.close();
    }
  });

  it('sends its token; refuses entries dated ahead of its clock; a withdrawal made here always takes effect', async () => {
    const ahead = signoff({ at: new Date(Date.now() + 3600_000).toISOString(), who: 'Fast clock' });
    const slightly = signoff({ check: 'failover-drill', at: new Date(Date.now() + CLOCK_TOLERANCE_MS / 2).toISOString() });
    let auth: string | undefined;
    const url = await fakePeer((send, a, _res, since) => {
      auth = a;
      send(200, JSON.stringify({ entries: [ahead, slightly].slice(since), next: 2, now: new Date(Date.now() + 90_000).toISOString() }));
    });
    const b = await board(url);
    try {
      await b.start();
      await new Promise((r) => setTimeout(r, 300));
      expect(auth).toBe(`Bearer ${PEER_TOKEN}`);
      const peer = JSON.parse(b.overviewJson()).peer as { refusedFromFuture: number; clockOffsetSeconds: number };
      expect(peer.refusedFromFuture).toBe(1);
      expect(peer.clockOffsetSeconds).toBeGreaterThan(80);
      expect(b.log.signoff('16681', 'staff-trained')).toBeUndefined();
      // Within the tolerance, a peer entry dated a minute ahead is kept; a withdrawal here still wins.
      expect(b.log.isSigned('16681', 'failover-drill')).toBe(true);
      const w = await b.signoff('ttdl', { unit: '16681', check: 'failover-drill', who: 'Here', signed: false });
      expect(Date.parse(w.at)).toBeGreaterThan(Date.parse(slightly.at));
      expect(b.log.isSigned('16681', 'failover-drill')).toBe(false);
    } finally {
      await b.close();
    }
  });
});
