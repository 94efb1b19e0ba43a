// The embedded data source (no Prometheus): the board polls every site's agent at
// address:agentPort/status on each of its links, reads the document with the shared schema,
// and judges the central items itself (agent up over some link, clock offset), and a link the
// agent does not answer over while it answers over another as that link down. An agent that
// answers over no link, or answers something that does not conform, leaves its items UNKNOWN.
// A link the data center cannot reach (`reachable: false`) is not polled: the agent pushes its
// status over it (dashboards/board/push.ts), and a push fresher than three intervals is an
// answer over that link; none is no evidence (UNKNOWN, as for the rules), not a failure: the
// board cannot tell a cut from a push still on its way.
import http from 'node:http';
import type { Cause, HostFacts, LinkName, StatusDocument } from '../../inventory/index.ts';
import type { Catalog, CatalogItem, CatalogSite, CatalogUnit } from './catalog.ts';
import { evaluateUnit, type EvalContext, type SiteInputs, type SiteSample } from './evaluate.ts';
import { fetchStatus, type FetchOptions, type StatusFetch } from './fetch-status.ts';
import { clockOffsetOk } from './clock.ts';
import type { BoardSource, HostFactsOfSite } from './source.ts';
import { problemOf } from './problems.ts';
import type { Evaluation, LinkView, Problem } from './types.ts';

interface LinkPoll {
  link: 'primary' | 'backup';
  address: string;
  result: StatusFetch;
  /** The link is pushed over, not polled (and `result` is its last push, or none fresh). */
  pushed?: boolean;
}

interface SitePoll {
  atMs: number;
  links: LinkPoll[];
  /** The document of the first link that answered this poll. */
  doc?: StatusDocument;
  receivedMs?: number;
  sentMs?: number;
  /** Last time each item was seen failing (board clock), for the `for` rule. */
  lastFailed: Map<string, number>;
  /** Central items: since when the board has seen each passing without a break. */
  passingSince: Map<string, number>;
  /** Last host facts any poll brought. */
  host: HostFacts | null;
  /** Worked out once per poll, read for every item: the first link the agent answered over, and why none did. */
  answeredOver: LinkName | null;
  silence: Cause;
  agentNowMs: number;
  checks: Map<string, StatusDocument['checks'][number]>;
}

export type StatusFetcher = (address: string, port: number) => Promise<StatusFetch>;

export interface EmbeddedOptions {
  timeoutMs: number;
  concurrency?: number;
  basicAuth?: string;
  https?: { ca?: string | Buffer };
  /** For tests and the bench: replaces the HTTP fetch. */
  fetcher?: StatusFetcher;
  /** The last status the site's agent pushed over a link it cannot be polled over. */
  pushed?: (site: string, link: LinkName) => { doc: StatusDocument; receivedMs: number } | undefined;
}

/** Why the agent answered over no link this poll: a document it could not read, another site's, or silence. */
function silenceOf(links: readonly LinkPoll[]): Cause {
  for (const l of links) {
    if (l.pushed) continue;
    if (l.result.ok) continue;
    if (/does not conform/.test(l.result.error)) return { kind: 'agent-bad-document' };
    const other = /answered for site "([^"]*)"/.exec(l.result.error);
    if (other) return { kind: 'agent-wrong-site', site: other[1]! };
  }
  return { kind: 'agent-silent' };
}

export class EmbeddedSource implements BoardSource {
  readonly mode = 'embedded';
  readonly queriesSent = 0;
  private readonly polls = new Map<string, SitePoll>();
  // No keep-alive: one short connection per poll every interval is cheap, and thousands of idle
  // sockets (one per agent address) would cost file descriptors at national scale.
  private readonly httpAgent = new http.Agent({ keepAlive: false });
  private readonly fetcher: StatusFetcher;
  /** The last poll reached no agent at all (over any link, pushes included): the board is blind, not every unit down. */
  private blind = false;
  /** The board's own clock is off most agents' by this many seconds (null: it agrees with them). */
  private boardClockOff: number | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly opts: EmbeddedOptions,
  ) {
    const fo: FetchOptions = {
      timeoutMs: opts.timeoutMs,
      ...(opts.basicAuth ? { basicAuth: opts.basicAuth } : {}),
      ...(opts.https ? { https: opts.https } : { agent: this.httpAgent }),
    };
    this.fetcher = opts.fetcher ?? ((address, port) => fetchStatus(address, port, fo));
  }

  /** The last push over a link, as a poll's answer: fresh (three intervals), or none. */
  private pushedFetch(cs: CatalogSite, link: LinkName, nowMs: number): StatusFetch {
    const p = this.opts.pushed?.(cs.site.id, link);
    if (p && nowMs - p.receivedMs <= this.catalog.freshnessSeconds * 1000)
      return { ok: true, doc: p.doc, sentMs: p.receivedMs, receivedMs: p.receivedMs };
    return { ok: false, error: 'nothing pushed lately', sentMs: nowMs, receivedMs: nowMs };
  }

  /** Polls every link of every site once, a bounded number at a time; takes a pushed link's last push. */
  async poll(): Promise<void> {
    const jobs: { cs: CatalogSite; link: 'primary' | 'backup'; address: string }[] = [];
    const pushedJobs: { cs: CatalogSite; link: LinkName; address: string }[] = [];
    for (const cu of this.catalog.units)
      for (const cs of cu.sites)
        for (const link of ['primary', 'backup'] as const) {
          const l = cs.site.links[link];
          if (l) (l.reachable ? jobs : pushedJobs).push({ cs, link, address: l.address });
        }
    const results = new Array<StatusFetch>(jobs.length);
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const i = next++;
        const j = jobs[i]!;
        results[i] = await this.fetcher(j.address, j.cs.site.agentPort);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.opts.concurrency ?? Number(process.env.SANSANG_BOARD_CONCURRENCY ?? 128), jobs.length) }, worker),
    );

    const bySite = new Map<string, LinkPoll[]>();
    jobs.forEach((j, i) => {
      const r = results[i]!;
      // A document about another site is a misconfiguration, not evidence for this one.
      const checked: StatusFetch =
        r.ok && r.doc.agent.site !== j.cs.site.id
          ? { ok: false, error: `the agent answered for site "${r.doc.agent.site}"`, sentMs: r.sentMs, receivedMs: r.receivedMs }
          : r;
      const list = bySite.get(j.cs.site.id) ?? [];
      list.push({ link: j.link, address: j.address, result: checked });
      bySite.set(j.cs.site.id, list);
    });
    const nowMs = Date.now();
    for (const j of pushedJobs) {
      const list = bySite.get(j.cs.site.id) ?? [];
      list.push({ link: j.link, address: j.address, result: this.pushedFetch(j.cs, j.link, nowMs), pushed: true });
      list.sort((a, b) => (a.link === b.link ? 0 : a.link === 'primary' ? -1 : 1));
      bySite.set(j.cs.site.id, list);
    }
    // Blind: two or more sites are polled and not one agent answered over any link. One site
    // silent is that site's fault; every site at once is this board's network.
    const polled = new Set(jobs.map((j) => j.cs.site.id));
    const answered = [...bySite.values()].filter((links) => links.some((l) => l.result.ok)).length;
    this.blind = polled.size >= 2 && answered === 0;
    for (const cu of this.catalog.units) for (const cs of cu.sites) this.record(cu, cs, bySite.get(cs.site.id) ?? []);
    this.boardClockOff = this.judgeBoardClock();
  }

  /**
   * The board's own clock, from the agents' answers: when at least three agents answered and
   * four in five of them are off the board beyond their clock item's limit, in the same
   * direction, it is the board's clock that is off (the median offset), not theirs.
   */
  private judgeBoardClock(): number | null {
    const offsets: { offset: number; max: number }[] = [];
    for (const cu of this.catalog.units)
      for (const cs of cu.sites) {
        const poll = this.polls.get(cs.site.id);
        if (!poll?.doc || poll.sentMs === undefined || poll.receivedMs === undefined) continue;
        const clockItem = cs.checks.map((id) => cu.items.get(id)!).find((i) => i.evidence.kind === 'clock');
        const max = clockItem?.evidence.kind === 'clock' ? clockItem.evidence.maxOffsetSeconds : 2;
        const c = clockOffsetOk(poll.sentMs, poll.receivedMs, poll.agentNowMs, max);
        offsets.push({ offset: c.offsetSeconds, max });
      }
    if (offsets.length < 3) return null;
    const ahead = offsets.filter((o) => o.offset > o.max).length;
    const behind = offsets.filter((o) => o.offset < -o.max).length;
    if (Math.max(ahead, behind) < 0.8 * offsets.length) return null;
    const sorted = offsets.map((o) => o.offset).sort((a, b) => a - b);
    // Agents ahead of the board: the board is behind them (negative offset of the board).
    return -Math.round(sorted[Math.floor(sorted.length / 2)]!);
  }

  private record(cu: CatalogUnit, cs: CatalogSite, links: LinkPoll[]): void {
    const prev = this.polls.get(cs.site.id);
    const answered = links.find((l) => l.result.ok);
    const poll: SitePoll = {
      atMs: Math.max(...links.map((l) => l.result.receivedMs)),
      links,
      lastFailed: prev?.lastFailed ?? new Map(),
      passingSince: prev?.passingSince ?? new Map(),
      host: prev?.host ?? null,
      answeredOver: answered?.link ?? null,
      silence: silenceOf(links),
      agentNowMs: NaN,
      checks: new Map(),
    };
    if (answered && answered.result.ok) {
      poll.doc = answered.result.doc;
      poll.receivedMs = answered.result.receivedMs;
      poll.sentMs = answered.result.sentMs;
      poll.agentNowMs = Date.parse(poll.doc.agent.now);
      for (const c of poll.doc.checks) poll.checks.set(c.check, c);
      if (poll.doc.host) poll.host = poll.doc.host;
    }
    // Keep one document per site, not one per link: at national scale that is half the memory.
    poll.links = links.map((l) => (l.result.ok && l.result.doc !== poll.doc ? { ...l, result: { ...l.result, doc: poll.doc! } } : l));
    this.polls.set(cs.site.id, poll);
    // Remember failures now, so an item that recovers has to hold for its `for`.
    for (const id of cs.checks) {
      const s = this.rawSample(cs, cu.items.get(id)!, poll.atMs);
      if (s.ok === false) poll.lastFailed.set(id, poll.atMs);
      if (s.ok === true) {
        if (!poll.passingSince.has(id)) poll.passingSince.set(id, poll.atMs);
      } else poll.passingSince.delete(id);
    }
  }

  /** The sample of an item at a site from the last poll, before the `for` rule. */
  private rawSample(cs: CatalogSite, item: CatalogItem, nowMs: number): SiteSample {
    const poll = this.polls.get(cs.site.id);
    if (!poll) return { ok: null, ageSeconds: null, cause: { kind: 'not-polled' } };
    // The board's own blindness is no evidence about the unit: UNKNOWN, never NO-GO.
    if (this.blind) return { ok: null, ageSeconds: null, cause: { kind: 'board-blind' } };
    const age = (nowMs - poll.atMs) / 1000;
    const e = item.evidence;
    // The agent is up when it answers over some link; a link it does not answer over is that link's failure.
    if (e.kind === 'agent-up' || e.kind === 'dc-reach') {
      if (poll.answeredOver) return { ok: true, ageSeconds: age };
      // Only pushed links, and nothing fresh over any: no evidence, not a failure (as the rules).
      if (poll.links.every((l) => l.pushed))
        return { ok: null, ageSeconds: null, cause: { kind: 'push-silent', link: poll.links[0]?.link ?? 'primary' } };
      return { ok: false, ageSeconds: age, cause: poll.silence };
    }
    const doc = poll.doc;
    if (!doc || poll.receivedMs === undefined || poll.sentMs === undefined) return { ok: null, ageSeconds: null, cause: poll.silence };
    if (e.kind === 'clock') {
      if (this.boardClockOff !== null)
        return { ok: null, ageSeconds: null, cause: { kind: 'board-clock-off', offset: this.boardClockOff } };
      const c = clockOffsetOk(poll.sentMs, poll.receivedMs, poll.agentNowMs, e.maxOffsetSeconds);
      return {
        ok: c.ok,
        ageSeconds: age,
        ...(c.ok ? {} : { cause: { kind: 'clock-off', offset: Math.round(c.offsetSeconds * 10) / 10, max: e.maxOffsetSeconds } }),
      };
    }
    if (item.kind !== 'edge') return { ok: null, ageSeconds: null, cause: { kind: 'central-only', evidence: e.kind } };
    const check = poll.checks.get(item.id);
    if (!check || check.ok === null || !check.at)
      return { ok: null, ageSeconds: null, cause: check ? { kind: 'not-judged-yet' } : { kind: 'not-reported' } };
    // Ages on the agent's clock, plus how old the document is on ours: immune to clock offset.
    const agentNow = poll.agentNowMs;
    const sampleAge = Math.max(0, (agentNow - Date.parse(check.at)) / 1000) + (nowMs - poll.receivedMs) / 1000;
    const sinceHint = check.since ? poll.receivedMs - (agentNow - Date.parse(check.since)) : null;
    // The link seen from the data center (as the rules see it): the agent answers over another
    // link, not over this one. The agent may not have judged its link failing yet.
    if (e.kind === 'link') {
      const mine = poll.links.find((l) => l.link === e.link);
      // A pushed link with nothing fresh: nothing says it works, nothing says it is cut (UNKNOWN).
      if (mine?.pushed && !mine.result.ok) return { ok: null, ageSeconds: null, cause: { kind: 'push-silent', link: e.link } };
      if (mine && !mine.result.ok && poll.answeredOver && poll.answeredOver !== e.link)
        return { ok: false, ageSeconds: age, cause: { kind: 'link-lost', link: e.link, over: poll.answeredOver, address: mine.address } };
    }
    // The agent's `since` says how long it has been passing (its own thresholds applied).
    return check.ok
      ? {
          ok: true,
          ageSeconds: sampleAge,
          sinceHintMs: sinceHint,
          passingForSeconds: sinceHint === null ? null : (nowMs - sinceHint) / 1000,
        }
      : { ok: false, ageSeconds: sampleAge, sinceHintMs: sinceHint, cause: check.cause ?? { kind: 'other', detail: check.reason } };
  }

  private inputs(nowMs: number): SiteInputs {
    return {
      sample: (cs, item) => {
        const s = this.rawSample(cs, item, nowMs);
        if (s.ok) {
          const poll = this.polls.get(cs.site.id);
          const lastFailed = poll?.lastFailed.get(item.id);
          if (lastFailed !== undefined) s.lastFailedSecondsAgo = (nowMs - lastFailed) / 1000;
          if (item.kind === 'central') {
            const since = poll?.passingSince.get(item.id);
            s.passingForSeconds = since === undefined ? null : (nowMs - since) / 1000;
          }
        }
        return s;
      },
      links: (cs) => {
        const poll = this.polls.get(cs.site.id);
        const declared: LinkView[] = [{ link: 'primary', address: cs.site.links.primary.address, answered: null }];
        if (cs.site.links.backup) declared.push({ link: 'backup', address: cs.site.links.backup.address, answered: null });
        return declared.map((d) => {
          const p = poll?.links.find((l) => l.link === d.link);
          if (!p) return d;
          if (p.pushed)
            return p.result.ok ? { ...d, answered: true, pushed: true } : { ...d, answered: null, pushed: true, error: p.result.error };
          if (p.result.ok) return { ...d, answered: true };
          return { ...d, answered: false, error: p.result.error, ...(poll?.answeredOver ? { lost: true } : {}) };
        });
      },
      agent: (cs) => {
        const poll = this.polls.get(cs.site.id);
        if (!poll?.doc || poll.sentMs === undefined || poll.receivedMs === undefined) return undefined;
        const c = clockOffsetOk(poll.sentMs, poll.receivedMs, Date.parse(poll.doc.agent.now), 0);
        return { version: poll.doc.agent.version, now: poll.doc.agent.now, clockOffsetSeconds: Math.round(c.offsetSeconds * 1000) / 1000 };
      },
    };
  }

  evaluate(ctx: EvalContext): Evaluation {
    const inputs = this.inputs(ctx.nowMs);
    const problems: Problem[] = [];
    if (this.blind) problems.push(problemOf({ kind: 'board-blind' }));
    if (this.boardClockOff !== null) problems.push(problemOf({ kind: 'board-clock-off', offset: this.boardClockOff }));
    return { at: new Date(ctx.nowMs).toISOString(), units: this.catalog.units.map((cu) => evaluateUnit(cu, inputs, ctx)), problems };
  }

  /** The last host facts each site's agent reported in its /status (null: none yet). */
  async hostFacts(sites: readonly { id: string }[]): Promise<HostFactsOfSite[]> {
    return sites.map((s) => ({ site: s.id, host: this.polls.get(s.id)?.host ?? null }));
  }

  close(): void {
    this.httpAgent.destroy();
  }
}
