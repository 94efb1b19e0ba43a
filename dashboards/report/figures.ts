// The week report's arithmetic, apart from any fetching: what the recording rules concluded,
// sampled on a regular grid over the period, turned into per-unit figures (share of time GO,
// NO-GO minutes, time to recover), the shared-cause incidents with their acknowledgements, and
// the items that failed most. Pure functions: fetch.ts fills the input from Prometheus, the tests
// fill it by hand.
import { STATE_CODE } from '../states.ts';

/**
 * The instants the series were sampled at: `fromMs + i * stepMs` for every i with that instant
 * before `toMs`. A sample stands for the time until the next one (the last: until `toMs`).
 */
export interface Grid {
  fromMs: number;
  toMs: number;
  stepMs: number;
}

/** Per grid index, a rule's value there; null: no sample (the rules wrote nothing then). */
export type Timeline = readonly (number | null)[];

/** An acknowledgement made on the board ("I'm on it"), of a unit's item or (no `unit`) of an incident. */
export interface Acknowledgement {
  unit?: string;
  check: string;
  who: string;
  team: string;
  note: string;
  /** ISO time it was made. */
  at: string;
}

export interface ReportInput {
  grid: Grid;
  /** The units, in the inventory's order. */
  units: readonly string[];
  /** Per unit: the unit's state code (`unit:sansang_unit_state:code`). */
  unitCodes: ReadonlyMap<string, Timeline>;
  /** Per unit, per item: whether the item was NO-GO at the unit (true) at each grid index. */
  itemNogo: ReadonlyMap<string, ReadonlyMap<string, readonly boolean[]>>;
  /** Per item: the units NO-GO while a shared-cause incident was raised (`sansang:check:incident`), null outside one. */
  incidents: ReadonlyMap<string, Timeline>;
  acks: readonly Acknowledgement[];
}

export interface ItemMinutes {
  check: string;
  minutes: number;
}

export interface UnitFigures {
  unit: string;
  /** Share of the time outside maintenance the unit was GO, 0…1; null when it was in maintenance throughout. */
  goShare: number | null;
  goMinutes: number;
  nogoMinutes: number;
  /** UNKNOWN, including the time with no sample at all (missing data is never GO). */
  unknownMinutes: number;
  maintenanceMinutes: number;
  /** Times it turned NO-GO (one already NO-GO when the period starts counts). */
  nogoEpisodes: number;
  /** Minutes from turning NO-GO to the next GO, for every episode seen whole in the period. */
  recoveries: number[];
  recoverMeanMinutes: number | null;
  recoverMaxMinutes: number | null;
  /** NO-GO when the period ends. */
  nogoAtEnd: boolean;
  /** Shared-cause incidents the unit was part of. */
  incidents: number;
  /** Acknowledgements of the unit's items made in the period. */
  acknowledgements: number;
  /** Its items by minutes NO-GO, most first (at most three). */
  topItems: ItemMinutes[];
}

export interface IncidentFigures {
  check: string;
  startMs: number;
  /** When it ended; null: still raised when the period ends. */
  endMs: number | null;
  /** Already raised when the period starts: it began at `startMs` or before. */
  beganBefore: boolean;
  minutes: number;
  /** The most units NO-GO at once during it. */
  peakUnits: number;
  /** Units where the item was NO-GO during it, in the inventory's order. */
  units: string[];
  /** Acknowledgements of the incident, or of its item at one of its units, made during it; earliest first. */
  acks: Acknowledgement[];
  /** Minutes from its start to the first acknowledgement; null: none. */
  firstAckMinutes: number | null;
}

export interface ItemFigures {
  check: string;
  /** Sum over the units of the minutes the item was NO-GO there. */
  unitMinutes: number;
  /** Units where it was NO-GO at some time, most minutes first. */
  units: string[];
  /** Times it turned NO-GO, summed over the units. */
  episodes: number;
}

export interface ReportFigures {
  grid: Grid;
  units: UnitFigures[];
  incidents: IncidentFigures[];
  /** Every item NO-GO somewhere, most unit-minutes first. */
  items: ItemFigures[];
  /** Units without a single sample in the period. */
  unitsWithoutData: string[];
}

/** How many grid instants the period holds. */
export function gridLength(g: Grid): number {
  return Math.max(0, Math.ceil((g.toMs - g.fromMs) / g.stepMs));
}

/** The instant of grid index i. */
export const gridTime = (g: Grid, i: number): number => g.fromMs + i * g.stepMs;

/** Minutes grid index i stands for (the last may be cut short by `toMs`). */
function minutesAt(g: Grid, i: number): number {
  const t = gridTime(g, i);
  return (Math.min(t + g.stepMs, g.toMs) - t) / 60_000;
}

/** Runs of equal values: [start index, end index exclusive, value]. */
function runs<T>(values: readonly T[], n: number): { start: number; end: number; value: T }[] {
  const out: { start: number; end: number; value: T }[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i] as T;
    const last = out[out.length - 1];
    if (last && last.value === v) last.end = i + 1;
    else out.push({ start: i, end: i + 1, value: v });
  }
  return out;
}

function sumMinutes(g: Grid, start: number, end: number): number {
  let m = 0;
  for (let i = start; i < end; i++) m += minutesAt(g, i);
  return m;
}

const byMinutes = (a: ItemMinutes, b: ItemMinutes) => b.minutes - a.minutes || a.check.localeCompare(b.check);

function unitFigures(input: ReportInput, unit: string, incidents: readonly IncidentFigures[]): UnitFigures {
  const g = input.grid;
  const n = gridLength(g);
  const codes = input.unitCodes.get(unit) ?? [];
  const at = (i: number): number | null => codes[i] ?? null;
  let go = 0;
  let nogo = 0;
  let unknown = 0;
  let maintenance = 0;
  for (let i = 0; i < n; i++) {
    const m = minutesAt(g, i);
    const c = at(i);
    if (c === STATE_CODE.go) go += m;
    else if (c === STATE_CODE.nogo) nogo += m;
    else if (c === STATE_CODE.maintenance) maintenance += m;
    else unknown += m;
  }
  // An episode runs from turning NO-GO to the next GO, whatever lies between (UNKNOWN, a window).
  let episodes = 0;
  const recoveries: number[] = [];
  let openSince: number | null = null;
  let seenWhole = false;
  for (let i = 0; i < n; i++) {
    const c = at(i);
    if (c === STATE_CODE.nogo && openSince === null) {
      episodes++;
      openSince = i;
      // Already NO-GO when the period starts: its start is not seen, so its recovery is not measured.
      seenWhole = i > 0;
    } else if (c === STATE_CODE.go && openSince !== null) {
      if (seenWhole) recoveries.push((gridTime(g, i) - gridTime(g, openSince)) / 60_000);
      openSince = null;
    }
  }
  const items: ItemMinutes[] = [];
  for (const [check, flags] of input.itemNogo.get(unit) ?? new Map<string, readonly boolean[]>()) {
    let minutes = 0;
    for (let i = 0; i < n; i++) if (flags[i]) minutes += minutesAt(g, i);
    if (minutes > 0) items.push({ check, minutes });
  }
  items.sort(byMinutes);
  const inPeriod = (iso: string) => Date.parse(iso) >= g.fromMs && Date.parse(iso) < g.toMs;
  return {
    unit,
    goShare: go + nogo + unknown > 0 ? go / (go + nogo + unknown) : null,
    goMinutes: go,
    nogoMinutes: nogo,
    unknownMinutes: unknown,
    maintenanceMinutes: maintenance,
    nogoEpisodes: episodes,
    recoveries,
    recoverMeanMinutes: recoveries.length ? recoveries.reduce((a, b) => a + b, 0) / recoveries.length : null,
    recoverMaxMinutes: recoveries.length ? Math.max(...recoveries) : null,
    nogoAtEnd: n > 0 && at(n - 1) === STATE_CODE.nogo,
    incidents: incidents.filter((x) => x.units.includes(unit)).length,
    acknowledgements: input.acks.filter((a) => a.unit === unit && inPeriod(a.at)).length,
    topItems: items.slice(0, 3),
  };
}

function incidentFigures(input: ReportInput): IncidentFigures[] {
  const g = input.grid;
  const n = gridLength(g);
  const out: IncidentFigures[] = [];
  for (const [check, timeline] of input.incidents) {
    const present = Array.from({ length: n }, (_, i) => timeline[i] !== null && timeline[i] !== undefined);
    for (const r of runs(present, n)) {
      if (!r.value) continue;
      const startMs = gridTime(g, r.start);
      const endMs = r.end < n ? gridTime(g, r.end) : null;
      let peak = 0;
      for (let i = r.start; i < r.end; i++) peak = Math.max(peak, timeline[i] ?? 0);
      const units = input.units.filter((u) => {
        const flags = input.itemNogo.get(u)?.get(check);
        if (!flags) return false;
        for (let i = r.start; i < r.end; i++) if (flags[i]) return true;
        return false;
      });
      const until = endMs ?? g.toMs;
      const acks = input.acks
        .filter((a) => a.check === check && (a.unit === undefined || units.includes(a.unit)))
        .filter((a) => Date.parse(a.at) >= startMs && Date.parse(a.at) < until)
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      out.push({
        check,
        startMs,
        endMs,
        beganBefore: r.start === 0,
        minutes: sumMinutes(g, r.start, r.end),
        peakUnits: peak,
        units,
        acks,
        firstAckMinutes: acks.length ? (Date.parse(acks[0]!.at) - startMs) / 60_000 : null,
      });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.check.localeCompare(b.check));
}

function itemFigures(input: ReportInput): ItemFigures[] {
  const g = input.grid;
  const n = gridLength(g);
  const byCheck = new Map<string, { unitMinutes: number; perUnit: ItemMinutes[]; episodes: number }>();
  for (const unit of input.units)
    for (const [check, flags] of input.itemNogo.get(unit) ?? new Map<string, readonly boolean[]>()) {
      let minutes = 0;
      let episodes = 0;
      for (let i = 0; i < n; i++)
        if (flags[i]) {
          minutes += minutesAt(g, i);
          if (i === 0 || !flags[i - 1]) episodes++;
        }
      if (minutes === 0) continue;
      const f = byCheck.get(check) ?? { unitMinutes: 0, perUnit: [], episodes: 0 };
      f.unitMinutes += minutes;
      f.episodes += episodes;
      f.perUnit.push({ check: unit, minutes });
      byCheck.set(check, f);
    }
  return [...byCheck]
    .map(([check, f]) => ({
      check,
      unitMinutes: f.unitMinutes,
      units: [...f.perUnit].sort(byMinutes).map((u) => u.check),
      episodes: f.episodes,
    }))
    .sort((a, b) => b.unitMinutes - a.unitMinutes || b.units.length - a.units.length || a.check.localeCompare(b.check));
}

/** Every figure of the report. Units are ordered worst first: least GO, then most NO-GO, then the inventory's order. */
export function computeFigures(input: ReportInput): ReportFigures {
  const incidents = incidentFigures(input);
  const order = new Map(input.units.map((u, i) => [u, i]));
  const units = input.units
    .map((u) => unitFigures(input, u, incidents))
    .sort(
      (a, b) => (a.goShare ?? 2) - (b.goShare ?? 2) || b.nogoMinutes - a.nogoMinutes || (order.get(a.unit) ?? 0) - (order.get(b.unit) ?? 0),
    );
  const unitsWithoutData = input.units.filter((u) => !(input.unitCodes.get(u) ?? []).some((v) => v !== null && v !== undefined));
  return { grid: input.grid, units, incidents, items: itemFigures(input), unitsWithoutData };
}
