// A reconnect storm's sites, for bench/reconnect-storm.ts and its short test: thousands of sites
// whose 4G backup the data center cannot reach, each with its own push token and a backlog of
// remote-write batches queued on disk while the data center was away. Every site runs the
// agent's real queue and sender (agents/push/spool.ts, sender.ts), one queue per receiver, as
// the agent's Pusher builds them; only the samples are synthetic (a few series a batch, through
// the agent's own pushSamples), so one process can carry thousands of sites.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AGENT_METRICS,
  encodeWriteRequest,
  pushToken,
  pushedLinks,
  type Inventory,
  type LinkName,
  type SiteSliceDocument,
} from '../../inventory/index.ts';
import { syntheticInventory } from '../../dashboards/board/testing.ts';
import { pushSamples, targetLabels } from '../push/samples.ts';
import { Sender } from '../push/sender.ts';
import { Spool } from '../push/spool.ts';
import type { Exchange } from '../push/http.ts';

/** The province's push secret in the storm (a bench's, never a real one). */
export const STORM_SECRET = 'sansang-reconnect-storm-bench-secret';

/**
 * A province of `sites` sites, four to a unit (the last unit fewer), every site with a 4G backup
 * the data center cannot reach (`reachable: false`), on loopback addresses: the agents push over
 * it. Built the same way in every process of the bench, so the boards and the sites agree.
 */
export function stormInventory(base: Inventory, sites: number): Inventory {
  const inv = syntheticInventory(base, Math.ceil(sites / 4), 4);
  let n = 0;
  let left = sites;
  const units = inv.units.map((u) => {
    const take = Math.min(4, left);
    left -= take;
    return {
      ...u,
      sites: u.sites.slice(0, take).map((s) => {
        n++;
        const address = `127.${200 + Math.floor(n / 65000)}.${Math.floor((n % 65000) / 250)}.${(n % 250) + 1}`;
        return {
          ...s,
          links: { primary: s.links.primary, backup: { kind: '4g' as const, address, gateway: '127.0.0.1', reachable: false } },
        };
      }),
    };
  });
  // The demo's services that name its own units would name units this province has not.
  const services = inv.services.filter((s) => !s.units);
  return { ...inv, units, services };
}

export interface StormSite {
  id: string;
  unit: string;
  link: LinkName;
  /** The pushed link's address: the site's requests leave from it, as the agent's do. */
  address: string;
  auth: string;
  slice: SiteSliceDocument;
}

export function stormSites(inv: Inventory): StormSite[] {
  return inv.units.flatMap((u) =>
    u.sites.map((s) => {
      const link = pushedLinks(s)[0]!;
      return {
        id: s.id,
        unit: u.code,
        link,
        address: s.links[link]!.address,
        auth: `Basic ${Buffer.from(`${s.id}:${pushToken(STORM_SECRET, s.id)}`).toString('base64')}`,
        // What targetLabels reads of a slice: the site and its unit's code.
        slice: { unit: { code: u.code }, site: s } as unknown as SiteSliceDocument,
      };
    }),
  );
}

/** The exposition of one tick: `series - 1` probe results (values move from tick to tick); pushSamples adds `up`. */
function exposition(series: number, tick: number): string {
  const lines: string[] = [];
  for (let i = 0; i < series - 1; i++)
    lines.push(`${AGENT_METRICS.probeDuration}{probe="p${i}"} ${(0.01 + ((i * 7 + tick * 13) % 97) / 1000).toFixed(3)}`);
  return `${lines.join('\n')}\n`;
}

export interface StormOptions {
  sites: StormSite[];
  receivers: URL[];
  /** Where the queues live (one folder per site and receiver). */
  dir: string;
  /** Series per batch (with `up`). */
  series: number;
  /** Batches queued per site and receiver: the ticks of the outage. */
  batches: number;
  intervalMs: number;
  /** The last batch's time; earlier ones one interval apart before it. */
  endMs: number;
  /**
   * The peer's client: a fixed backoff of `peerBackoffMs`, no jitter; Retry-After is taken as it
   * comes, without jitter on top. Ours: the agent's own (full jitter doubling to a minute,
   * Retry-After with jitter).
   */
  peerBackoffMs?: number;
  timeoutMs?: number;
}

export interface StormCounts {
  /** Answers by status ("0": no answer: refused, reset, timed out), before and after `back`. */
  before: Record<string, number>;
  after: Record<string, number>;
  /** 429/503 answers that carried no Retry-After. */
  busyWithoutRetryAfter: number;
  queues: number;
  admittedQueues: number;
  drainedQueues: number;
  dropped: number;
}

interface Queue {
  site: number;
  spool: Spool;
  sender: Sender;
  admittedMs: number | null;
  drainedMs: number | null;
}

/** The sites' queues and senders; `prefill()`, then `go()` (the outage: no receiver answers yet), `back()` when they do. */
export class StormSites {
  private queues: Queue[] = [];
  private backMs = Infinity;
  readonly counts: StormCounts = {
    before: {},
    after: {},
    busyWithoutRetryAfter: 0,
    queues: 0,
    admittedQueues: 0,
    drainedQueues: 0,
    dropped: 0,
  };

  constructor(private readonly o: StormOptions) {}

  /** Samples each site's receivers should end up with. */
  get samplesPerQueue(): number {
    return this.o.series * this.o.batches;
  }

  /** Writes every queue's backlog to disk (the outage's ticks), a few sites at a time. */
  async prefill(): Promise<void> {
    const { sites, receivers, series, batches, intervalMs, endMs } = this.o;
    const peer = this.o.peerBackoffMs;
    let next = 0;
    const one = async (i: number) => {
      const s = sites[i]!;
      const target = targetLabels(s.slice, s.link);
      const spools = await Promise.all(
        receivers.map(async (_, r) => {
          const dir = join(this.o.dir, s.id, String(r));
          await mkdir(dir, { recursive: true });
          const spool = new Spool(dir, 64 << 20);
          await spool.open();
          return spool;
        }),
      );
      for (let t = 0; t < batches; t++) {
        const samples = pushSamples(exposition(series, t), target, endMs - (batches - 1 - t) * intervalMs);
        const body = encodeWriteRequest(samples);
        for (const spool of spools) await spool.append(body, samples.length);
      }
      spools.forEach((spool, r) => {
        const q: Queue = { site: i, spool, sender: null as unknown as Sender, admittedMs: null, drainedMs: null };
        q.sender = new Sender({
          url: new URL('api/push/write', receivers[r]),
          auth: s.auth,
          localAddress: s.address,
          spool,
          timeoutMs: this.o.timeoutMs ?? Math.min(10_000, Math.max(2000, intervalMs)),
          ...(peer !== undefined ? { backoffMs: { min: 2 * peer, max: 2 * peer }, random: () => 0 } : {}),
          onAnswer: (a) => this.answer(q, a),
          onChange: () => {
            if (q.drainedMs === null && q.spool.length === 0) {
              q.drainedMs = Date.now();
              this.counts.drainedQueues++;
            }
          },
          log: () => {},
        });
        this.queues.push(q);
      });
    };
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < sites.length) await one(next++);
      }),
    );
    this.counts.queues = this.queues.length;
  }

  private answer(q: Queue, a: Exchange): void {
    const into = a.sentMs >= this.backMs ? this.counts.after : this.counts.before;
    // No answer: why (refused, reset, timed out), as "0 <why>".
    const k = a.status === 0 ? `0 ${(a.error ?? '').startsWith('no answer') ? 'timeout' : a.error}` : String(a.status);
    into[k] = (into[k] ?? 0) + 1;
    if ((a.status === 429 || a.status === 503) && a.retryAfterS === null) this.counts.busyWithoutRetryAfter++;
    // Admitted: the board let it past its admission (then Prometheus took it, or refused it for good, or failed).
    if (a.status !== 0 && a.status !== 429 && q.admittedMs === null) {
      q.admittedMs = Date.now();
      this.counts.admittedQueues++;
    }
  }

  /** The data center goes away: every queue tries at once and finds nobody, then backs off. */
  go(): void {
    for (const q of this.queues) q.sender.kick();
  }

  /** The receivers answer again from `ms` on (answers before it count as the outage's). */
  back(ms: number): void {
    this.backMs = ms;
  }

  get done(): boolean {
    return this.counts.drainedQueues === this.counts.queues;
  }

  /** Per site: when its last queue was first admitted and when its last queue emptied (null: not yet). */
  siteTimes(): { admittedMs: (number | null)[]; drainedMs: (number | null)[] } {
    const n = this.o.sites.length;
    const admitted: (number | null)[] = Array.from({ length: n }, () => 0);
    const drained: (number | null)[] = Array.from({ length: n }, () => 0);
    const later = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(a, b));
    for (const q of this.queues) {
      admitted[q.site] = later(admitted[q.site]!, q.admittedMs);
      drained[q.site] = later(drained[q.site]!, q.drainedMs);
    }
    return { admittedMs: admitted, drainedMs: drained };
  }

  /** Samples dropped by the queues (beyond their bound, or refused for good with a 400). */
  dropped(): number {
    return this.queues.reduce((n, q) => n + q.spool.dropped, 0);
  }

  stop(): void {
    for (const q of this.queues) q.sender.stop();
    this.counts.dropped = this.dropped();
  }
}
