// The promtool unit tests, generated beside the rules for the inventory they were generated
// from: one unit of it, in one scenario per test group, covering every state and every alert.
import {
  durationSeconds,
  siteChecks,
  siteLinks,
  unitChecklist,
  type ChecklistItem,
  type Inventory,
  type Site,
  type Unit,
} from '../../inventory/index.ts';
import { alertDefs, HCM_OFFSET_SECONDS, runbookUrl, TIME_LAYOUT, type AlertDef, type Vars } from './alerts.ts';
import { freshnessSeconds } from './recording.ts';
import { UnitWorld, selector, type Labels } from './fixture.ts';
import { SERIES, STATES, JOBS, type State } from './names.ts';

interface Sample {
  labels: string;
  value: number;
}
interface PromqlTest {
  expr: string;
  eval_time: string;
  exp_samples: Sample[];
}
interface ExpAlert {
  exp_labels: Labels;
  exp_annotations: Record<string, string>;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
export interface TestGroup {
  /** Written as a comment: promtool 2.42 has no name field. */
  scenario: string;
  interval: string;
  input_series: { series: string; values: string }[];
  promql_expr_test: PromqlTest[];
  alert_rule_test: AlertTest[];
}

const rank: Record<State, number> = { go: 0, unknown: 1, nogo: 2, maintenance: 3 };
const worst = (a: State, b: State): State => (rank[b] > rank[a] ? b : a);

/** Picks the unit the tests use: several sites and a backup link exercise the most rules. */
export function testUnit(inv: Inventory): Unit | undefined {
  const score = (u: Unit) => (u.sites.some((s) => s.links.backup) ? 100 : 0) + Math.min(u.sites.length, 10) + (u.checklist ? 0.5 : 0);
  return [...inv.units].sort((a, b) => score(b) - score(a))[0];
}

/**
 * Go's time.Format("15:04 02/01/2006") of a Unix time in Vietnam's time (UTC+7 since 1975, no
 * daylight saving time; the test in rules.test.ts checks that against the tz database today).
 */
export function formatHcm(unixSeconds: number): string {
  if (TIME_LAYOUT !== '15:04 02/01/2006') throw new Error('formatHcm: layout changed');
  const d = new Date((unixSeconds + HCM_OFFSET_SECONDS) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())} ${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** Prometheus' humanizeDuration for whole seconds >= 60. */
export function humanizeDuration(v: number): string {
  const s = Math.trunc(v);
  const d = Math.trunc(s / 86400),
    h = Math.trunc(s / 3600) % 24,
    m = Math.trunc(s / 60) % 60,
    sec = s % 60;
  if (d) return `${d}d ${h}h ${m}m ${sec}s`;
  if (h) return `${h}h ${m}m ${sec}s`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

class Scenario {
  readonly world: UnitWorld;
  readonly promql: PromqlTest[] = [];
  readonly alerts: AlertTest[] = [];
  constructor(
    readonly name: string,
    readonly ctx: Context,
  ) {
    this.world = new UnitWorld(ctx.inv, ctx.unit, ctx.duration);
  }

  /** Expects the unit's state sets, item by item, and `ready`. */
  expectStates(t: number, items: Map<string, State>): void {
    const u = this.ctx.unit.code;
    const samples: Sample[] = [];
    for (const [check, state] of [...items].sort(([a], [b]) => a.localeCompare(b)))
      for (const s of STATES)
        samples.push({ labels: selector(SERIES.unitCheckState, { check, state: s, unit: u }), value: s === state ? 1 : 0 });
    this.promql.push({ expr: `${SERIES.unitCheckState}{unit="${u}"}`, eval_time: secs(t), exp_samples: samples });
    const unitState = this.ctx.unitState(items);
    this.promql.push({
      expr: `${SERIES.unitState}{unit="${u}"}`,
      eval_time: secs(t),
      exp_samples: STATES.map((s) => ({ labels: selector(SERIES.unitState, { state: s, unit: u }), value: s === unitState ? 1 : 0 })),
    });
    this.promql.push({
      expr: `${SERIES.unitReady}{unit="${u}"}`,
      eval_time: secs(t),
      exp_samples: [{ labels: selector(SERIES.unitReady, { unit: u }), value: unitState === 'go' ? 1 : 0 }],
    });
  }

  expectAlert(name: string, t: number, firing: { labels: Labels; vars: Vars }[]): void {
    const def = this.ctx.defs.filter((d) => d.alert === name);
    if (!def.length) throw new Error(`no alert ${name}`);
    this.alerts.push({
      eval_time: secs(t),
      alertname: name,
      exp_alerts: firing.map((f) => {
        const d = pickDef(def, f.labels);
        return {
          exp_labels: { ...f.labels, severity: d.severity },
          exp_annotations: { ...d.text(f.vars), runbook_url: runbookUrl(this.ctx.inv, name) },
        };
      }),
    });
  }

  group(): TestGroup {
    return {
      scenario: this.name,
      interval: `${this.world.intervalSeconds}s`,
      input_series: this.world.input(),
      promql_expr_test: this.promql,
      alert_rule_test: this.alerts,
    };
  }
}

/** Several rules may share an alert name (one per `for`); the test needs the one for this item. */
function pickDef(defs: AlertDef[], labels: Labels): AlertDef {
  const check = labels.check;
  return (check && defs.find((d) => d.checks?.includes(check))) || defs[0]!;
}

const secs = (t: number) => `${t}s`;

class Context {
  readonly interval: number;
  readonly fresh: number;
  readonly items: ChecklistItem[];
  readonly byId: Map<string, ChecklistItem>;
  /** Seconds after which every item has passed for its `for`. */
  readonly tGo: number;
  readonly duration: number;
  readonly defs: AlertDef[];
  constructor(
    readonly inv: Inventory,
    readonly unit: Unit,
  ) {
    this.interval = durationSeconds(inv.agent.interval);
    this.fresh = freshnessSeconds(inv);
    this.items = unitChecklist(inv, unit);
    this.byId = new Map(this.items.map((i) => [i.id, i]));
    this.defs = alertDefs(inv);
    const maxFor = Math.max(0, ...this.items.map((i) => durationSeconds(i.for)));
    this.tGo = this.roundUp(maxFor + 60);
    const maxAlertFor = Math.max(...this.defs.map((d) => durationSeconds(d.for)));
    this.duration = this.roundUp(Math.max(this.tGo + 2 * this.fresh + 120, this.tGo + maxFor + 120, maxAlertFor + 180));
  }
  roundUp(t: number): number {
    return Math.ceil(t / this.interval) * this.interval;
  }
  /** When an alert with this rule's `for` has surely fired (conditions true from t=0). */
  alertTime(name: string): number {
    const d = Math.max(...this.defs.filter((x) => x.alert === name).map((x) => durationSeconds(x.for)));
    return this.roundUp(d + 60);
  }
  /** The item ids that apply to the unit: every site's items, and the manual ones. */
  unitItems(): Map<string, State> {
    const m = new Map<string, State>();
    for (const s of this.unit.sites) for (const i of siteChecks(this.inv, this.unit, s)) m.set(i.id, 'go');
    for (const i of this.items) if (i.kind === 'manual') m.set(i.id, 'go');
    return m;
  }
  unitState(items: Map<string, State>): State {
    const states = [...items.values()];
    if (states.includes('maintenance')) return 'maintenance';
    let s: State = 'go';
    for (const [id, st] of items) if (this.byId.get(id)?.blocking ?? true) s = worst(s, st);
    return s;
  }
}

export function promtoolTests(inv: Inventory): TestGroup[] {
  const unit = testUnit(inv);
  if (!unit) return [];
  const ctx = new Context(inv, unit);
  const groups: TestGroup[] = [];
  const u = unit.code;
  const sites = unit.sites;
  const siteX = sites[sites.length - 1]!;
  const siteW = sites.find((s) => s.links.backup) ?? sites[0]!;
  const itemsOf = (s: Site) => siteChecks(inv, unit, s);
  const setSiteItems = (m: Map<string, State>, s: Site, state: State, filter: (i: ChecklistItem) => boolean = () => true) => {
    for (const i of itemsOf(s)) if (filter(i)) m.set(i.id, worst(m.get(i.id) ?? 'go', state));
  };

  // GO after each item's `for`; before that, passing without enough history is UNKNOWN.
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
    groups.push(sc.group());
  }

  // A site that never reported is UNKNOWN, never GO.
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
      sc.expectAlert('SansangUnitStateUnknown', tu, [{ labels: { unit: u }, vars: { unit: u, items: unknown.join(', ') } }]);
    }
    sc.expectAlert('SansangSiteAgentDown', ctx.alertTime('SansangSiteAgentDown'), [
      { labels: { unit: u, site: siteX.id }, vars: { unit: u, site: siteX.id } },
    ]);
    groups.push(sc.group());
  }

  // A site that goes silent turns UNKNOWN once nothing is fresher than three intervals.
  {
    const sc = new Scenario(`stale site ${siteX.id}: GO, then UNKNOWN once silent for three intervals`, ctx);
    const last = ctx.tGo;
    for (const m of ['up', 'sansang_host_time_seconds', 'sansang_check_status', 'probe_success'])
      sc.world.update(
        m,
        { unit: u, site: siteX.id },
        m === 'sansang_host_time_seconds' ? (t) => (t <= last ? t : undefined) : (t) => (t <= last ? 1 : undefined),
      );
    sc.expectStates(ctx.tGo, ctx.unitItems());
    const items = ctx.unitItems();
    setSiteItems(items, siteX, 'unknown');
    sc.expectStates(last + ctx.fresh + ctx.interval, items);
    groups.push(sc.group());
  }

  // A failing blocking item makes the unit NO-GO and pages.
  const failing =
    itemsOf(siteX).find((i) => i.kind === 'edge' && i.blocking && i.evidence.kind === 'service') ??
    itemsOf(siteX).find((i) => i.kind === 'edge' && i.blocking);
  if (failing) {
    const sc = new Scenario(`failing item ${failing.id} at ${siteX.id}: NO-GO`, ctx);
    sc.world.update('sansang_check_status', { unit: u, site: siteX.id, check: failing.id }, 0);
    const items = ctx.unitItems();
    items.set(failing.id, 'nogo');
    sc.expectStates(ctx.tGo, items);
    sc.expectAlert('SansangUnitNotReady', ctx.alertTime('SansangUnitNotReady'), [
      { labels: { unit: u }, vars: { unit: u, items: failing.id } },
    ]);
    if (failing.evidence.kind === 'service') {
      const labels = { unit: u, site: siteX.id, check: failing.id };
      sc.expectAlert('SansangServiceUnreachable', ctx.roundUp(durationSeconds(failing.for) + 60), [{ labels, vars: labels }]);
    }
    groups.push(sc.group());

    // Recovering: NO-GO until it has passed for its `for` again.
    const f = durationSeconds(failing.for);
    if (f >= 2 * ctx.interval) {
      const rc = new Scenario(`recovering item ${failing.id}: NO-GO until it passed for ${failing.for}, then GO`, ctx);
      const until = ctx.tGo;
      rc.world.update('sansang_check_status', { unit: u, site: siteX.id, check: failing.id }, (t) => (t <= until ? 0 : 1));
      const during = ctx.unitItems();
      during.set(failing.id, 'nogo');
      rc.expectStates(ctx.roundUp(until + f / 2), during);
      rc.expectStates(ctx.roundUp(until + f + 60), ctx.unitItems());
      groups.push(rc.group());
    }

    // The same failure inside a maintenance window: MAINTENANCE, no page.
    const mc = new Scenario(`maintenance window on unit ${u}: MAINTENANCE, not NO-GO`, ctx);
    mc.world.update('sansang_check_status', { unit: u, site: siteX.id, check: failing.id }, 0);
    mc.world.update('sansang_maintenance_active', { unit: u }, 1);
    const inWindow = ctx.unitItems();
    for (const id of inWindow.keys()) inWindow.set(id, 'maintenance');
    mc.expectStates(ctx.tGo, inWindow);
    mc.expectAlert('SansangUnitNotReady', ctx.alertTime('SansangUnitNotReady'), []);
    groups.push(mc.group());
  }

  // Manual items: unsigned on both boards is NO-GO; signed on either board is GO.
  const manual = ctx.items.filter((i) => i.kind === 'manual');
  if (manual.length) {
    const sc = new Scenario(`manual item ${manual[0]!.id} not signed off on either board: NO-GO; signed on one board: GO`, ctx);
    for (const m of manual) sc.world.set('sansang_signoff_status', { ...sc.world.boardLabels(2), unit: u, check: m.id }, 1);
    sc.world.set('sansang_maintenance_active', { ...sc.world.boardLabels(2), unit: u }, 0);
    sc.world.update('sansang_signoff_status', { unit: u, check: manual[0]!.id }, 0);
    if (manual[1])
      sc.world.update('sansang_signoff_status', { unit: u, check: manual[1].id, instance: sc.world.boardLabels(1).instance }, 0);
    const items = ctx.unitItems();
    items.set(manual[0]!.id, 'nogo');
    sc.expectStates(ctx.tGo, items);
    groups.push(sc.group());
  }

  // An advisory item failing shows NO-GO on the item, the unit stays GO.
  const advisory = itemsOf(siteX).find((i) => i.kind === 'edge' && !i.blocking);
  if (advisory) {
    const sc = new Scenario(`advisory item ${advisory.id} failing: item NO-GO, unit still GO`, ctx);
    sc.world.update('sansang_check_status', { unit: u, site: siteX.id, check: advisory.id }, 0);
    const items = ctx.unitItems();
    items.set(advisory.id, 'nogo');
    sc.expectStates(ctx.tGo, items);
    groups.push(sc.group());
  }

  // Central items: the agent must answer on every link, its clock must be in sync.
  {
    const wItems = itemsOf(siteW);
    const agentUp = wItems.find((i) => i.evidence.kind === 'agent-up');
    const clock = wItems.find((i) => i.evidence.kind === 'clock');
    if ((agentUp && siteW.links.backup) || clock) {
      const sc = new Scenario(`central items at ${siteW.id}: not scraped over the backup link, clock off`, ctx);
      const items = ctx.unitItems();
      if (agentUp && siteW.links.backup) {
        sc.world.removeAgent(siteW, 'backup');
        sc.world.set('up', sc.world.agentLabels(siteW, 'backup'), 0);
        items.set(agentUp.id, 'nogo');
      }
      if (clock && clock.evidence.kind === 'clock') {
        const off = clock.evidence.maxOffsetSeconds + 8;
        sc.world.update('sansang_host_time_seconds', { unit: u, site: siteW.id }, (t) => t + off);
        items.set(clock.id, 'nogo');
      }
      sc.expectStates(ctx.tGo, items);
      groups.push(sc.group());
    }
  }

  // Agent unreachable on every link: agent down and WAN down (critical).
  {
    const sc = new Scenario(`agent at ${siteX.id} down on every link`, ctx);
    sc.world.removeAgent(siteX);
    for (const link of siteLinks(siteX)) sc.world.set('up', sc.world.agentLabels(siteX, link), 0);
    const items = ctx.unitItems();
    setSiteItems(items, siteX, 'unknown');
    setSiteItems(items, siteX, 'nogo', (i) => i.evidence.kind === 'agent-up');
    sc.expectStates(ctx.tGo, items);
    const l = { unit: u, site: siteX.id };
    sc.expectAlert('SansangSiteAgentDown', ctx.alertTime('SansangSiteAgentDown'), [{ labels: l, vars: l }]);
    sc.expectAlert('SansangWanDown', ctx.alertTime('SansangWanDown'), [{ labels: { ...l, link: 'primary' }, vars: l }]);
    sc.expectAlert('SansangPrimaryWanDown', ctx.alertTime('SansangPrimaryWanDown'), []);
    groups.push(sc.group());
  }

  // Primary WAN down, backup up: warning only.
  {
    const sc = new Scenario(`primary WAN at ${siteW.id} down, backup up`, ctx);
    sc.world.removeAgent(siteW, 'primary');
    sc.world.set('up', sc.world.agentLabels(siteW, 'primary'), 0);
    if (!siteW.links.backup) sc.world.addAgent(siteW, 'backup');
    const linkItem = itemsOf(siteW).find((i) => i.evidence.kind === 'link' && i.evidence.link === 'primary');
    if (linkItem) sc.world.update('sansang_check_status', { unit: u, site: siteW.id, check: linkItem.id }, 0);
    const l = { unit: u, site: siteW.id };
    sc.expectAlert('SansangPrimaryWanDown', ctx.alertTime('SansangPrimaryWanDown'), [{ labels: { ...l, link: 'primary' }, vars: l }]);
    sc.expectAlert('SansangWanDown', ctx.alertTime('SansangWanDown'), []);
    groups.push(sc.group());
  }

  // Packet loss above the threshold.
  const loss = itemsOf(siteX).find((i) => i.evidence.kind === 'loss');
  if (loss) {
    const sc = new Scenario(`packet loss at ${siteX.id}`, ctx);
    sc.world.update('sansang_check_status', { unit: u, site: siteX.id, check: loss.id }, 0);
    const l = { unit: u, site: siteX.id, check: loss.id };
    sc.expectAlert('SansangHighPacketLoss', ctx.roundUp(durationSeconds(loss.for) + 60), [{ labels: l, vars: l }]);
    groups.push(sc.group());
  }

  // Certificates: 10 days left warns, 2 days left is critical; times shown in Vietnam's zone.
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
      sc.world.set(
        'sansang_probe_tls_cert_expiry_timestamp_seconds',
        { ...base, target: c.target, probe: 'https', link: 'primary' },
        t + c.left,
      );
    for (const c of certs) {
      const labels = { target: c.target, probe: 'https' };
      sc.expectAlert(c.alert, t, [{ labels, vars: { ...labels, left: humanizeDuration(c.left), expiresAt: formatHcm(t + c.left) } }]);
    }
    groups.push(sc.group());
  }

  // One board down: a warning; the other still holds the anchors.
  {
    const sc = new Scenario('one board down', ctx);
    sc.world.set('up', sc.world.boardLabels(2), 0);
    const b = sc.world.boardLabels(2);
    sc.expectAlert('SansangBoardDown', ctx.alertTime('SansangBoardDown'), [{ labels: b, vars: { instance: b.instance! } }]);
    sc.expectAlert('SansangAnchorsMissing', ctx.alertTime('SansangAnchorsMissing'), []);
    sc.expectStates(ctx.tGo, ctx.unitItems());
    groups.push(sc.group());
  }

  // Both boards gone: no anchors, no states at all, and a critical alert instead of silence.
  {
    const sc = new Scenario('no board: anchors missing', ctx);
    sc.world.remove(undefined, { job: JOBS.board });
    for (const m of ['sansang_check_expected', 'sansang_signoff_status', 'sansang_maintenance_active']) sc.world.remove(m, {});
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
    groups.push(sc.group());
  }
  return groups;
}

export { Context as TestContext };
