// The national board's core: reads the store on a timer, evaluates (evaluate.ts), keeps the last
// evaluation and the overview ready to serve, and remembers the units it has seen and since when
// each province and unit has been in its state. Read-only: sign-offs and windows belong to the
// provinces' boards.
import type { NationalInventory } from '../../inventory/index.ts';
import { stateRank, type State } from '../states.ts';
import { evaluateNational, type NationalEvaluation, type NationalItem, type NationalUnit, type SeenUnits } from './evaluate.ts';
import { NATIONAL_QUERIES } from './queries.ts';
import { NationalSource } from './source.ts';

/** How many of the worst units the overview lists (the rest are counted). */
export const WORST_UNITS = 200;

export interface NationalCoreOptions {
  national: NationalInventory;
  /** The store's Prometheus query API (VictoriaMetrics single node: http://host:8428/; cluster: http://vmselect:8481/select/0/prometheus/). */
  store: string;
  refreshMs: number;
  timeoutMs?: number;
  warn?: (msg: string) => void;
}

/** A unit as the overview and a province's page list it: its failing items only. */
export interface UnitLine {
  province: string;
  code: string;
  name: string;
  state: State;
  since: string | null;
  failing: NationalItem[];
}

const line = (u: NationalUnit): UnitLine => ({
  province: u.province,
  code: u.code,
  name: u.name,
  state: u.state,
  since: u.since,
  failing: u.items.filter((i) => i.state === 'nogo' || i.state === 'unknown'),
});

export class NationalCore {
  readonly source: NationalSource;
  evaluation: NationalEvaluation;
  private readonly seen: SeenUnits = new Map();
  private readonly sinceOf = new Map<string, { state: State; at: string | null }>();
  private overviewJson = '';
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  lastRefreshMs = 0;
  readonly startedAt = new Date().toISOString();

  constructor(readonly opts: NationalCoreOptions) {
    this.source = new NationalSource(opts.store, opts.timeoutMs ?? Math.max(2000, Math.min(opts.refreshMs, 15_000)));
    this.evaluation = this.evaluate({ results: null, error: 'not read yet', atMs: Date.now() });
  }

  /** Queries per refresh: fixed, whatever the number of provinces and units. */
  static readonly queriesPerRefresh = Object.keys(NATIONAL_QUERIES).length;

  private evaluate(read: Parameters<typeof evaluateNational>[1]): NationalEvaluation {
    const e = evaluateNational(this.opts.national, read, {
      nowMs: Date.now(),
      seen: this.seen,
      since: (key, state, nowMs) => {
        const was = this.sinceOf.get(key);
        if (was?.state === state) return was.at;
        // A state found at start began at a moment the board cannot know: null until it changes.
        const at = was ? new Date(nowMs).toISOString() : null;
        this.sinceOf.set(key, { state, at });
        return at;
      },
    });
    this.evaluation = e;
    this.overviewJson = JSON.stringify(this.overviewOf(e));
    return e;
  }

  async refresh(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      const t0 = performance.now();
      const read = await this.source.read();
      this.evaluate(read);
      this.lastRefreshMs = performance.now() - t0;
    })().finally(() => (this.running = null));
    return this.running;
  }

  async start(): Promise<void> {
    await this.refresh();
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.refresh().then(tick, (e: Error) => {
          (this.opts.warn ?? ((m) => process.stderr.write(`${m}\n`)))(`national board: refresh failed: ${e.message}`);
          tick();
        });
      }, this.opts.refreshMs);
    };
    tick();
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private overviewOf(e: NationalEvaluation) {
    const notGo = e.units.filter((u) => u.state !== 'go');
    notGo.sort(
      (a, b) => stateRank(a.state) - stateRank(b.state) || a.province.localeCompare(b.province) || a.name.localeCompare(b.name, 'vi'),
    );
    const provinces = [...e.provinces].sort((a, b) => stateRank(a.state) - stateRank(b.state) || a.code.localeCompare(b.code));
    return {
      at: e.at,
      name: this.opts.national.name,
      refreshSeconds: this.opts.refreshMs / 1000,
      queriesPerRefresh: NationalCore.queriesPerRefresh,
      problems: e.problems,
      provinces,
      worst: notGo.slice(0, WORST_UNITS).map(line),
      worstTotal: notGo.length,
    };
  }

  /** The overview as JSON: provinces worst first, then the worst units (built once per refresh). */
  overview(): string {
    return this.overviewJson;
  }

  province(code: string) {
    const p = this.evaluation.provinces.find((x) => x.code === code);
    if (!p) return undefined;
    return { at: this.evaluation.at, province: p, units: this.evaluation.units.filter((u) => u.province === code).map(line) };
  }

  unit(province: string, code: string) {
    const p = this.evaluation.provinces.find((x) => x.code === province);
    const u = this.evaluation.units.find((x) => x.province === province && x.code === code);
    return p && u ? { at: this.evaluation.at, province: { code: p.code, name: p.name, boards: p.boards }, unit: u } : undefined;
  }
}
