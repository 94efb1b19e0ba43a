// Sends one push queue (one receiver, one link) oldest first: a backlog goes out in requests of
// up to 1 MB as soon as the receiver takes them. When the data center comes back, thousands of
// agents push at once: each one waits a random part of its backoff before trying again (full
// jitter, doubling up to a minute), and a receiver that is full says `429`/`503` with
// Retry-After, which the agent honours with jitter on top, so the reconnection spreads out
// instead of hammering the boards and Prometheus (bench/reconnect-storm.ts measures it).
import { snappyEncode } from '../../inventory/index.ts';
import { exchange, type Exchange } from './http.ts';
import type { Spool } from './spool.ts';

export interface SenderOptions {
  url: URL;
  auth: string;
  localAddress: string;
  spool: Spool;
  timeoutMs: number;
  ca?: Buffer;
  /** The most one request carries. */
  maxRequestBytes?: number;
  /** First and largest backoff after a failure (ms). */
  backoffMs?: { min: number; max: number };
  onAnswer?: (a: Exchange) => void;
  onChange?: () => void;
  log: (line: string) => void;
  random?: () => number;
}

export class Sender {
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private wake: (() => void) | null = null;
  lastSuccessMs: number | null = null;
  lastError: string | null = null;
  /** An attempt at the current head got no answer: it may have reached Prometheus all the same. */
  private unanswered = false;

  constructor(private readonly o: SenderOptions) {}

  /** Something was queued: send now, unless waiting out a backoff. */
  kick(): void {
    if (this.stopped) return;
    if (this.wake) return; // sleeping: its backoff decides
    if (!this.running) void this.loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.wake = () => {
        this.wake = null;
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        r();
      };
      this.timer = setTimeout(() => this.wake?.(), ms);
    });
  }

  private backoff(retryAfterS: number | null): number {
    const rnd = this.o.random ?? Math.random;
    const { min, max } = this.o.backoffMs ?? { min: 1000, max: 60_000 };
    if (retryAfterS !== null) return retryAfterS * 1000 * (1 + rnd());
    const cap = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
    return cap / 2 + (cap / 2) * rnd();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped) {
        let batch: Awaited<ReturnType<Spool['head']>>;
        try {
          batch = await this.o.spool.head(this.o.maxRequestBytes ?? 1 << 20);
        } catch (e) {
          // The backlog cannot be read now (out of file handles, a failing disk): it stays queued.
          await this.failed((e as Error).message, null);
          continue;
        }
        if (!batch) return;
        const a = await exchange(this.o.url, {
          method: 'POST',
          headers: {
            authorization: this.o.auth,
            'content-type': 'application/x-protobuf',
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': '0.1.0',
          },
          body: snappyEncode(batch.body),
          localAddress: this.o.localAddress,
          timeoutMs: this.o.timeoutMs,
          ...(this.o.ca ? { ca: this.o.ca } : {}),
        });
        this.o.onAnswer?.(a);
        if (a.status >= 200 && a.status < 300) {
          await this.o.spool.shift(batch.count);
          this.unanswered = false;
          this.failures = 0;
          this.lastSuccessMs = Date.now();
          this.lastError = null;
          this.o.onChange?.();
          continue;
        }
        if (a.status === 400) {
          // Refused for good (out of order, too old, not this site's): sending it again would
          // block the queue behind it forever. "Out of order" or "duplicate" after an attempt
          // that got no answer means that attempt arrived (a storm: the board answered after the
          // agent stopped waiting): the samples are there, not dropped.
          const arrived = this.unanswered && /out of order|duplicate sample/i.test(a.body);
          await this.o.spool.shift(batch.count, !arrived);
          this.unanswered = false;
          if (!arrived) this.o.log(`sansang agent: ${this.o.url.origin} refused ${batch.samples} samples: ${a.body.slice(0, 200)}`);
          this.o.onChange?.();
          continue;
        }
        if (a.status === 0) this.unanswered = true;
        await this.failed(
          a.error ?? `HTTP ${a.status}${a.body ? `: ${a.body.slice(0, 200)}` : ''}`,
          a.status === 429 || a.status === 503 ? a.retryAfterS : null,
        );
      }
    } finally {
      this.running = false;
    }
  }

  private async failed(why: string, retryAfterS: number | null): Promise<void> {
    this.failures++;
    if (why !== this.lastError)
      this.o.log(`sansang agent: push to ${this.o.url.origin} failed (${why}); ${this.o.spool.length} waiting, trying again`);
    this.lastError = why;
    this.o.onChange?.();
    await this.sleep(this.backoff(retryAfterS));
  }
}
