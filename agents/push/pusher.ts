// What the agent sends the data center itself, once a tick: over every link the data center
// cannot reach (`reachable: false`), its samples (a disk-backed queue per receiver, agents/push/
// spool.ts and sender.ts) and its status document (the latest only) to every receiver; and, at
// a site behind a dual-WAN router, which address the data center sees its traffic come from
// (the receivers' echo), to tell which uplink carries it. Each answer also carries the
// receiver's clock: samples are stamped with the data center's time as the agent estimates it
// (half the round trip), so freshness and the clock item are judged as they are for a scrape.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeWriteRequest, pushedLinks, type LinkName, type SiteSliceDocument, type StatusDocument } from '../../inventory/index.ts';
import type { AgentMetrics } from '../registry.ts';
import { exchange, type Exchange } from './http.ts';
import { pushSamples, targetLabels } from './samples.ts';
import { Sender } from './sender.ts';
import { Spool } from './spool.ts';

/** Which uplink of a dual-WAN router the data center sees, and when it said so. */
export interface UplinkSeen {
  active: 'primary' | 'backup' | null;
  /** The address the data center saw (null: no receiver answered). */
  address: string | null;
  atMs: number;
}

interface Queue {
  receiver: URL;
  link: LinkName;
  spool: Spool;
  sender: Sender;
}

export interface PusherDeps {
  slice: SiteSliceDocument;
  baseDir: string;
  metrics: AgentMetrics;
  exposition: () => Promise<string>;
  status: () => StatusDocument;
  log: (line: string) => void;
  intervalMs: number;
}

/** The site's token file, `{site}` replaced by the site's id, relative to the configuration's folder. */
export function tokenPath(slice: SiteSliceDocument, baseDir: string): string | null {
  const f = slice.agent.push.tokenFile;
  return f ? resolve(baseDir, f.replaceAll('{site}', slice.site.id)) : null;
}

export class Pusher {
  private queues: Queue[] = [];
  private auth: string | null = null;
  /** The data center's clock minus ours (ms), from the receivers' answers. */
  offsetMs = 0;
  uplink: UplinkSeen | null = null;
  private closed = false;

  private constructor(private readonly d: PusherDeps) {}

  get receivers(): URL[] {
    return (this.d.slice.agent.push.receivers ?? []).map((r) => new URL(r.endsWith('/') ? r : `${r}/`));
  }

  /** Whether this site pushes or asks anything at all. */
  static needed(slice: SiteSliceDocument): boolean {
    return pushedLinks(slice.site).length > 0 || !!slice.site.router;
  }

  static async create(d: PusherDeps): Promise<Pusher> {
    const p = new Pusher(d);
    const file = tokenPath(d.slice, d.baseDir);
    if (file) {
      try {
        const token = (await readFile(file, 'utf8')).trim();
        p.auth = `Basic ${Buffer.from(`${d.slice.site.id}:${token}`).toString('base64')}`;
      } catch {
        d.log(`sansang agent: the push token file ${file} cannot be read: nothing is pushed`);
      }
    } else
      d.log(
        `sansang agent: site ${d.slice.site.id} must push (a link the data center cannot reach, or a dual-WAN router) but has no push token (agent.push.tokenFile; \`sansang agent kit --push-secret\` writes it): nothing is pushed`,
      );
    if (!p.auth) return p;
    const ca = d.slice.agent.caFile ? await readFile(resolve(d.baseDir, d.slice.agent.caFile)).catch(() => undefined) : undefined;
    const dir = process.env.STATE_DIRECTORY ?? resolve(d.baseDir, d.slice.agent.push.spoolDir.replaceAll('{site}', d.slice.site.id));
    for (const receiver of p.receivers)
      for (const link of pushedLinks(d.slice.site)) {
        const key = createHash('sha256').update(`${receiver.href}\0${link}`).digest('hex').slice(0, 16);
        const spool = new Spool(join(dir, 'spool', `${link}-${key}`), d.slice.agent.push.maxBacklogMb * 1024 * 1024);
        await spool.open();
        const q: Queue = { receiver, link, spool, sender: null as unknown as Sender };
        q.sender = new Sender({
          url: new URL('api/push/write', receiver),
          auth: p.auth,
          localAddress: d.slice.site.links[link]!.address,
          spool,
          timeoutMs: Math.min(10_000, Math.max(2000, d.intervalMs)),
          ...(ca ? { ca } : {}),
          onChange: () => p.figures(q),
          log: d.log,
        });
        p.queues.push(q);
        p.figures(q);
        // What an earlier run left goes out first.
        if (spool.length) q.sender.kick();
      }
    return p;
  }

  private figures(q: Queue): void {
    this.d.metrics.setPush(q.receiver.origin, q.link, {
      backlogBytes: q.spool.bytes,
      dropped: q.spool.dropped,
      lastSuccessMs: q.sender.lastSuccessMs,
    });
  }

  /** A receiver's answer may carry its clock: keep the offset (half the round trip). */
  private learnClock(a: Exchange): { address?: string } | null {
    if (a.status !== 200) return null;
    try {
      const j = JSON.parse(a.body) as { now?: number; address?: string };
      if (typeof j.now === 'number') this.offsetMs = j.now - (a.sentMs + a.receivedMs) / 2;
      return j;
    } catch {
      return null;
    }
  }

  private get timeoutMs(): number {
    return Math.min(10_000, Math.max(2000, this.d.intervalMs / 2));
  }

  /** Once a tick, after the items are judged: queue this tick's samples and send the status over every outbound-only link. */
  async push(): Promise<void> {
    if (this.closed || !this.auth) return;
    const links = pushedLinks(this.d.slice.site);
    const timeoutMs = this.timeoutMs;
    if (links.length) {
      const text = await this.d.exposition();
      const ms = Date.now() + this.offsetMs;
      for (const link of links) {
        const samples = pushSamples(text, targetLabels(this.d.slice, link), ms);
        const body = encodeWriteRequest(samples);
        for (const q of this.queues.filter((q) => q.link === link)) {
          await q.spool.append(body, samples.length);
          this.figures(q);
          q.sender.kick();
        }
      }
      const doc = Buffer.from(JSON.stringify(this.d.status()));
      await Promise.all(
        this.receivers.flatMap((r) =>
          links.map(async (link) => {
            const a = await exchange(new URL('api/push/status', r), {
              method: 'POST',
              headers: { authorization: this.auth!, 'content-type': 'application/json', 'x-sansang-link': link },
              body: doc,
              localAddress: this.d.slice.site.links[link]!.address,
              timeoutMs,
            });
            this.learnClock(a);
          }),
        ),
      );
    }
  }

  /** Once a tick, before the items are judged (a site behind a dual-WAN router): asks the receivers in turn which address they see its traffic come from. */
  async askUplink(): Promise<void> {
    const router = this.d.slice.site.router;
    if (this.closed || !this.auth || !router) return;
    const timeoutMs = this.timeoutMs;
    for (const r of this.receivers) {
      const a = await exchange(new URL('api/push/echo', r), {
        method: 'GET',
        headers: { authorization: this.auth! },
        localAddress: this.d.slice.site.links.primary.address,
        timeoutMs,
      });
      const j = this.learnClock(a);
      if (!j?.address) continue;
      const seen = j.address.replace(/^::ffff:/, '');
      const active = seen === router.uplinks.primary.address ? 'primary' : seen === router.uplinks.backup.address ? 'backup' : null;
      this.uplink = { active, address: seen, atMs: Date.now() };
      this.d.metrics.setUplink(active);
      return;
    }
    // No receiver answered: not told (the item has no fresh evidence, so it is not judged).
    if (this.uplink && Date.now() - this.uplink.atMs > 2 * this.d.intervalMs) {
      this.uplink = { active: null, address: null, atMs: Date.now() };
      this.d.metrics.setUplink(null);
    }
  }

  close(): void {
    this.closed = true;
    for (const q of this.queues) q.sender.stop();
  }

  /** For tests and the bench: each queue's backlog. */
  backlog(): { receiver: string; link: LinkName; files: number; bytes: number; dropped: number }[] {
    return this.queues.map((q) => ({
      receiver: q.receiver.origin,
      link: q.link,
      files: q.spool.length,
      bytes: q.spool.bytes,
      dropped: q.spool.dropped,
    }));
  }
}
