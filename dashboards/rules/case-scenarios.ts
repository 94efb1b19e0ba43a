// The case table of the four-state rule (../state-cases.ts) as promtool test groups: each case
// is laid onto the test unit (its items standing in for the case's items, by kind and blocking),
// its situations become input series, and the table's answers are what the rules must record.
import {
  AGENT_METRICS,
  BOARD_METRICS,
  durationSeconds,
  FOREIGN_METRICS,
  JOBS,
  pushedLinks,
  type ChecklistItem,
  type Site,
} from '../../inventory/index.ts';
import {
  NEEDS_LONG_FOR,
  passingSince,
  situationValue,
  type CaseClock,
  type CaseItem,
  type Situation,
  type StateCase,
} from '../state-cases.ts';
import type { State } from '../states.ts';
import { cast, type Cast } from './scenarios.ts';
import { Scenario, worse, type TestContext, type TestGroup } from './scenario.ts';

/** Situations of "agent up" in which nothing fresh has come over a pushed link. */
const PUSH_SILENT = new Set<Situation>(['stale', 'never']);

/** Central evidence the case table can stage as series. */
const STAGED_CENTRAL = new Set(['agent-up', 'clock', 'dc-reach']);

/** The unit's items able to stand for a case item at these sites. */
function standIns(k: Cast, ci: CaseItem, sites: Site[]): ChecklistItem[] {
  const longFor = ci.at.some((s) => NEEDS_LONG_FOR.has(s));
  return k.ctx.items.filter(
    (i) =>
      i.kind === ci.role &&
      i.blocking === ci.blocking &&
      (ci.role === 'manual' || sites.every((s) => k.itemsOf(s).some((x) => x.id === i.id))) &&
      (ci.role !== 'central' || STAGED_CENTRAL.has(i.evidence.kind)) &&
      (!longFor || durationSeconds(i.for) >= 2 * k.ctx.interval),
  );
}

/** Which of the unit's items plays each case item, or undefined when the unit has no cast for it. */
export function layCase(k: Cast, c: StateCase): { sites: Site[]; items: [CaseItem, ChecklistItem][] } | undefined {
  const sites = k.sites.slice(0, c.sites);
  if (sites.length < c.sites) return undefined;
  const used = new Set<string>();
  const items: [CaseItem, ChecklistItem][] = [];
  for (const ci of c.items) {
    const item = standIns(k, ci, sites).find((i) => !used.has(i.id));
    if (!item) return undefined;
    used.add(item.id);
    items.push([ci, item]);
  }
  return { sites, items };
}

/** Writes one item's situation at one site (or the unit, for manual items) into the scenario's series. */
function stage(k: Cast, sc: Scenario, item: ChecklistItem, site: Site, situation: Situation, clock: CaseClock): void {
  const v = (t: number) => situationValue(situation, clock, t);
  const at = { unit: k.u, site: site.id };
  const e = item.evidence;
  if (item.kind === 'manual') sc.world.update(BOARD_METRICS.signoffStatus, { unit: k.u, check: item.id }, v);
  else if (item.kind === 'edge') sc.world.update(AGENT_METRICS.checkStatus, { ...at, check: item.id }, v);
  else if (e.kind === 'agent-up') sc.world.update(FOREIGN_METRICS.up, { ...at, job: JOBS.agent }, v);
  else if (e.kind === 'dc-reach') sc.world.update(FOREIGN_METRICS.blackboxSuccess, at, v);
  else if (e.kind === 'clock') {
    const off = e.maxOffsetSeconds + 8;
    sc.world.update(AGENT_METRICS.hostTime, at, (t) => {
      const x = v(t);
      return x === undefined ? undefined : x === 1 ? t : t + off;
    });
  } else throw new Error(`the case table cannot stage ${e.kind}`);
}

/** The test groups of the cases that can be laid onto the context's unit, and how many could not. */
export function caseGroups(ctx: TestContext, cases: readonly StateCase[]): { groups: TestGroup[]; skipped: StateCase[] } {
  const k = cast(ctx);
  const groups: TestGroup[] = [];
  const skipped: StateCase[] = [];
  const at = ctx.tGo;
  for (const c of cases) {
    const laid = layCase(k, c);
    if (!laid) {
      skipped.push(c);
      continue;
    }
    const sc = new Scenario(`the rule's case table: ${c.name}`, ctx, at);
    const items: Map<string, State> = ctx.unitItems();
    for (const [ci, item] of laid.items) {
      const clock: CaseClock = { intervalSeconds: ctx.interval, freshnessSeconds: ctx.fresh, forSeconds: durationSeconds(item.for), at };
      const where = item.kind === 'manual' ? [laid.sites[0]!] : laid.sites;
      where.forEach((site, n) => stage(k, sc, item, site, ci.at[n]!, clock));
      items.set(item.id, ci.expect);
    }
    // Staging "agent up" also says what arrived over the links the agent pushes over: where
    // nothing fresh came, or not for the link item's whole `for`, that item has no evidence either.
    for (const [ci, item] of laid.items)
      if (item.evidence.kind === 'agent-up')
        laid.sites.forEach((site, n) => {
          const situation = ci.at[n]!;
          const upClock: CaseClock = {
            intervalSeconds: ctx.interval,
            freshnessSeconds: ctx.fresh,
            forSeconds: durationSeconds(item.for),
            at,
          };
          for (const link of pushedLinks(site))
            for (const li of k.itemsOf(site)) {
              if (li.evidence.kind !== 'link' || li.evidence.link !== link || laid.items.some(([, x]) => x.id === li.id)) continue;
              const tooShort = situation === 'new' && passingSince(upClock) > at - durationSeconds(li.for);
              if (PUSH_SILENT.has(situation) || tooShort) items.set(li.id, worse(items.get(li.id) ?? 'go', 'unknown'));
            }
        });
    if (c.maintenance) {
      sc.world.update(BOARD_METRICS.maintenanceActive, { unit: k.u }, 1);
      for (const id of items.keys()) items.set(id, 'maintenance');
    }
    sc.expectStates(at, items, c.expect);
    groups.push(sc.group());
  }
  return { groups, skipped };
}
