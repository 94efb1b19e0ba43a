// One unit's evaluation from per-site samples: the four-state rule of state.ts applied to the
// catalog's items, with "since when" from the tracker. The embedded source feeds it samples
// from the agents' /status; manual items come from the sign-off log.
import { causeTexts, type Bilingual, type Cause } from '../../inventory/index.ts';
import type { Catalog, CatalogItem, CatalogSite, CatalogUnit } from './catalog.ts';
import { whyOf, type SinceTracker } from './history.ts';
import type { MaintenanceIndex } from './maintenance.ts';
import { judgeItem, siteState, unitState, worstOf, type Sample, type State } from '../states.ts';
import type { SignoffEntry } from './store.ts';
import type { ItemView, LinkView, SignoffView, SiteItemView, SiteView, UnitView } from './types.ts';

export interface SiteSample extends Sample {
  /** Why it is not passing (or not known): said in both languages on the page. */
  cause?: Cause;
  /** When the item entered its present judgement, on the board's clock, if the source knows. */
  sinceHintMs?: number | null;
}

export interface SiteInputs {
  sample(site: CatalogSite, item: CatalogItem): SiteSample;
  links(site: CatalogSite): LinkView[];
  agent?(site: CatalogSite): SiteView['agent'] | undefined;
}

export interface EvalContext {
  nowMs: number;
  catalog: Catalog;
  maintenance: MaintenanceIndex;
  signoff(unit: string, check: string): SignoffEntry | undefined;
  tracker: SinceTracker;
}

export function signoffView(e: SignoffEntry | undefined): SignoffView | undefined {
  return e ? { signed: e.signed, who: e.who, team: e.team, note: e.note, at: e.at, origin: e.origin } : undefined;
}

/** Manual items: GO once signed off, NO-GO until then (missing data is never GO). */
export function manualSample(e: SignoffEntry | undefined, nowMs = Date.now()): SiteSample {
  if (e?.signed)
    return { ok: true, ageSeconds: 0, sinceHintMs: Date.parse(e.at), passingForSeconds: Math.max(0, (nowMs - Date.parse(e.at)) / 1000) };
  return {
    ok: false,
    ageSeconds: 0,
    cause: e ? { kind: 'sign-withdrawn' } : { kind: 'not-signed' },
    ...(e ? { sinceHintMs: Date.parse(e.at) } : {}),
  };
}

/** A cause as the page shows it: the reason and, when there is one, the remedy, in both languages. */
type Said = { reason: Bilingual; fix?: Bilingual };
const texts = (c: Cause): Said => causeTexts(c);

export function evaluateUnit(cu: CatalogUnit, inputs: SiteInputs, ctx: EvalContext): UnitView {
  const { nowMs, tracker, maintenance } = ctx;
  const code = cu.unit.code;
  const unitMaint = maintenance.unitActive(code);
  const freshnessSeconds = ctx.catalog.freshnessSeconds;
  // Per item of the unit, its state at each site that checks it.
  const perItem = new Map<string, { site: string; state: State; since: number; said: Said | undefined }[]>();

  const sites: SiteView[] = cu.sites.map((cs) => {
    const siteMaint = maintenance.siteActive(code, cs.site.id);
    const items: SiteItemView[] = cs.checks.map((id, n) => {
      const item = cu.items.get(id)!;
      const s = inputs.sample(cs, item);
      const state = judgeItem(s, { freshnessSeconds, forSeconds: item.forSeconds }, siteMaint);
      const e = tracker.at(cs.slots[n]!, state, nowMs, state === 'unknown' ? null : s.sinceHintMs);
      let cause: Cause | undefined;
      if (state !== 'maintenance') {
        if (s.ok && state === 'nogo' && s.lastFailedSecondsAgo != null)
          cause = { kind: 'recovering', passing: Math.round(s.lastFailedSecondsAgo), need: item.forSeconds };
        else if (s.ok && state === 'unknown' && s.ageSeconds !== null && s.ageSeconds <= freshnessSeconds)
          cause = { kind: 'passing-new', passing: Math.round(s.passingForSeconds ?? 0), need: item.forSeconds };
        else cause = s.cause;
      }
      const said = cause ? texts(cause) : undefined;
      let list = perItem.get(id);
      if (!list) perItem.set(id, (list = []));
      list.push({ site: cs.site.id, state, since: e.since, said });
      return { check: id, state, since: e.iso, ...said };
    });
    const agent = inputs.agent?.(cs);
    const state = siteState(
      items.map((i) => ({ state: i.state, blocking: cu.items.get(i.check)!.blocking })),
      siteMaint,
    );
    const view: SiteView = { id: cs.site.id, name: cs.site.name, role: cs.site.role, state, links: inputs.links(cs), items };
    if (agent) view.agent = agent;
    return view;
  });

  const items: ItemView[] = cu.siteItemIds.map((id) => {
    const item = cu.items.get(id)!;
    const list = perItem.get(id) ?? [];
    const state = unitMaint ? 'maintenance' : worstOf(list.map((l) => l.state));
    let hint: number | null = null;
    let said: Said | undefined;
    const bad: string[] = [];
    for (const l of list) {
      if (l.state === 'nogo' || l.state === 'unknown') bad.push(l.site);
      if (l.state === state && state !== 'go') {
        if (hint === null || l.since < hint) hint = l.since;
        said ??= l.said;
      }
    }
    const since = tracker.at(cu.itemSlots.get(id)!, state, nowMs, hint).iso;
    return { check: id, state, since, blocking: item.blocking, sites: bad, ...said };
  });

  for (const id of cu.manualIds) {
    const item = cu.items.get(id)!;
    const entry = ctx.signoff(code, id);
    const s = manualSample(entry, nowMs);
    const state = judgeItem(s, { freshnessSeconds: Infinity, forSeconds: item.forSeconds }, unitMaint);
    const since = tracker.at(cu.itemSlots.get(id)!, state, nowMs, s.sinceHintMs).iso;
    const view = signoffView(entry);
    items.push({
      check: id,
      state,
      since,
      blocking: item.blocking,
      sites: [],
      ...(state === 'nogo' && s.cause ? texts(s.cause) : {}),
      ...(view ? { signoff: view } : {}),
    });
  }

  const state = unitState(items, unitMaint);
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
}
