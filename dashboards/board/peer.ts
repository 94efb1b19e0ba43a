// Two boards, one per data center: each pulls the other's log entries every few seconds
// (GET PEER/api/log?since=CURSOR, with a team token: the log holds names and notes), keeps the
// ones it lacks (union by id) and writes them to its own log with the same fsync, so either board
// alone holds the whole truth after a sync. A peer's answer weighs at most what an agent's may; an
// entry dated further ahead of this board's clock than CLOCK_TOLERANCE_MS is refused (a peer with
// a fast clock would otherwise win every conflict), and the peer's clock offset is shown.
import http from 'node:http';
import https from 'node:https';
import { MAX_ANSWER_BYTES } from './fetch-status.ts';
import { LogEntry, type BoardLog } from './store.ts';

export const CLOCK_TOLERANCE_MS = 2 * 60_000;

export interface PeerStatus {
  url: string;
  lastOkAt: string | null;
  lastError: string | null;
  /** The same for the page, in Vietnamese (no errno codes). */
  lastErrorVi: string | null;
  cursor: number;
  /** The peer's clock minus ours, in seconds, from its last answer (null: not known). */
  clockOffsetSeconds: number | null;
  /** Entries refused because they were dated ahead of this board's clock. */
  refusedFromFuture: number;
}

/** A failed pull, said in both languages. */
class PeerError extends Error {
  constructor(
    message: string,
    readonly vi: string,
  ) {
    super(message);
  }
}

const NETWORK_VI: Record<string, string> = {
  ECONNREFUSED: 'bảng đối tác từ chối kết nối (bảng chưa chạy hoặc sai cổng)',
  ECONNRESET: 'bảng đối tác ngắt kết nối giữa chừng',
  EHOSTUNREACH: 'không có đường tới bảng đối tác',
  ENETUNREACH: 'không có đường tới bảng đối tác',
  ENOTFOUND: 'không phân giải được tên của bảng đối tác',
  EAI_AGAIN: 'không phân giải được tên của bảng đối tác',
};

/** What the page says of a failed pull. */
function peerErrorVi(e: unknown): string {
  if (e instanceof PeerError) return e.vi;
  const code = (e as NodeJS.ErrnoException).code;
  return (code && NETWORK_VI[code]) ?? 'không kết nối được với bảng đối tác';
}

interface Answer {
  body: unknown;
  sentMs: number;
  receivedMs: number;
}

function getJson(url: URL, timeoutMs: number, token: string | undefined): Promise<Answer> {
  const mod = url.protocol === 'https:' ? https : http;
  const sentMs = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = mod.get(url, { timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) {
          req.destroy(
            new PeerError(
              `the answer is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`,
              `câu trả lời lớn quá ${MAX_ANSWER_BYTES / 1024 / 1024} MiB, đã bỏ`,
            ),
          );
          return;
        }
        chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode === 401)
          return reject(
            new PeerError(
              'the peer refuses our token: give this board a token of the peer (--peer-token-file)',
              'bảng đối tác từ chối mã truy cập của bảng này: cấp cho bảng này một mã của bảng đối tác (--peer-token-file)',
            ),
          );
        if (res.statusCode !== 200)
          return reject(new PeerError(`HTTP ${res.statusCode}`, `bảng đối tác trả lời lỗi (mã HTTP ${res.statusCode})`));
        try {
          resolve({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), sentMs, receivedMs: Date.now() });
        } catch {
          reject(new PeerError('not JSON', 'câu trả lời của bảng đối tác không đúng dạng'));
        }
      });
    });
    req.on('timeout', () =>
      req.destroy(new PeerError(`no answer within ${timeoutMs} ms`, `bảng đối tác không trả lời trong ${timeoutMs / 1000} giây`)),
    );
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
    private readonly token?: string,
  ) {
    this.status = {
      url: peerUrl,
      lastOkAt: null,
      lastError: null,
      lastErrorVi: null,
      cursor: 0,
      clockOffsetSeconds: null,
      refusedFromFuture: 0,
    };
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
        const a = await getJson(url, 5000, this.token);
        const body = a.body as { entries?: unknown[]; next?: unknown; now?: unknown };
        if (!body || !Array.isArray(body.entries) || typeof body.next !== 'number')
          throw new PeerError('unexpected answer from the peer', 'câu trả lời của bảng đối tác không đúng dạng');
        if (typeof body.now === 'string' && !Number.isNaN(Date.parse(body.now)))
          this.status.clockOffsetSeconds = Math.round((Date.parse(body.now) - (a.sentMs + a.receivedMs) / 2) / 100) / 10;
        const good: LogEntry[] = [];
        let bad = 0;
        const limit = Date.now() + CLOCK_TOLERANCE_MS;
        for (const e of body.entries) {
          const r = LogEntry.safeParse(e);
          if (!r.success) bad++;
          else if (Date.parse(r.data.at) > limit) this.status.refusedFromFuture++;
          else good.push(r.data);
        }
        if (bad) this.warn(`peer ${this.status.url}: ${bad} entries do not conform, skipped`);
        if (good.length + bad < body.entries.length)
          this.warn(
            `peer ${this.status.url}: entries dated more than ${CLOCK_TOLERANCE_MS / 60_000} minutes ahead of this board's clock refused; check both clocks`,
          );
        await this.log.append(good);
        const advanced = body.next > this.status.cursor;
        // A peer that restarted with a shorter log: start over (the union by id makes it harmless).
        this.status.cursor = body.next < this.status.cursor ? 0 : body.next;
        if (!advanced || body.entries.length === 0) break;
      }
      this.status.lastOkAt = new Date().toISOString();
      this.status.lastError = null;
      this.status.lastErrorVi = null;
    } catch (e) {
      this.status.lastError = (e as Error).message;
      this.status.lastErrorVi = peerErrorVi(e);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
