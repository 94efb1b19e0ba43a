// Input series for the promtool tests: one unit of the inventory as Prometheus would see it,
// healthy, which each scenario then breaks in one way.
import {
  durationSeconds,
  pushedLinks,
  siteChecks,
  siteLinks,
  unitManualChecks,
  type ChecklistItem,
  type Inventory,
  type LinkName,
  type Site,
  type Unit,
} from '../../inventory/index.ts';
import { AGENT_METRICS, BOARD_METRICS, FOREIGN_METRICS, JOBS } from '../../inventory/index.ts';

export type Labels = Record<string, string>;

/** A label value as PromQL writes it in double quotes. */
const quoted = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function selector(metric: string, labels: Labels): string {
  return `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${quoted(v)}`)
    .join(', ')}}`;
}

/** One input series: its samples from t=0, one per interval (`undefined`: no sample). */
export interface InputSeries {
  metric: string;
  labels: Labels;
  samples: (number | undefined)[];
}

/** promtool's expanding notation, compressed: runs of equal values as `vxN`, gaps as `_xN`. */
export function notation(samples: readonly (number | undefined)[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < samples.length) {
    let j = i;
    while (j + 1 < samples.length && samples[j + 1] === samples[i]) j++;
    // `vxN` is N+1 samples of v, but `_xN` is N missing ones (promtool's notation).
    if (samples[i] === undefined) out.push(j === i ? '_' : `_x${j - i + 1}`);
    else out.push(j === i ? String(samples[i]) : `${samples[i]}x${j - i}`);
    i = j + 1;
  }
  return out.join(' ');
}

export class UnitWorld {
  readonly intervalSeconds: number;
  readonly steps: number;
  private readonly series = new Map<string, InputSeries>();

  constructor(
    readonly inv: Inventory,
    readonly unit: Unit,
    durationSeconds_: number,
  ) {
    this.intervalSeconds = durationSeconds(inv.agent.interval);
    this.steps = Math.floor(durationSeconds_ / this.intervalSeconds) + 1;
    this.healthy();
  }

  /** The value `v` at every step (a function of the step's time in seconds). */
  fill(v: number | ((t: number) => number | undefined)): (number | undefined)[] {
    return Array.from({ length: this.steps }, (_, i) => (typeof v === 'number' ? v : v(i * this.intervalSeconds)));
  }

  set(metric: string, labels: Labels, v: number | ((t: number) => number | undefined)): void {
    this.series.set(selector(metric, labels), { metric, labels, samples: this.fill(v) });
  }

  /** Changes every series matching the metric and labels. */
  update(metric: string, match: Labels, v: number | ((t: number) => number | undefined)): void {
    for (const s of this.matching(metric, match)) s.samples = this.fill(v);
  }

  remove(metric: string | undefined, match: Labels): void {
    for (const s of this.matching(metric, match)) this.series.delete(selector(s.metric, s.labels));
  }

  private matching(metric: string | undefined, match: Labels): InputSeries[] {
    return [...this.series.values()].filter(
      (s) => (metric === undefined || s.metric === metric) && Object.entries(match).every(([k, v]) => s.labels[k] === v),
    );
  }

  input(): { series: string; values: string }[] {
    return [...this.series.values()].map((s) => ({ series: selector(s.metric, s.labels), values: notation(s.samples) }));
  }

  siteItems(site: Site): ChecklistItem[] {
    return siteChecks(this.inv, this.unit, site);
  }

  manualItems(): ChecklistItem[] {
    return unitManualChecks(this.inv, this.unit);
  }

  agentLabels(site: Site, link: LinkName): Labels {
    const addr = site.links[link]?.address ?? '127.0.0.1';
    return { job: JOBS.agent, instance: `${addr}:${site.agentPort}`, unit: this.unit.code, site: site.id, scrape_link: link };
  }

  boardLabels(board: 1 | 2): Labels {
    return { job: JOBS.board, instance: `board-${board}:8080` };
  }

  /** Everything passing, every anchor present, one board. */
  private healthy(): void {
    const u = this.unit.code;
    this.set(FOREIGN_METRICS.up, this.boardLabels(1), 1);
    this.set(BOARD_METRICS.maintenanceActive, { ...this.boardLabels(1), unit: u }, 0);
    for (const m of this.manualItems()) this.set(BOARD_METRICS.signoffStatus, { ...this.boardLabels(1), unit: u, check: m.id }, 1);
    // The names the board exports, which the alerts' texts show.
    this.set(BOARD_METRICS.unitInfo, { ...this.boardLabels(1), unit: u, name: this.unit.name }, 1);
    const titled = new Map([...this.manualItems(), ...this.unit.sites.flatMap((s) => this.siteItems(s))].map((i) => [i.id, i.title]));
    for (const [check, t] of titled) this.set(BOARD_METRICS.checkInfo, { ...this.boardLabels(1), check, title: t.vi, title_en: t.en }, 1);
    for (const site of this.unit.sites) {
      const items = this.siteItems(site);
      for (const item of items)
        this.set(BOARD_METRICS.checkExpected, { ...this.boardLabels(1), unit: u, site: site.id, check: item.id }, 1);
      for (const link of siteLinks(site)) this.addAgent(site, link);
      // The links the agent pushes over: its pushed series arrive as a scrape's would (agents/push/).
      for (const link of pushedLinks(site)) this.set(BOARD_METRICS.linkPushed, { ...this.boardLabels(1), unit: u, site: site.id, link }, 1);
    }
  }

  /** The series one agent exposes when scraped over one link, all passing. */
  addAgent(site: Site, link: LinkName): void {
    const l = this.agentLabels(site, link);
    this.set(FOREIGN_METRICS.up, l, 1);
    this.set(AGENT_METRICS.hostTime, l, (t) => t);
    for (const item of this.siteItems(site)) {
      if (item.kind === 'edge') this.set(AGENT_METRICS.checkStatus, { ...l, check: item.id }, 1);
      if (item.evidence.kind === 'dc-reach') this.set(FOREIGN_METRICS.blackboxSuccess, { ...l, job: JOBS.blackbox }, 1);
    }
  }

  /** Removes what an agent exposes (all links, or one), as if never scraped. */
  removeAgent(site: Site, link?: LinkName): void {
    const match: Labels = { unit: this.unit.code, site: site.id, ...(link ? { scrape_link: link } : {}) };
    for (const m of [FOREIGN_METRICS.up, AGENT_METRICS.hostTime, AGENT_METRICS.checkStatus, FOREIGN_METRICS.blackboxSuccess])
      this.remove(m, match);
  }
}
