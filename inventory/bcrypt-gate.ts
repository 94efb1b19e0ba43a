// bcrypt checks that never take the process over. bcrypt is slow by design, and bcryptjs runs it
// on the event loop in 100 ms slices: about 0.1 s of CPU a check at cost 10, ~1.8 s under the
// agent's `--no-opt`. A stream of wrong passwords (or team tokens) would stall scrapes, probes
// and the board. So a gate remembers each answer (a scraper or a browser sends the same
// credentials every time), runs one check at a time, and lets bcrypt use at most `share` of the
// clock (a credit that refills at that rate, up to `capMs`): beyond that it says `busy` at once,
// unchecked, and the caller answers 429. Shared by the agent's basic auth and the board's team
// tokens: inventory/ is the one folder both import.
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
}

export class BcryptGate {
  private readonly good = new Set<string>();
  private readonly bad = new Set<string>(); // insertion order: the oldest is dropped first
  private checking = false;
  private readonly share: number;
  private readonly capMs: number;
  private readonly remember: number;
  private credit: number;
  private at = performance.now();

  constructor(o: GateOptions = {}) {
    this.share = o.share ?? 0.2;
    this.capMs = o.capMs ?? 3000;
    this.remember = o.remember ?? 64;
    this.credit = this.capMs;
  }

  private refill(): void {
    const now = performance.now();
    this.credit = Math.min(this.capMs, this.credit + (now - this.at) * this.share);
    this.at = now;
  }

  /**
   * Does `secret` match `hash`? `key` names the credentials in the gate's memory (the whole
   * header, or team and token); only its SHA-256 is kept.
   */
  async check(key: string, secret: string, hash: string): Promise<GateVerdict> {
    const id = createHash('sha256').update(key).digest('base64');
    if (this.good.has(id)) return 'ok';
    if (this.bad.has(id)) return 'denied';
    this.refill();
    if (this.checking || this.credit <= 0) return 'busy';
    this.checking = true;
    const t0 = performance.now();
    try {
      const ok = await bcrypt.compare(secret, hash);
      const seen = ok ? this.good : this.bad;
      if (seen.size >= this.remember) seen.delete(seen.values().next().value!);
      seen.add(id);
      return ok ? 'ok' : 'denied';
    } finally {
      this.checking = false;
      this.refill();
      this.credit -= performance.now() - t0;
    }
  }
}
