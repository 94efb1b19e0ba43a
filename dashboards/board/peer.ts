// Two boards, one per data center: each pulls the other's log entries every few seconds
// (GET PEER/api/log?since=CURSOR), keeps the ones it lacks (union by id) and writes them to its
// own log with the same fsync, so either board alone holds the whole truth after a sync.
import http from 'node:http';
import https from 'node:https';
import { LogEntry, type BoardLog } from './store.ts';

export interface PeerStatus {
  url: string;
  lastOkAt: string | null;
  lastError: string | null;
  cursor: number;
}

function getJson(url: URL, timeoutMs: number): Promise<unknown> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new Error('not JSON'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export class PeerSync {
  readonly status: PeerStatus;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    peerUrl: string,
    private readonly log: BoardLog,
    private readonly everyMs = 3000,
    private readonly warn: (m: string) => void = () => {},
  ) {
    this.status = { url: peerUrl, lastOkAt: null, lastError: null, cursor: 0 };
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.pullAll().finally(() => {
        this.running = null;
        if (!this.stopped) this.timer = setTimeout(tick, this.everyMs);
      });
    };
    tick();
  }

  /** Pulls until the peer has nothing newer. */
  async pullAll(): Promise<void> {
    try {
      for (let round = 0; round < 1000; round++) {
        const url = new URL('api/log', this.status.url.endsWith('/') ? this.status.url : `${this.status.url}/`);
        url.searchParams.set('since', String(this.status.cursor));
        const body = (await getJson(url, 5000)) as { entries?: unknown[]; next?: unknown };
        if (!body || !Array.isArray(body.entries) || typeof body.next !== 'number') throw new Error('unexpected answer from the peer');
        const good: LogEntry[] = [];
        for (const e of body.entries) {
          const r = LogEntry.safeParse(e);
          if (r.success) good.push(r.data);
        }
        if (good.length < body.entries.length)
          this.warn(`peer ${this.status.url}: ${body.entries.length - good.length} entries do not conform, skipped`);
        await this.log.append(good);
        const advanced = body.next > this.status.cursor;
        // A peer that restarted with a shorter log: start over (the union by id makes it harmless).
        this.status.cursor = body.next < this.status.cursor ? 0 : body.next;
        if (!advanced || body.entries.length === 0) break;
      }
      this.status.lastOkAt = new Date().toISOString();
      this.status.lastError = null;
    } catch (e) {
      this.status.lastError = (e as Error).message;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
