// The generated promtool tests' scenarios, one named function each: the inventory's test unit,
// healthy, broken in one way, and the states and alerts that must follow. The table of the
// four-state rule adds its own cases (case-scenarios.ts).
import {
  siteChecks,
  siteLinks,
  JOBS,
  BOARD_METRICS,
  AGENT_METRICS,
  FOREIGN_METRICS,
  type ChecklistItem,
  type Inventory,
  type Site,
  type Unit,
} from '../../inventory/index.ts';
import { durationSeconds } from '../../inventory/index.ts';
import type { State } from '../states.ts';
import { formatHcm, humanizeDuration, Scenario, secs, worse, type TestContext, type TestGroup } from './scenario.ts';
import { SERIES } from '../../inventory/index.ts';

/** What every scenario starts from: the test unit, its last site and a site with a backup link. */
export interface Cast {
  ctx: TestContext;
  inv: Inventory;
  unit: Unit;
  u: string;
  sites: Site[];
  /** The last site: the one broken where a scenario breaks "a site". */
  siteX: Site;
  /** A site with a backup link (or the first). */
  siteW: Site;
  itemsOf(s: Site): ChecklistItem[];
  /** The unit's name, as the alerts show it (from the board's sansang_unit_info). */
  name: string;
  /** Item titles in the alerts' order (by id), in one language, comma separated. */
  titles(ids: readonly string[], lang: 'vi' | 'en'): string;
  /** The words of the alerts about a site of the unit. */
  siteVars(s: Site): { unit: string; site: string };
  setSiteItems(m: Map<string, State>, s: Site, state: State, filter?: (i: ChecklistItem) => boolean): void;
}

export function cast(ctx: TestContext): Cast {
  const { inv, unit } = ctx;
  const itemsOf = (s: Site) => siteChecks(inv, unit, s);
  return {
    ctx,
    inv,
    unit,
    u: unit.code,
    sites: unit.sites,
    siteX: unit.sites[unit.sites.length - 1]!,
    siteW: unit.sites.find((s) => s.links.backup) ?? unit.sites[0]!,
    itemsOf,
    name: unit.name,
    titles: (ids, lang) =>
      [...ids]
        .sort()
        .map((id) => ctx.byId.get(id)?.title[lang] ?? id)
        .join(', '),
    siteVars: (s) => ({ unit: unit.name, site: s.id }),
    setSiteItems: (m, s, state, filter = () => true) => {
      for (const i of itemsOf(s)) if (filter(i)) m.set(i.id, worse(m.get(i.id) ?? 'go', state));
    },
  };
}

/** GO after each item's `for`; before that, passing without enough history is UNKNOWN. */
function allPassing(k: Cast): TestGroup[] {
  const { ctx } = k;
  const out: TestGroup[] = [];
  {
    const sc = new Scenario('all passing: UNKNOWN until each item has passed for its `for`, then GO', ctx);
    const atStart = ctx.unitItems();
    // At t=0 the window holds one sample: enough only where `for` spans at most one interval.
    for (const id of atStart.keys()) if (Math.floor(durationSeconds(ctx.byId.get(id)!.for) / ctx.interval) > 1) atStart.set(id, 'unknown');
    sc.expectStates(0, atStart);
    sc.expectStates(ctx.tGo, ctx.unitItems());
    sc.expectAlert('SansangUnitNotReady', ctx.tGo, []);
    sc.expectAlert('SansangUnitStateUnknown', ctx.duration, []);
    sc.expectAlert('SansangSiteAgentDown', ctx.tGo, []);
    out.push(sc.group());
  }

  return out;
}

/** A site that never reported is UNKNOWN, never GO. */
function neverSeenSite(k: Cast): TestGroup[] {
  const { ctx, u, siteX, setSiteItems, titles, siteVars, name } = k;
  const out: TestGroup[] = [];
  {
    const sc = new Scenario(`never-seen site ${siteX.id}: UNKNOWN`, ctx);
    sc.world.removeAgent(siteX);
    const items = ctx.unitItems();
    setSiteItems(items, siteX, 'unknown');
    sc.expectStates(ctx.tGo, items);
    const tu = ctx.alertTime('SansangUnitStateUnknown');
    if (ctx.unitState(items) === 'unknown') {
      const unknown = [...items]
        .filter(([, s]) => s === 'unknown')
        .map(([id]) => id)
        .sort();
      sc.expectAlert('SansangUnitStateUnknown', tu, [
        { labels: { unit: u }, vars: { unit: name, items: titles(unknown, 'vi'), items_en: titles(unknown, 'en') } },
      ]);
    }
    sc.expectAlert('SansangSiteAgentDown', ctx.alertTime('SansangSiteAgentDown'), [
      { labels: { unit: u, site: siteX.id }, vars: siteVars(siteX) },
    ]);
    out.push(sc.group());
  }

  return out;
}

/** A site that goes silent turns UNKNOWN once nothing is fresher than three intervals. */
function staleSite(k: Cast): TestGroup[] {
  const { ctx, u, siteX, setSiteItems } = k;
  const out: TestGroup[] = [];
  {
    const sc = new Scenario(`stale site ${siteX.id}: GO, then UNKNOWN once silent for three intervals`, ctx);
    const last = ctx.tGo;
    for (const m of [FOREIGN_METRICS.up, AGENT_METRICS.hostTime, AGENT_METRICS.checkStatus, FOREIGN_METRICS.blackboxSuccess])
      sc.world.update(
        m,
        { unit: u, site: siteX.id },
        m === AGENT_METRICS.hostTime ? (t) => (t <= last ? t : undefined) : (t) => (t <= last ? 1 : undefined),
      );
    sc.expectStates(ctx.tGo, ctx.unitItems());
    const items = ctx.unitItems();
    setSiteItems(items, siteX, 'unknown');
    sc.expectStates(last + ctx.fresh + ctx.interval, items);
    out.push(sc.group());
  }

  return out;
}

/** A failing blocking item makes the unit NO-GO and pages. */
function failingItem(k: Cast): TestGroup[] {
  const { ctx, u, siteX, itemsOf, name, titles, siteVars } = k;
  const out: TestGroup[] = [];
  const failing =
    itemsOf(siteX).find((i) => i.kind === 'edge' && i.blocking && i.evidence.kind === 'service') ??
    itemsOf(siteX).find((i) => i.kind === 'edge' && i.blocking);
  if (failing) {
    const sc = new Scenario(`failing item ${failing.id} at ${siteX.id}: NO-GO`, ctx);
    sc.world.update(AGENT_METRICS.checkStatus, { unit: u, site: siteX.id, check: failing.id }, 0);
    const items = ctx.unitItems();
    items.set(failing.id, 'nogo');
    sc.expectStates(ctx.tGo, items);
    sc.expectAlert('SansangUnitNotReady', ctx.alertTime('SansangUnitNotReady'), [
      { labels: { unit: u }, vars: { unit: name, items: titles([failing.id], 'vi'), items_en: titles([failing.id], 'en') } },
    ]);
    if (failing.evidence.kind === 'service') {
      const labels = { unit: u, site: siteX.id, check: failing.id };
      const vars = { ...siteVars(siteX), check: failing.id, title: failing.title.vi, title_en: failing.title.en };
      sc.expectAlert('SansangServiceUnreachable', ctx.roundUp(durationSeconds(failing.for) + 60), [{ labels, vars }]);
    }
    out.push(sc.group());

    // Recovering: NO-GO until it has passed for its `for` again.
    const f = durationSeconds(failing.for);
    if (f >= 2 * ctx.interval) {
      const rc = new Scenario(`recovering item ${failing.id}: NO-GO until it passed for ${failing.for}, then GO`, ctx);
      const until = ctx.tGo;
      rc.world.update(AGENT_METRICS.checkStatus, { unit: u, site: siteX.id, check: failing.id }, (t) => (t <= until ? 0 : 1));
      const during = ctx.unitItems();
      during.set(failing.id, 'nogo');
      rc.expectStates(ctx.roundUp(until + f / 2), during);
      rc.expectStates(ctx.roundUp(until + f + 60), ctx.unitItems());
      out.push(rc.group());
    }

    // The same failure inside a maintenance window: MAINTENANCE, no page.
    const mc = new Scenario(`maintenance window on unit ${u}: MAINTENANCE, not NO-GO`, ctx);
    mc.world.update(AGENT_METRICS.checkStatus, { unit: u, site: siteX.id, check: failing.id }, 0);
    mc.world.update(BOARD_METRICS.maintenanceActive, { unit: u }, 1);
    const inWindow = ctx.unitItems();
    for (const id of inWindow.keys()) inWindow.set(id, 'maintenance');
    mc.expectStates(ctx.tGo, inWindow);
    mc.expectAlert('SansangUnitNotReady', ctx.alertTime('SansangUnitNotReady'), []);
    out.push(mc.group());
  }

  return out;
}

/** Manual items: unsigned on both boards is NO-GO; signed on either board is GO. */
function manualItems(k: Cast): TestGroup[] {
  const { ctx, u } = k;
  const out: TestGroup[] = [];
  const manual = ctx.items.filter((i) => i.kind === 'manual');
  if (manual.length) {
    const sc = new Scenario(`manual item ${manual[0]!.id} not signed off on either board: NO-GO; signed on one board: GO`, ctx);
    for (const m of manual) sc.world.set(BOARD_METRICS.signoffStatus, { ...sc.world.boardLabels(2), unit: u, check: m.id }, 1);
    sc.world.set(BOARD_METRICS.maintenanceActive, { ...sc.world.boardLabels(2), unit: u }, 0);
    sc.world.update(BOARD_METRICS.signoffStatus, { unit: u, check: manual[0]!.id }, 0);
    if (manual[1])
      sc.world.update(BOARD_METRICS.signoffStatus, { unit: u, check: manual[1].id, instance: sc.world.boardLabels(1).instance }, 0);
    const items = ctx.unitItems();
    items.set(manual[0]!.id, 'nogo');
    sc.expectStates(ctx.tGo, items);
    out.push(sc.group());
  }

  return out;
}

/** An advisory item failing shows NO-GO on the item, the unit stays GO. */
function advisoryItem(k: Cast): TestGroup[] {
  const { ctx, u, siteX, itemsOf } = k;
  const out: TestGroup[] = [];
  const advisory = itemsOf(siteX).find((i) => i.kind === 'edge' && !i.blocking);
  if (advisory) {
    const sc = new Scenario(`advisory item ${advisory.id} failing: item NO-GO, unit still GO`, ctx);
    sc.world.update(AGENT_METRICS.checkStatus, { unit: u, site: siteX.id, check: advisory.id }, 0);
    const items = ctx.unitItems();
    items.set(advisory.id, 'nogo');
    sc.expectStates(ctx.tGo, items);
    out.push(sc.group());
  }

  return out;
}

/**
 * Central items: not scraped over the backup link while it answers over the primary, the agent
 * is up and the backup link is down (not the agent); its clock must be in sync.
 */
function centralItems(k: Cast): TestGroup[] {
  const { ctx, u, siteW, itemsOf } = k;
  const out: TestGroup[] = [];
  {
    const wItems = itemsOf(siteW);
    const agentUp = wItems.find((i) => i.evidence.kind === 'agent-up');
    const backupLink = wItems.find((i) => i.evidence.kind === 'link' && i.evidence.link === 'backup');
    const clock = wItems.find((i) => i.evidence.kind === 'clock');
    if ((agentUp && backupLink) || clock) {
      const sc = new Scenario(
        `central items at ${siteW.id}: not scraped over the backup link (the link down, not the agent), clock off`,
        ctx,
      );
      const items = ctx.unitItems();
      if (agentUp && backupLink) {
        sc.world.removeAgent(siteW, 'backup');
        sc.world.set(FOREIGN_METRICS.up, sc.world.agentLabels(siteW, 'backup'), 0);
        items.set(agentUp.id, 'go');
        items.set(backupLink.id, 'nogo');
      }
      if (clock && clock.evidence.kind === 'clock') {
        const off = clock.evidence.maxOffsetSeconds + 8;
        sc.world.update(AGENT_METRICS.hostTime, { unit: u, site: siteW.id }, (t) => t + off);
        items.set(clock.id, 'nogo');
      }
      sc.expectStates(ctx.tGo, items);
      out.push(sc.group());
    }
  }

  return out;
}

/** Agent unreachable on every link: agent down and WAN down (critical). */
function agentDownEverywhere(k: Cast): TestGroup[] {
  const { ctx, u, siteX, setSiteItems, siteVars } = k;
  const out: TestGroup[] = [];
  {
    const sc = new Scenario(`agent at ${siteX.id} down on every link`, ctx);
    sc.world.removeAgent(siteX);
    for (const link of siteLinks(siteX)) sc.world.set(FOREIGN_METRICS.up, sc.world.agentLabels(siteX, link), 0);
    const items = ctx.unitItems();
    setSiteItems(items, siteX, 'unknown');
    setSiteItems(items, siteX, 'nogo', (i) => i.evidence.kind === 'agent-up');
    sc.expectStates(ctx.tGo, items);
    const l = { unit: u, site: siteX.id };
    const v = siteVars(siteX);
    sc.expectAlert('SansangSiteAgentDown', ctx.alertTime('SansangSiteAgentDown'), [{ labels: l, vars: v }]);
    sc.expectAlert('SansangWanDown', ctx.alertTime('SansangWanDown'), [{ labels: { ...l, link: 'primary' }, vars: v }]);
    sc.expectAlert('SansangPrimaryWanDown', ctx.alertTime('SansangPrimaryWanDown'), []);
    out.push(sc.group());
  }

  return out;
}

/** Primary WAN down, backup up: warning only. */
function primaryWanDown(k: Cast): TestGroup[] {
  const { ctx, u, siteW, itemsOf, siteVars } = k;
  const out: TestGroup[] = [];
  {
    const sc = new Scenario(`primary WAN at ${siteW.id} down, backup up`, ctx);
    sc.world.removeAgent(siteW, 'primary');
    sc.world.set(FOREIGN_METRICS.up, sc.world.agentLabels(siteW, 'primary'), 0);
    if (!siteW.links.backup) sc.world.addAgent(siteW, 'backup');
    const linkItem = itemsOf(siteW).find((i) => i.evidence.kind === 'link' && i.evidence.link === 'primary');
    if (linkItem) sc.world.update(AGENT_METRICS.checkStatus, { unit: u, site: siteW.id, check: linkItem.id }, 0);
    const l = { unit: u, site: siteW.id };
    sc.expectAlert('SansangPrimaryWanDown', ctx.alertTime('SansangPrimaryWanDown'), [
      { labels: { ...l, link: 'primary' }, vars: siteVars(siteW) },
    ]);
    sc.expectAlert('SansangWanDown', ctx.alertTime('SansangWanDown'), []);
    out.push(sc.group());
  }

  return out;
}

/**
 * The data center cannot scrape the agent over the primary link while it can over the backup,
 * and the agent has not judged its primary link failing yet (a cut is seen from the data center
 * first): the primary link item is NO-GO, not the agent, and the primary WAN alert fires.
 */
function linkSeenFromDc(k: Cast): TestGroup[] {
  const { ctx, siteW, itemsOf, u, siteVars } = k;
  const out: TestGroup[] = [];
  const linkItem = itemsOf(siteW).find((i) => i.evidence.kind === 'link' && i.evidence.link === 'primary');
  const agentUp = itemsOf(siteW).find((i) => i.evidence.kind === 'agent-up');
  if (linkItem && agentUp && siteW.links.backup) {
    const sc = new Scenario(`primary link of ${siteW.id} down seen from the data center, the agent answering over the backup`, ctx);
    sc.world.removeAgent(siteW, 'primary');
    sc.world.set(FOREIGN_METRICS.up, sc.world.agentLabels(siteW, 'primary'), 0);
    const items = ctx.unitItems();
    items.set(linkItem.id, 'nogo');
    items.set(agentUp.id, 'go');
    sc.expectStates(ctx.tGo, items);
    const l = { unit: u, site: siteW.id };
    sc.expectAlert('SansangPrimaryWanDown', ctx.alertTime('SansangPrimaryWanDown'), [
      { labels: { ...l, link: 'primary' }, vars: siteVars(siteW) },
    ]);
    sc.expectAlert('SansangSiteAgentDown', ctx.alertTime('SansangSiteAgentDown'), []);
    out.push(sc.group());
  }
  return out;
}

/** Packet loss above the threshold. */
function packetLoss(k: Cast): TestGroup[] {
  const { ctx, u, siteX, itemsOf, siteVars } = k;
  const out: TestGroup[] = [];
  const loss = itemsOf(siteX).find((i) => i.evidence.kind === 'loss');
  if (loss) {
    const sc = new Scenario(`packet loss at ${siteX.id}`, ctx);
    sc.world.update(AGENT_METRICS.checkStatus, { unit: u, site: siteX.id, check: loss.id }, 0);
    const l = { unit: u, site: siteX.id, check: loss.id };
    sc.expectAlert('SansangHighPacketLoss', ctx.roundUp(durationSeconds(loss.for) + 60), [{ labels: l, vars: siteVars(siteX) }]);
    out.push(sc.group());
  }

  return out;
}

/** Certificates: 10 days left warns, 2 days left is critical; times shown in Vietnam's zone. */
function certificates(k: Cast): TestGroup[] {
  const { ctx, sites } = k;
  const out: TestGroup[] = [];
  {
    const sc = new Scenario('certificates expiring', ctx);
    const t = Math.max(ctx.alertTime('SansangCertificateExpiring'), ctx.alertTime('SansangCertificateExpiringSoon'));
    const site = sites[0]!;
    const base = sc.world.agentLabels(site, 'primary');
    const certs = [
      { target: 'cert-ten-days', left: 10 * 86400, alert: 'SansangCertificateExpiring' },
      { target: 'cert-two-days', left: 2 * 86400 + 7 * 3600 + 30 * 60, alert: 'SansangCertificateExpiringSoon' },
    ];
    for (const c of certs)
      sc.world.set(AGENT_METRICS.tlsExpiry, { ...base, target: c.target, probe: 'https', link: 'primary' }, t + c.left);
    for (const c of certs) {
      const labels = { target: c.target, probe: 'https' };
      sc.expectAlert(c.alert, t, [{ labels, vars: { ...labels, left: humanizeDuration(c.left), expiresAt: formatHcm(t + c.left) } }]);
    }
    out.push(sc.group());
  }

  return out;
}

/** A URL of a URL list answering otherwise than its list expects: an alert naming it. */
function urlWrong(k: Cast): TestGroup[] {
  const { ctx, u, siteX, siteVars } = k;
  const sc = new Scenario(`a URL of a list wrong at ${siteX.id}`, ctx);
  const url = 'http://portal-cu.example.invalid/thu-tuc?id=1';
  const base = sc.world.agentLabels(siteX, 'primary');
  sc.world.set(AGENT_METRICS.urlFailing, { ...base, target: 'duong-dan', probe: 'url-list', link: 'primary', url }, 1);
  const labels = { unit: u, site: siteX.id, target: 'duong-dan', url };
  sc.expectAlert('SansangUrlWrong', ctx.alertTime('SansangUrlWrong'), [{ labels, vars: { ...siteVars(siteX), url, target: 'duong-dan' } }]);
  return [sc.group()];
}

/** One board down: a warning; the other still holds the anchors. */
function oneBoardDown(k: Cast): TestGroup[] {
  const { ctx } = k;
  const out: TestGroup[] = [];
  {
    const sc = new Scenario('one board down', ctx);
    sc.world.set(FOREIGN_METRICS.up, sc.world.boardLabels(2), 0);
    const b = sc.world.boardLabels(2);
    sc.expectAlert('SansangBoardDown', ctx.alertTime('SansangBoardDown'), [{ labels: b, vars: { instance: b.instance! } }]);
    sc.expectAlert('SansangAnchorsMissing', ctx.alertTime('SansangAnchorsMissing'), []);
    sc.expectStates(ctx.tGo, ctx.unitItems());
    out.push(sc.group());
  }

  return out;
}

/** Both boards gone: no anchors, no states at all, and a critical alert instead of silence. */
function noBoard(k: Cast): TestGroup[] {
  const { ctx, u } = k;
  const out: TestGroup[] = [];
  {
    const sc = new Scenario('no board: anchors missing', ctx);
    sc.world.remove(undefined, { job: JOBS.board });
    for (const m of [BOARD_METRICS.checkExpected, BOARD_METRICS.signoffStatus, BOARD_METRICS.maintenanceActive]) sc.world.remove(m, {});
    const anchors = ctx.defs
      .find((d) => d.alert === 'SansangAnchorsMissing')!
      .expr.match(/absent\((\w+)\)/g)!
      .map((a) => a.slice(7, -1));
    sc.expectAlert(
      'SansangAnchorsMissing',
      ctx.alertTime('SansangAnchorsMissing'),
      anchors.sort().map((a) => ({ labels: { anchor: a }, vars: { anchor: a } })),
    );
    sc.promql.push({ expr: `${SERIES.unitState}{unit="${u}"}`, eval_time: secs(ctx.tGo), exp_samples: [] });
    out.push(sc.group());
  }
  return out;
}

/** The blocking service item (else any blocking edge item) a scenario breaks at the last site. */
function breakable(k: Cast): ChecklistItem | undefined {
  const items = k.itemsOf(k.siteX);
  return (
    items.find((i) => i.kind === 'edge' && i.blocking && i.evidence.kind === 'service') ??
    items.find((i) => i.kind === 'edge' && i.blocking)
  );
}

/**
 * A shared cause: the item fails at the test unit and at as many other units as the incident
 * threshold needs (units with nothing else, made up for the scenario). One province-level
 * incident fires; the test unit's own NO-GO alert does not, since the incident explains it.
 */
function sharedOutage(k: Cast): TestGroup[] {
  const { ctx, u, siteX, inv } = k;
  const failing = breakable(k);
  if (!failing) return [];
  const others = Array.from({ length: Math.max(1, inv.incidents.minUnits - 1) }, (_, i) => String(99901 + i));
  const sc = new Scenario(`shared outage: ${failing.id} fails at ${others.length + 1} units at once, one incident`, ctx);
  sc.world.update(AGENT_METRICS.checkStatus, { unit: u, site: siteX.id, check: failing.id }, 0);
  for (const code of others) {
    const l = { job: JOBS.agent, instance: `phantom-${code}:9464`, unit: code, site: `phantom-${code}`, scrape_link: 'primary' };
    sc.world.set(BOARD_METRICS.checkExpected, { ...sc.world.boardLabels(1), unit: code, site: l.site, check: failing.id }, 1);
    sc.world.set(FOREIGN_METRICS.up, l, 1);
    sc.world.set(AGENT_METRICS.checkStatus, { ...l, check: failing.id }, 0);
  }
  const n = String(others.length + 1);
  const t = ctx.alertTime('SansangSharedOutage');
  sc.promql.push({
    expr: `${SERIES.checkIncident}{check="${failing.id}"}`,
    eval_time: secs(t),
    exp_samples: [{ labels: `${SERIES.checkIncident}{check="${failing.id}"}`, value: others.length + 1 }],
  });
  const services = (lang: 'vi' | 'en') =>
    ctx.defs.find((d) => d.alert === 'SansangSharedOutage' && d.checks?.includes(failing.id))!.vars[
      lang === 'vi' ? 'services' : 'services_en'
    ]!;
  sc.expectAlert('SansangSharedOutage', t, [
    {
      labels: { check: failing.id },
      vars: {
        count: n,
        total: n,
        title: failing.title.vi,
        title_en: failing.title.en,
        services: services('vi'),
        services_en: services('en'),
      },
    },
  ]);
  sc.expectAlert('SansangUnitNotReady', ctx.alertTime('SansangUnitNotReady'), []);
  return [sc.group()];
}

/** Not acknowledged within `notify.escalateAfter`: the alert's escalation twin fires beside it. */
function escalation(k: Cast): TestGroup[] {
  const { ctx, u, name, titles, inv } = k;
  const failing = breakable(k);
  if (!failing || !ctx.twins.length) return [];
  const t = ctx.roundUp(ctx.alertTime('SansangUnitNotReady') + durationSeconds(inv.notify.escalateAfter) + 2 * ctx.interval);
  const sc = new Scenario(`failing item ${failing.id} not acknowledged for ${inv.notify.escalateAfter}: escalated`, ctx, t + 60);
  sc.world.update(AGENT_METRICS.checkStatus, { unit: u, site: k.siteX.id, check: failing.id }, 0);
  const vars = { unit: name, items: titles([failing.id], 'vi'), items_en: titles([failing.id], 'en') };
  sc.expectAlert('SansangUnitNotReady', ctx.alertTime('SansangUnitNotReady'), [{ labels: { unit: u }, vars }]);
  sc.expectAlert('SansangUnitNotReady', t, [
    { labels: { unit: u }, vars },
    { labels: { unit: u }, vars, escalated: true },
  ]);
  return [sc.group()];
}

/** Every scenario, in the order the test file lists them. */
export const SCENARIOS: readonly ((k: Cast) => TestGroup[])[] = [
  allPassing,
  neverSeenSite,
  staleSite,
  failingItem,
  manualItems,
  advisoryItem,
  centralItems,
  linkSeenFromDc,
  agentDownEverywhere,
  primaryWanDown,
  packetLoss,
  certificates,
  urlWrong,
  oneBoardDown,
  noBoard,
  sharedOutage,
  escalation,
];
