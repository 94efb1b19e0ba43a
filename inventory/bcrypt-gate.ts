// bcrypt checks that never take the process over, and that a flood cannot keep a right password
// out. bcrypt is slow by design, and bcryptjs runs it on the event loop in 100 ms slices: about
// 0.1 s of CPU a check at cost 10, ~1.8 s under the agent's `--no-opt`. A stream of wrong
// passwords (or team tokens) would stall scrapes, probes and the board. So a gate
//   - remembers each answer (a scraper or a browser sends the same credentials every time);
//   - runs one check at a time, and lets bcrypt use at most `share` of the clock (a credit that
//     refills at that rate, up to `capMs`);
//   - gives each source (a client address) at most half of that share, so a flood from one
//     source leaves room for the others;
//   - lets a new check wait its turn for up to `maxWaitMs`, in arrival order, one waiting
//     request per source; beyond that it says `busy`, unchecked, and the caller answers 429.
// Shared by the agent's basic auth and the board's team tokens: inventory/ is the one folder both import.
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

export type GateVerdict = 'ok' | 'denied' | 'busy';

export interface GateOptions {
  /** Share of the clock bcrypt may use (0–1). */
  share?: number;
  /** The most credit, in ms of bcrypt, that builds up while idle. */
  capMs?: number;
  /** Answers remembered, right and wrong each. */
  remember?: number;
  /** How long a new check may wait for its turn before it is `busy`. */
  maxWaitMs?: number;
}

/** A credit of bcrypt time that refills at a share of the clock, up to a cap. */
class Credit {
  private at = performance.now();
  constructor(
    private readonly share: number,
    private readonly cap: number,
    private value = cap,
  ) {}
  now(): number {
    const t = performance.now();
    this.value = Math.min(this.cap, this.value + (t - this.at) * this.share);
    this.at = t;
    return this.value;
  }
  spend(ms: number): void {
    this.now();
    this.value -= ms;
  }
  /** Milliseconds until the credit is positive again. */
  untilPositive(): number {
    const v = this.now();
    return v > 0 ? 0 : Math.ceil(-v / this.share) + 1;
  }
}

interface Waiter {
  source: string;
  run: () => void;
  giveUp: () => void;
  deadline: number;
}

const MAX_SOURCES = 1024;

export class BcryptGate {
  private readonly good = new Set<string>();
  private readonly bad = new Set<string>(); // insertion order: the oldest is dropped first
  private checking = false;
  private readonly share: number;
  private readonly capMs: number;
  private readonly remember: number;
  private readonly maxWaitMs: number;
  private readonly credit: Credit;
  private readonly sources = new Map<string, Credit>();
  private readonly waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(o: GateOptions = {}) {
    this.share = o.share ?? 0.2;
    this.capMs = o.capMs ?? 3000;
    this.remember = o.remember ?? 64;
    this.maxWaitMs = o.maxWaitMs ?? 4000;
    this.credit = new Credit(this.share, this.capMs);
  }

  private sourceCredit(source: string): Credit {
    let c = this.sources.get(source);
    if (c) {
      // Most recently used last: the one dropped first when there are too many is the least recent.
      this.sources.delete(source);
    } else {
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value!);
      c = new Credit(this.share / 2, this.capMs / 2);
    }
    this.sources.set(source, c);
    return c;
  }

  /**
   * Does `secret` match `hash`? `key` names the credentials in the gate's memory (the whole
   * header, or team, token and hash); only its SHA-256 is kept. `source` is who asks (a client
   * address): each source gets its share, and waits its turn.
   */
  async check(key: string, secret: string, hash: string, source = ''): Promise<GateVerdict> {
    const id = createHash('sha256').update(key).digest('base64');
    if (this.good.has(id)) return 'ok';
    if (this.bad.has(id)) return 'denied';
    const own = this.sourceCredit(source);
    if (own.now() <= 0) return 'busy';
    if (!this.checking && this.credit.now() > 0 && this.waiting.length === 0) return this.run(id, secret, hash, own);
    if (this.waiting.some((w) => w.source === source)) return 'busy';
    return new Promise<GateVerdict>((resolve) => {
      this.waiting.push({
        source,
        deadline: performance.now() + this.maxWaitMs,
        run: () => void this.run(id, secret, hash, own).then(resolve),
        giveUp: () => resolve('busy'),
      });
      this.schedule();
    });
  }

  private async run(id: string, secret: string, hash: string, own: Credit): Promise<GateVerdict> {
    this.checking = true;
    const t0 = performance.now();
    try {
      const ok = await bcrypt.compare(secret, hash);
      const seen = ok ? this.good : this.bad;
      if (seen.size >= this.remember) seen.delete(seen.values().next().value!);
      seen.add(id);
      return ok ? 'ok' : 'denied';
    } finally {
      const spent = performance.now() - t0;
      this.credit.spend(spent);
      own.spend(spent);
      this.checking = false;
      this.schedule();
    }
  }

  /** Starts the oldest waiting check when the gate is free and has credit; gives up on the expired. */
  private schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const now = performance.now();
    while (this.waiting.length && this.waiting[0]!.deadline <= now) this.waiting.shift()!.giveUp();
    if (this.checking || this.waiting.length === 0) return;
    const wait = this.credit.untilPositive();
    if (wait === 0) {
      this.waiting.shift()!.run();
      return;
    }
    const next = Math.min(wait, Math.max(1, this.waiting[0]!.deadline - now));
    this.timer = setTimeout(() => this.schedule(), next);
    this.timer.unref();
  }
}
