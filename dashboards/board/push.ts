// The receiver of what agents push over links the data center cannot reach (agents/push/), one
// per board: each agent authenticates as its site (an HMAC token from the province's push
// secret, inventory/push-token.ts: one hash per request, never a bcrypt), and may send
//   POST /api/push/status  its status document (the latest is kept per site and link; embedded
//                          mode judges the link from it, as from a poll)
//   POST /api/push/write   remote-write samples: every series must be its own site's (unit, site,
//                          job, a link it pushes over); the body goes on unchanged to this data
//                          center's Prometheus (--web.enable-remote-write-receiver)
//   GET  /api/push/echo    the address the board sees it come from, for a dual-WAN router's uplink
// Every answer carries the board's clock (`now`, ms), for the agent's timestamps.
//
// Admission: at most `maxInFlight` writes are decoded and forwarded at once, and at most
// `maxQueued` wait for a turn, each at most `maxWaitMs`; beyond, `429` with a Retry-After spread
// over a few seconds, so a reconnect storm (thousands of agents whose data center comes back) is
// served at the pace the board and Prometheus can take, with nothing dropped: the agents keep
// their backlog until it is accepted (bench/reconnect-storm.ts).
import http from 'node:http';
import https from 'node:https';
import express, { type Request, type Response } from 'express';
import {
  JOBS,
  LABELS,
  RemoteWriteError,
  decodeWriteRequest,
  parseStatusDocument,
  pushTokenValid,
  pushedLinks,
  snappyDecode,
  type LinkName,
  type StatusDocument,
} from '../../inventory/index.ts';
import type { Catalog } from './catalog.ts';

export interface PushedStatus {
  doc: StatusDocument;
  receivedMs: number;
}

export interface PushReceiverOptions {
  /** The province's push secret (the agents' tokens derive from it). */
  secret: string;
  /** This data center's Prometheus remote-write receiver, e.g. http://prometheus:9090/api/v1/write; without, samples are checked and discarded. */
  writeUrl?: string;
  maxInFlight?: number;
  maxQueued?: number;
  /** The longest a write waits for its turn before it is told 429 (ms; default 5000). */
  maxWaitMs?: number;
  /** Largest body accepted (bytes, compressed). */
  maxBodyBytes?: number;
}

interface SiteInfo {
  unit: string;
  pushed: Set<LinkName>;
}

export class PushReceiver {
  private readonly sites = new Map<string, SiteInfo>();
  private readonly latest = new Map<string, PushedStatus>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  readonly counts = new Map<string, number>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly agentTls = new https.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    catalog: Catalog,
    private readonly o: PushReceiverOptions,
  ) {
    for (const cu of catalog.units)
      for (const cs of cu.sites) this.sites.set(cs.site.id, { unit: cu.unit.code, pushed: new Set(pushedLinks(cs.site)) });
  }

  /** The last status the site's agent pushed over the link, if any. */
  status(site: string, link: LinkName): PushedStatus | undefined {
    return this.latest.get(`${site}\0${link}`);
  }

  get inFlightWrites(): number {
    return this.inFlight;
  }

  get queuedWrites(): number {
    return this.waiting.length;
  }

  private count(kind: string, outcome: string): void {
    const k = `${kind}\0${outcome}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** The site of a request's Basic credentials, when its token is the site's; answers 401 itself otherwise. */
  private site(req: Request, res: Response, kind: string): string | undefined {
    const m = /^Basic\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const [site, token] = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':', 2) : [];
    if (site && token && this.sites.has(site) && pushTokenValid(this.o.secret, site, token)) return site;
    this.count(kind, 'refused');
    res.status(401).set('www-authenticate', 'Basic realm="sansang push"').json({ error: "a site's push token is required" });
    return undefined;
  }

  private retryAfter(res: Response, kind: string, why: string): void {
    this.count(kind, 'busy');
    // Spread the retries: a fixed value would bring every refused agent back in the same second.
    res
      .status(429)
      .set('retry-after', String(1 + Math.floor(Math.random() * 5)))
      .json({ error: why });
  }

  /**
   * A turn to decode and forward a write, or false when too many wait already or the wait grew
   * longer than `maxWaitMs`: by then the agent (which gives up after 10 s at most) may have given
   * up and will send the same samples again, and forwarding both makes Prometheus refuse the
   * second as out of order, which the agent counts as dropped (bench/reconnect-storm.ts).
   */
  private async admit(): Promise<boolean> {
    if (this.inFlight < (this.o.maxInFlight ?? 16)) {
      this.inFlight++;
      return true;
    }
    if (this.waiting.length >= (this.o.maxQueued ?? 256)) return false;
    return new Promise<boolean>((resolve) => {
      const turn = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(turn), 1);
        resolve(false);
      }, this.o.maxWaitMs ?? 5000);
      this.waiting.push(turn);
    });
  }

  /** The turn passes to the first waiting write, if any (it keeps the slot: no newcomer can take it in between). */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** Every series must be the site's own, over a link it pushes over. */
  private checkSeries(site: string, raw: Buffer): string | null {
    const info = this.sites.get(site)!;
    for (const s of decodeWriteRequest(raw)) {
      const l = s.labels;
      if (l[LABELS.site] !== site || l[LABELS.unit] !== info.unit || l.job !== JOBS.agent)
        return `a series of another site, unit or job (${l.__name__ ?? '?'}): a site writes only its own`;
      if (!info.pushed.has(l[LABELS.scrapeLink] as LinkName))
        return `scrape_link "${l[LABELS.scrapeLink] ?? ''}" is not a link site ${site} pushes over`;
    }
    return null;
  }

  private forward(body: Buffer): Promise<{ status: number; text: string }> {
    const url = new URL(this.o.writeUrl!);
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const req = mod.request(
        url,
        {
          method: 'POST',
          agent: url.protocol === 'https:' ? this.agentTls : this.agent,
          headers: {
            'content-type': 'application/x-protobuf',
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': '0.1.0',
            'content-length': String(body.length),
          },
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.length < 16 && chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
          res.on('error', (e) => resolve({ status: 0, text: e.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('Prometheus did not answer within 10 s')));
      req.on('error', (e) => resolve({ status: 0, text: e.message }));
      req.end(body);
    });
  }

  routes(app: express.Express): void {
    const now = () => Date.now();
    const address = (req: Request) => (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');

    app.get('/api/push/echo', (req, res) => {
      if (!this.site(req, res, 'echo')) return;
      this.count('echo', 'accepted');
      res.json({ now: now(), address: address(req) });
    });

    app.post('/api/push/status', express.json({ limit: '4mb' }), (req, res) => {
      const site = this.site(req, res, 'status');
      if (!site) return;
      const link = req.get('x-sansang-link') as LinkName | undefined;
      if (!link || !this.sites.get(site)!.pushed.has(link)) {
        this.count('status', 'refused');
        res.status(400).json({ error: `x-sansang-link: site ${site} pushes over none of "${link ?? ''}"` });
        return;
      }
      let doc: StatusDocument;
      try {
        doc = parseStatusDocument(req.body);
      } catch (e) {
        this.count('status', 'refused');
        res.status(400).json({ error: (e as Error).message });
        return;
      }
      if (doc.agent.site !== site) {
        this.count('status', 'refused');
        res.status(400).json({ error: `the document is site ${doc.agent.site}'s, not ${site}'s` });
        return;
      }
      this.latest.set(`${site}\0${link}`, { doc, receivedMs: now() });
      this.count('status', 'accepted');
      res.json({ now: now(), address: address(req) });
    });

    app.post('/api/push/write', async (req, res) => {
      const site = this.site(req, res, 'write');
      if (!site) {
        req.resume();
        return;
      }
      if (!(await this.admit())) {
        req.resume();
        this.retryAfter(res, 'write', 'the receiver is busy: try again after Retry-After');
        return;
      }
      try {
        // The agent gave up while this write waited: it sends the same samples again.
        if (req.socket.destroyed) return;
        const limit = this.o.maxBodyBytes ?? 8 << 20;
        const chunks: Buffer[] = [];
        let size = 0;
        try {
          for await (const c of req as AsyncIterable<Buffer>) {
            size += c.length;
            if (size > limit) {
              this.count('write', 'refused');
              res.status(413).json({ error: `larger than ${limit} bytes: send the backlog in smaller requests` });
              return;
            }
            chunks.push(c);
          }
        } catch {
          // The agent gave up before its body arrived (its time ran out): nobody to answer, and
          // not an error of the board's; it sends the same samples again.
          return;
        }
        const body = Buffer.concat(chunks);
        let why: string | null;
        try {
          why = this.checkSeries(site, snappyDecode(body));
        } catch (e) {
          why = e instanceof RemoteWriteError ? `not a remote-write body: ${e.message}` : String(e);
        }
        if (why) {
          this.count('write', 'refused');
          res.status(400).json({ error: why });
          return;
        }
        if (!this.o.writeUrl) {
          this.count('write', 'accepted');
          res.status(204).end();
          return;
        }
        const p = await this.forward(body);
        if (p.status >= 200 && p.status < 300) {
          this.count('write', 'accepted');
          res.status(204).end();
        } else if (p.status >= 400 && p.status < 500 && p.status !== 429) {
          // Prometheus refuses these samples for good (out of order, too old): the agent drops them.
          this.count('write', 'refused');
          res.status(400).json({ error: `Prometheus refused them: ${p.text}` });
        } else {
          this.count('write', 'failed');
          res
            .status(503)
            .set('retry-after', String(2 + Math.floor(Math.random() * 8)))
            .json({ error: `Prometheus did not take them (${p.status || p.text}): try again` });
        }
      } finally {
        this.release();
      }
    });
  }

  close(): void {
    this.agent.destroy();
    this.agentTls.destroy();
  }
}
