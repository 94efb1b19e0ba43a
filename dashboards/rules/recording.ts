// Recording rules: the four states (docs/architecture.md, "Four states"), generic over units. The chain, all in one group so
// each rule sees the ones above it in the same evaluation:
//   raw series ─► ok (fresh 1/0 per site and item) ─► value (anchored: 0.5 where nothing is fresh)
//   ─► site code (per item class: `for`, blocking) ─► unit+item code ─► state sets and ready.
import { durationSeconds, type Inventory } from '../../inventory/index.ts';
import { classSelector, itemClasses, type ItemClass } from './classes.ts';
import { AGENT_METRICS, BOARD_METRICS, FOREIGN_METRICS, JOBS, LABELS, SERIES } from '../../inventory/index.ts';
import { STATE_CODE, STATES } from '../states.ts';
import { incidentExpr } from '../incidents.ts';

export interface RecordingRule {
  record: string;
  expr: string;
}

/** Seconds after which a sample no longer counts: three probe intervals. */
export function freshnessSeconds(inv: Inventory): number {
  return 3 * durationSeconds(inv.agent.interval);
}

/** `x` keeping only series whose last sample is fresher than the freshness window. */
function fresh(selector: string, window: number): string {
  return `(${selector} and (timestamp(${selector}) > time() - ${window}))`;
}

const withCheck = (expr: string, id: string) => `label_replace(${expr}, "check", "${id}", "", "")`;

/** How one class of one item turns its raw evidence into `ok`; undefined for manual/edge (generic). */
function centralOk(c: ItemClass, window: number): string | undefined {
  const e = c.item.evidence;
  const units = c.unitMatcher ? `, ${c.unitMatcher}` : '';
  switch (e.kind) {
    case 'agent-up': {
      // Up when it answers over some link: a link it does not answer over, while it answers over
      // another, is that link's failure (linkOk), not the agent's.
      const up = `${FOREIGN_METRICS.up}{job="${JOBS.agent}"${units}}`;
      return withCheck(`max by (unit, site) (${fresh(up, window)})`, c.item.id);
    }
    case 'clock': {
      const t = `${AGENT_METRICS.hostTime}{job="${JOBS.agent}"${units}}`;
      return withCheck(
        `max by (unit, site) ((abs(timestamp(${t}) - ${t}) <= bool ${e.maxOffsetSeconds}) and (timestamp(${t}) > time() - ${window}))`,
        c.item.id,
      );
    }
    case 'dc-reach': {
      const p = `${FOREIGN_METRICS.blackboxSuccess}{job="${JOBS.blackbox}"${units}}`;
      return withCheck(`max by (unit, site) (${fresh(p, window)})`, c.item.id);
    }
    default:
      return undefined;
  }
}

/**
 * A link item: the agent's verdict, and 0 when the data center cannot scrape the agent over
 * that link while it can over another (the link is down seen from the data center, and the
 * agent is up). The scrape only ever lowers the agent's verdict: without the verdict there is
 * nothing (UNKNOWN), and an agent down on every link leaves its link items to the verdict alone.
 */
function linkOk(c: ItemClass, window: number): string | undefined {
  const e = c.item.evidence;
  if (e.kind !== 'link') return undefined;
  const units = c.unitMatcher ? `, ${c.unitMatcher}` : '';
  const verdict = `max by (unit, site, check) ${fresh(`${AGENT_METRICS.checkStatus}${classSelector(c)}`, window)}`;
  const upOver = `min by (unit, site) ${fresh(`${FOREIGN_METRICS.up}{job="${JOBS.agent}", ${LABELS.scrapeLink}="${e.link}"${units}}`, window)}`;
  const upAnywhere = `(max by (unit, site) ${fresh(`${FOREIGN_METRICS.up}{job="${JOBS.agent}"${units}}`, window)} == 1)`;
  const scrape = withCheck(`${upOver} and on (unit, site) ${upAnywhere}`, c.item.id);
  const src = (expr: string, name: string) => `label_replace(${expr}, "evidence", "${name}", "", "")`;
  return `min by (unit, site, check) (${src(verdict, 'agent')} or (${src(scrape, 'scrape')} and on (unit, site, check) ${verdict}))`;
}

/** GO needs the value at 1 now and over the whole `for` window, with the window fully covered. */
function siteCodeExpr(c: ItemClass, intervalSeconds: number): string {
  const v = `${SERIES.value}${classSelector(c)}`;
  const on = 'on (unit, site, check)';
  const forSeconds = durationSeconds(c.item.for);
  if (forSeconds < intervalSeconds) {
    return `((${v} == 1) * 0) or ${on} ((${v} == 0) * 0 + 2) or ${on} (${v} * 0 + 1)`;
  }
  const w = `[${c.item.for}]`;
  // Samples a fully covered window holds whether its left edge is open (Prometheus 3) or closed (2).
  const needed = Math.floor(forSeconds / intervalSeconds);
  const go = `((${v} == 1) and ${on} (min_over_time(${v}${w}) == 1) and ${on} (count_over_time(${v}${w}) >= ${needed})) * 0`;
  // Passing now but failed within the window: still NO-GO until it has passed for its `for`.
  const nogo = `((${v} == 0) or ${on} ((${v} == 1) and ${on} (min_over_time(${v}${w}) == 0))) * 0 + 2`;
  // Anything else (nothing fresh, or passing without enough history yet) is UNKNOWN.
  return `(${go}) or ${on} (${nogo}) or ${on} (${v} * 0 + 1)`;
}

function stateSet(code: string): string {
  return STATES.map((s) => `label_replace(${code} == bool ${STATE_CODE[s]}, "state", "${s}", "", "")`).join(' or ');
}

export function recordingRules(inv: Inventory): RecordingRule[] {
  const window = freshnessSeconds(inv);
  const interval = durationSeconds(inv.agent.interval);
  const classes = itemClasses(inv);
  const rules: RecordingRule[] = [];
  const add = (record: string, expr: string) => rules.push({ record, expr });

  // Anchors from the boards (two boards: take the max).
  add(SERIES.expected, `max by (unit, site, check) (${BOARD_METRICS.checkExpected} == 1)`);
  add(SERIES.signoff, `max by (unit, check) (${BOARD_METRICS.signoffStatus})`);
  add(SERIES.maintenance, `max by (unit) (${BOARD_METRICS.maintenanceActive})`);

  // Fresh evidence, one rule (promtool's lint wants one rule per name and labels): edge items are
  // the agent's verdict, max over the links it is scraped on (link items also the scrape over
  // their link); central items per class; manual items are signed off on either board and have no site.
  // Link items first: for their labels, `or` keeps the first part that has them.
  const okParts: string[] = [];
  for (const c of classes) {
    const expr = linkOk(c, window);
    if (expr) okParts.push(expr);
  }
  okParts.push(`max by (unit, site, check) ${fresh(AGENT_METRICS.checkStatus, window)}`);
  for (const c of classes) {
    const expr = centralOk(c, window);
    if (expr) okParts.push(expr);
  }
  okParts.push(`max by (unit, check) ${fresh(BOARD_METRICS.signoffStatus, window)}`);
  add(SERIES.ok, okParts.map((p) => `(${p})`).join(' or '));

  // Anchored value: what the inventory expects, with 0.5 where nothing fresh says otherwise.
  const on = 'on (unit, site, check)';
  add(
    SERIES.value,
    [
      `(${SERIES.ok} and ${on} ${SERIES.expected})`,
      `(${SERIES.expected} * 0 + 0.5)`,
      `(${SERIES.ok} and ${on} ${SERIES.signoff})`,
      `(${SERIES.signoff} * 0 + 0.5)`,
    ].join(` or ${on} `),
  );

  // Per site and item, with each class's `for` and blocking.
  // Per site and item, with each class's `for` and blocking; classes of one item have disjoint units.
  add(
    SERIES.siteCode,
    classes.map((c) => `label_replace(${siteCodeExpr(c, interval)}, "blocking", "${c.item.blocking}", "", "")`).join(' or '),
  );

  // Per unit and item: worst over the sites, MAINTENANCE inside a window.
  const inWindow = `on (unit) (${SERIES.maintenance} == 1)`;
  add(
    SERIES.unitCheckCode,
    `((max by (unit, check) (${SERIES.siteCode}) * 0 + ${STATE_CODE.maintenance}) and ${inWindow}) or on (unit, check) max by (unit, check) (${SERIES.siteCode})`,
  );
  add(SERIES.unitCheckState, stateSet(SERIES.unitCheckCode));

  // Per unit: worst blocking item (a unit whose items are all advisory is GO when present).
  add(
    SERIES.unitCode,
    [
      `((max by (unit) (${SERIES.siteCode}) * 0 + ${STATE_CODE.maintenance}) and ${inWindow})`,
      `max by (unit) (${SERIES.siteCode}{blocking="true"})`,
      `(max by (unit) (${SERIES.siteCode}) * 0)`,
    ].join(' or on (unit) '),
  );
  add(SERIES.unitState, stateSet(SERIES.unitCode));
  add(SERIES.unitReady, `${SERIES.unitCode} == bool ${STATE_CODE.go}`);

  // Shared-cause incidents: per site item (never a manual one: unsigned, it is NO-GO everywhere on
  // day one), the units where it is NO-GO and the units that have it; an incident while it fails
  // at least `minUnits` units and at least `minShare` of those that have it (a central outage).
  const siteItem = `on (unit, check) group by (unit, check) (${SERIES.expected})`;
  add(SERIES.checkNogoUnits, `count by (check) ((${SERIES.unitCheckState}{state="nogo"} == 1) and ${siteItem})`);
  add(SERIES.checkUnits, `count by (check) (${SERIES.unitCheckState}{state="nogo"} and ${siteItem})`);
  add(SERIES.checkIncident, incidentExpr(SERIES.checkNogoUnits, SERIES.checkUnits, inv.incidents));

  // Links, for the WAN alerts and dashboards: down if the agent's link item fails or the data
  // center cannot scrape the agent over that link.
  const linkParts = [`label_replace(${FOREIGN_METRICS.up}{job="${JOBS.agent}"}, "link", "$1", "${LABELS.scrapeLink}", "(.+)")`];
  for (const c of classes) {
    const e = c.item.evidence;
    if (e.kind === 'link') linkParts.push(`label_replace(${SERIES.ok}${classSelector(c)}, "link", "${e.link}", "", "")`);
  }
  add(SERIES.linkUp, `min by (unit, site, link) (${linkParts.join(' or ')})`);
  return rules;
}
