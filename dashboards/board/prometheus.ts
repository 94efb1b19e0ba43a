// The Prometheus data source (`--prometheus URL`): the board reads what the recording rules
// concluded (the four-state rule written in PromQL): the state of every unit, of every item of a
// unit, and the state code of every item at every site, plus the agents' scrape health per link
// for the unit page. A fixed number of queries per refresh, whatever the number of units. When
// the rules are not loaded, the page says so.
import { causeTexts, FOREIGN_METRICS, JOBS, SERIES } from '../../inventory/index.ts';
import type { Catalog, CatalogSite, CatalogUnit } from './catalog.ts';
import { signoffView, type EvalContext } from './evaluate.ts';
import { whyOf } from './history.ts';
import { fetchStatus } from './fetch-status.ts';
import { instantQuery, type ServerTime, type VectorSample } from './prom-client-http.ts';
import type { BoardSource, HostFactsOfSite } from './source.ts';
import { isState, siteState, STATE_CODE, STATES, type State } from '../states.ts';
import { problemOf } from './problems.ts';
import type { Evaluation, ItemView, Problem, LinkView, SiteItemView, SiteView, UnitView } from './types.ts';

export const PROMETHEUS_QUERIES = {
  unitCheck: `${SERIES.unitCheckState} == 1`,
  unit: `${SERIES.unitState} == 1`,
  siteCheck: SERIES.siteCode,
  up: `${FOREIGN_METRICS.up}{job="${JOBS.agent}"}`,
} as const;

type Results = { [K in keyof typeof PROMETHEUS_QUERIES]: VectorSample[] };

/** The state of a rule's `code` value. */
const BY_CODE = new Map<number, State>(STATES.map((s) => [STATE_CODE[s], s]));

export class PrometheusSource implements BoardSource {
  readonly mode = 'prometheus';
  private results: Results | null = null;
  private error: string | null = null;
  /** Queries sent so far (the bench and the tests check they do not grow with the units). */
  queriesSent = 0;

  /** The board's clock against Prometheus' (seconds, + when the board is ahead), from the last poll. */
  private clockOffset: number | null = null;

  constructor(
    private readonly catalog: Catalog,
    private readonly url: string,
    private readonly timeoutMs: number,
    /** The board's clock (tests shift it). */
    private readonly now: () => number = Date.now,
  ) {}

  /** The clock items' limit: beyond it (plus the Date header's whole second), the board's own clock is off. */
  private get maxOffsetSeconds(): number {
    for (const cu of this.catalog.units)
      for (const i of cu.items.values()) if (i.evidence.kind === 'clock') return i.evidence.maxOffsetSeconds;
    return 2;
  }

  async poll(): Promise<void> {
    const keys = Object.keys(PROMETHEUS_QUERIES) as (keyof typeof PROMETHEUS_QUERIES)[];
    try {
      this.queriesSent += keys.length;
      let time: ServerTime | undefined;
      const values = await Promise.all(
        keys.map((k) => instantQuery(this.url, PROMETHEUS_QUERIES[k], this.timeoutMs, (t) => (time ??= t), this.now)),
      );
      // The Date header is whole seconds, written between sending and receiving.
      this.clockOffset = time ? ((time.sentMs + time.receivedMs) / 2 - (time.dateMs + 500)) / 1000 : null;
      this.results = Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Results;
      this.error = null;
    } catch (e) {
      this.results = null;
      this.error = (e as Error).message;
    }
  }

  evaluate(ctx: EvalContext): Evaluation {
    const problems: Problem[] = [];
    const r = this.results;
    if (!r) problems.push(problemOf({ kind: 'prometheus-unreachable', url: this.url, detail: this.error ?? 'not queried yet' }));
    else if (r.unit.length === 0) problems.push(problemOf({ kind: 'rules-missing', url: this.url, series: SERIES.unitState }));
    // The states are Prometheus' conclusions on its own clock; the board's clock off only makes its "since" wrong: said, not judged.
    if (this.clockOffset !== null && Math.abs(this.clockOffset) > this.maxOffsetSeconds + 1)
      problems.push(problemOf({ kind: 'board-clock-off', offset: Math.round(this.clockOffset) }));
    const unitStates = new Map<string, State>();
    const itemStates = new Map<string, State>();
    const siteChecks = new Map<string, State>();
    const up = new Map<string, number>();
    for (const s of r?.unit ?? []) if (s.metric.unit && isState(s.metric.state)) unitStates.set(s.metric.unit, s.metric.state);
    for (const s of r?.unitCheck ?? [])
      if (s.metric.unit && s.metric.check && isState(s.metric.state)) itemStates.set(`${s.metric.unit}/${s.metric.check}`, s.metric.state);
    for (const s of r?.siteCheck ?? []) {
      const state = BY_CODE.get(s.value);
      if (state) siteChecks.set(`${s.metric.unit}/${s.metric.site}/${s.metric.check}`, state);
    }
    for (const s of r?.up ?? []) up.set(`${s.metric.unit}/${s.metric.site}/${s.metric.scrape_link}`, s.value);
    // Prometheus scrapes no agent at all (two sites or more): its own network, not every commune at
    // once. What it concludes from that is no evidence: UNKNOWN, with a banner, never NO-GO.
    const scraped = new Set((r?.up ?? []).map((s) => `${s.metric.unit}/${s.metric.site}`));
    const blind = scraped.size >= 2 && (r?.up ?? []).every((s) => s.value !== 1);
    if (blind) problems.push(problemOf({ kind: 'board-blind' }));
    const seen = (s: State): State => (blind && s !== 'maintenance' ? 'unknown' : s);
    const blindSaid = blind ? causeTexts({ kind: 'board-blind' }) : undefined;

    const { nowMs, tracker, maintenance } = ctx;
    const units = this.catalog.units.map((cu): UnitView => {
      const code = cu.unit.code;
      const itemState = (id: string): State => seen(itemStates.get(`${code}/${id}`) ?? 'unknown');
      const sites: SiteView[] = cu.sites.map((cs) =>
        this.siteView(cu, cs, siteChecks, up, maintenance.siteActive(code, cs.site.id), ctx, seen),
      );
      const notGo = new Map<string, string[]>();
      for (const s of sites)
        for (const i of s.items)
          if (i.state === 'nogo' || i.state === 'unknown') {
            const list = notGo.get(i.check);
            if (list) list.push(s.id);
            else notGo.set(i.check, [s.id]);
          }
      const items: ItemView[] = [...cu.siteItemIds, ...cu.manualIds].map((id) => {
        const item = cu.items.get(id)!;
        const state = itemState(id);
        const view = item.kind === 'manual' ? signoffView(ctx.signoff(code, id)) : undefined;
        return {
          check: id,
          state,
          since: tracker.at(cu.itemSlots.get(id)!, state, nowMs).iso,
          blocking: item.blocking,
          sites: notGo.get(id) ?? [],
          ...(view ? { signoff: view } : {}),
          ...(blindSaid && state === 'unknown' && item.kind !== 'manual' ? blindSaid : {}),
        };
      });
      // The rules' answer; without it, nothing is known.
      const state = seen(unitStates.get(code) ?? 'unknown');
      return {
        code,
        name: cu.unit.name,
        kind: cu.unit.kind,
        hotSpot: cu.unit.hotSpot,
        districts: cu.districts,
        state,
        since: tracker.unit(cu.slot, code, state, nowMs, () => whyOf(items)),
        maintenance: maintenance.unitWindows(code),
        items,
        sites,
      };
    });
    return { at: new Date(nowMs).toISOString(), units, problems };
  }

  private siteView(
    cu: CatalogUnit,
    cs: CatalogSite,
    siteChecks: Map<string, State>,
    up: Map<string, number>,
    inMaint: boolean,
    ctx: EvalContext,
    seen: (s: State) => State,
  ): SiteView {
    const code = cu.unit.code;
    const pushed = (l: { reachable: boolean }) => (l.reachable ? {} : { pushed: true });
    const links: LinkView[] = [
      { link: 'primary', address: cs.site.links.primary.address, answered: null, ...pushed(cs.site.links.primary) },
    ];
    if (cs.site.links.backup)
      links.push({ link: 'backup', address: cs.site.links.backup.address, answered: null, ...pushed(cs.site.links.backup) });
    for (const l of links) {
      const v = up.get(`${code}/${cs.site.id}/${l.link}`);
      if (v !== undefined) l.answered = v === 1;
    }
    // The agent answers over another link, not over this one: this link is down, not the agent.
    if (links.some((l) => l.answered === true)) for (const l of links) if (l.answered === false) l.lost = true;
    // The rules' state of each item at this site (their `code` series); nothing recorded is UNKNOWN.
    const items: SiteItemView[] = cs.checks.map((id, n) => {
      const state: State = inMaint ? 'maintenance' : seen(siteChecks.get(`${code}/${cs.site.id}/${id}`) ?? 'unknown');
      return { check: id, state, since: ctx.tracker.at(cs.slots[n]!, state, ctx.nowMs).iso };
    });
    return {
      id: cs.site.id,
      name: cs.site.name,
      role: cs.site.role,
      state: siteState(
        items.map((i) => ({ state: i.state, blocking: cu.items.get(i.check)!.blocking })),
        inMaint,
      ),
      links,
      items,
    };
  }

  /** Prometheus keeps no host facts: they are asked of the agents, over each link in turn. */
  async hostFacts(sites: readonly { id: string; addresses: string[]; port: number }[]): Promise<HostFactsOfSite[]> {
    return Promise.all(
      sites.map(async (s) => {
        const errors: string[] = [];
        for (const a of s.addresses) {
          const r = await fetchStatus(a, s.port, { timeoutMs: 3000 });
          if (r.ok) return { site: s.id, host: r.doc.host };
          errors.push(r.error);
        }
        return { site: s.id, host: null, error: errors.join('; ') };
      }),
    );
  }

  close(): void {}
}
