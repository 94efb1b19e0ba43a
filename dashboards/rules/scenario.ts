// The pieces of the generated promtool tests: a scenario (one test group: a world of input
// series and what must come out of it) and the context the scenarios share (the inventory's test
// unit, its items, the timing). Expected states come from the decision module (../states.ts).
import {
  durationSeconds,
  SERIES,
  siteChecks,
  unitChecklist,
  type ChecklistItem,
  type Inventory,
  type Unit,
} from '../../inventory/index.ts';
import { STATES, unitState, worstOf, type State } from '../states.ts';
import {
  alertDefs,
  ESCALATED_LABEL,
  escalationDefs,
  HCM_OFFSET_SECONDS,
  runbookUrl,
  TIME_LAYOUT,
  type AlertDef,
  type Vars,
} from './alerts.ts';
import { UnitWorld, selector, type Labels } from './fixture.ts';
import { freshnessSeconds } from './recording.ts';

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

/** The worse of two states of one item (across its sites), as the decision module says. */
export const worse = (a: State, b: State): State => worstOf([a, b]);

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

export class Scenario {
  readonly world: UnitWorld;
  readonly promql: PromqlTest[] = [];
  readonly alerts: AlertTest[] = [];
  constructor(
    readonly name: string,
    readonly ctx: TestContext,
    /** Seconds of input series (default: long enough for every alert). */
    duration = ctx.duration,
  ) {
    this.world = new UnitWorld(ctx.inv, ctx.unit, duration);
  }

  /** Expects the unit's state sets, item by item, and `ready`. */
  expectStates(t: number, items: Map<string, State>, unitExpected?: State): void {
    const u = this.ctx.unit.code;
    const samples: Sample[] = [];
    for (const [check, state] of [...items].sort(([a], [b]) => a.localeCompare(b)))
      for (const s of STATES)
        samples.push({ labels: selector(SERIES.unitCheckState, { check, state: s, unit: u }), value: s === state ? 1 : 0 });
    this.promql.push({ expr: `${SERIES.unitCheckState}{unit="${u}"}`, eval_time: secs(t), exp_samples: samples });
    const unitState = unitExpected ?? this.ctx.unitState(items);
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

  /** The alerts of this name firing at `t`; `escalated` ones are the escalation twins (alerts.ts, escalationDefs). */
  expectAlert(name: string, t: number, firing: { labels: Labels; vars: Vars; escalated?: boolean }[]): void {
    const def = this.ctx.defs.filter((d) => d.alert === name);
    const twins = this.ctx.twins.filter((d) => d.alert === name);
    if (!def.length) throw new Error(`no alert ${name}`);
    this.alerts.push({
      eval_time: secs(t),
      alertname: name,
      exp_alerts: firing.map((f) => {
        const d = pickDef(f.escalated ? twins : def, f.labels);
        return {
          exp_labels: { ...f.labels, severity: d.severity, ...(f.escalated ? { [ESCALATED_LABEL]: 'true' } : {}) },
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

export const secs = (t: number) => `${t}s`;

export class TestContext {
  readonly interval: number;
  readonly fresh: number;
  readonly items: ChecklistItem[];
  readonly byId: Map<string, ChecklistItem>;
  /** Seconds after which every item has passed for its `for`. */
  readonly tGo: number;
  readonly duration: number;
  readonly defs: AlertDef[];
  /** The escalation twins of `defs` (none when no team escalates). */
  readonly twins: AlertDef[];
  constructor(
    readonly inv: Inventory,
    readonly unit: Unit,
  ) {
    this.interval = durationSeconds(inv.agent.interval);
    this.fresh = freshnessSeconds(inv);
    this.items = unitChecklist(inv, unit);
    this.byId = new Map(this.items.map((i) => [i.id, i]));
    this.defs = alertDefs(inv);
    this.twins = escalationDefs(inv, this.defs);
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
  /** The unit's state from its items' states, by the decision module (unit-wide maintenance shows on every item). */
  unitState(items: Map<string, State>): State {
    const states = [...items.values()];
    const inWindow = states.length > 0 && states.every((s) => s === 'maintenance');
    return unitState(
      [...items].map(([id, state]) => ({ state, blocking: this.byId.get(id)?.blocking ?? true })),
      inWindow,
    );
  }
}
