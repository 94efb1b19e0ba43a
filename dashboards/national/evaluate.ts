// The national view from one read of the store: provinces → units → items, each in one of the four
// states. The states are the provinces' rules' conclusions, judged for freshness here with the
// rule's own functions (../states.ts): a unit whose last sample is older than its province's window
// is UNKNOWN, so is every item of it, and a province is the worst of its units.
import { nationalFreshnessSeconds, type NationalInventory, type NationalProvince } from '../../inventory/index.ts';
import { judgeConcluded, provinceState, stateRank, STATE_CODE, STATES, type State } from '../states.ts';
import type { NationalRead } from './source.ts';

export interface NationalItem {
  check: string;
  title: string;
  titleEn: string;
  state: State;
  blocking: boolean;
}

export interface NationalUnit {
  province: string;
  code: string;
  name: string;
  state: State;
  since: string | null;
  /** Age of the unit's last conclusion in the store (seconds), null when there is none. */
  ageSeconds: number | null;
  items: NationalItem[];
}

export interface NationalProvinceView {
  code: string;
  name: string;
  state: State;
  since: string | null;
  counts: Record<State, number>;
  units: number;
  /** The newest conclusion the store holds from the province. */
  lastSampleAt: string | null;
  ageSeconds: number | null;
  freshnessSeconds: number;
  /** Nothing fresh from the province: its units are UNKNOWN. */
  silent: boolean;
  boards: string[];
  prometheus: string[];
  problem: string | null;
}

export interface NationalEvaluation {
  at: string;
  provinces: NationalProvinceView[];
  /** Every unit of every province, province by province in the inventory's order, worst first. */
  units: NationalUnit[];
  problems: string[];
}

/** The units the board has seen per province (code → name): a province silent for longer than the store's memory keeps its list. */
export type SeenUnits = Map<string, Map<string, string>>;

export interface EvaluateContext {
  nowMs: number;
  seen: SeenUnits;
  /** When this key entered this state (ISO), from the board's tracker. */
  since(key: string, state: State, nowMs: number): string | null;
}

const BY_CODE = new Map<number, State>(STATES.map((s) => [STATE_CODE[s], s]));
const keyOf = (...parts: string[]) => parts.join('/');

/** Rounds a non-negative age to tenths of a second. */
const tenths = (s: number) => Math.round(Math.max(0, s) * 10) / 10;

export function evaluateNational(nat: NationalInventory, read: NationalRead, ctx: EvaluateContext): NationalEvaluation {
  const r = read.results;
  const problems: string[] = [];
  if (!r) problems.push(`The national store cannot be read: ${read.error ?? 'not read yet'}. Every province is UNKNOWN.`);

  const codes = new Map<string, number>();
  const ats = new Map<string, number>();
  const names = new Map<string, string>();
  const items = new Map<string, { check: string; code: number }[]>();
  const advisory = new Set<string>();
  const titles = new Map<string, { vi: string; en: string }>();
  const inStore = new Map<string, Set<string>>();
  const note = (p: string | undefined, u: string | undefined) => {
    if (!p || !u) return false;
    let set = inStore.get(p);
    if (!set) inStore.set(p, (set = new Set()));
    set.add(u);
    return true;
  };
  for (const s of r?.unitCode ?? [])
    if (note(s.metric.province, s.metric.unit)) codes.set(keyOf(s.metric.province!, s.metric.unit!), s.value);
  for (const s of r?.unitAt ?? []) if (s.metric.province && s.metric.unit) ats.set(keyOf(s.metric.province, s.metric.unit), s.value);
  for (const s of r?.unitNames ?? [])
    if (note(s.metric.province, s.metric.unit) && s.metric.name) names.set(keyOf(s.metric.province!, s.metric.unit!), s.metric.name);
  for (const s of r?.itemCode ?? []) {
    const { province, unit, check } = s.metric;
    if (!province || !unit || !check) continue;
    const k = keyOf(province, unit);
    const list = items.get(k);
    if (list) list.push({ check, code: s.value });
    else items.set(k, [{ check, code: s.value }]);
  }
  for (const s of r?.advisory ?? [])
    if (s.metric.province && s.metric.unit && s.metric.check) advisory.add(keyOf(s.metric.province, s.metric.unit, s.metric.check));
  for (const s of r?.checkTitles ?? [])
    if (s.metric.check && !titles.has(s.metric.check))
      titles.set(s.metric.check, { vi: s.metric.title ?? s.metric.check, en: s.metric.title_en ?? s.metric.check });

  const listed = new Set(nat.provinces.map((p) => p.code));
  const strangers = [...inStore.keys()].filter((p) => !listed.has(p)).sort();
  if (strangers.length)
    problems.push(`The store holds data of provinces the national inventory does not list: ${strangers.join(', ')}. They are not shown.`);

  const units: NationalUnit[] = [];
  const provinces = nat.provinces.map((p) => {
    const view = provinceView(p, { codes, ats, names, items, advisory, titles, inStore }, ctx);
    units.push(...view.units);
    return view.province;
  });
  return { at: new Date(ctx.nowMs).toISOString(), provinces, units, problems };
}

interface Indexed {
  codes: Map<string, number>;
  ats: Map<string, number>;
  names: Map<string, string>;
  items: Map<string, { check: string; code: number }[]>;
  advisory: Set<string>;
  titles: Map<string, { vi: string; en: string }>;
  inStore: Map<string, Set<string>>;
}

function provinceView(p: NationalProvince, x: Indexed, ctx: EvaluateContext): { province: NationalProvinceView; units: NationalUnit[] } {
  const freshness = nationalFreshnessSeconds(p);
  let seen = ctx.seen.get(p.code);
  if (!seen) ctx.seen.set(p.code, (seen = new Map()));
  for (const u of x.inStore.get(p.code) ?? []) seen.set(u, x.names.get(keyOf(p.code, u)) ?? seen.get(u) ?? u);

  let newest: number | null = null;
  const units: NationalUnit[] = [...seen.entries()].map(([code, name]) => {
    const k = keyOf(p.code, code);
    const at = x.ats.get(k);
    if (at !== undefined && (newest === null || at > newest)) newest = at;
    const age = at === undefined ? null : tenths(ctx.nowMs / 1000 - at);
    const rawCode = x.codes.get(k);
    const state = judgeConcluded(rawCode === undefined ? null : (BY_CODE.get(rawCode) ?? null), age, freshness);
    const unitItems: NationalItem[] = (x.items.get(k) ?? []).map(({ check, code: c }) => {
      const t = x.titles.get(check);
      return {
        check,
        title: t?.vi ?? check,
        titleEn: t?.en ?? check,
        // The item's conclusion came with the unit's, in the same evaluation: the unit's age is its age.
        state: judgeConcluded(BY_CODE.get(c) ?? null, age, freshness),
        blocking: !x.advisory.has(keyOf(p.code, code, check)),
      };
    });
    unitItems.sort(
      (a, b) => stateRank(a.state) - stateRank(b.state) || Number(b.blocking) - Number(a.blocking) || a.check.localeCompare(b.check),
    );
    return { province: p.code, code, name, state, since: ctx.since(k, state, ctx.nowMs), ageSeconds: age, items: unitItems };
  });
  units.sort((a, b) => stateRank(a.state) - stateRank(b.state) || a.name.localeCompare(b.name, 'vi') || a.code.localeCompare(b.code));

  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number>;
  for (const u of units) counts[u.state]++;
  const state = provinceState(units.map((u) => u.state));
  const newestAt: number | null = newest;
  const age = newestAt === null ? null : tenths(ctx.nowMs / 1000 - newestAt);
  const silent = age === null || age > freshness;
  const problem =
    age === null
      ? units.length
        ? `Không có số liệu của tỉnh trong kho quốc gia / no data from the province in the national store`
        : `Chưa nhận được số liệu nào của tỉnh / nothing received from the province yet`
      : silent
        ? `Tỉnh ngừng gửi số liệu ${Math.round(age)} giây / the province has sent nothing for ${Math.round(age)} s (window ${freshness} s)`
        : null;
  return {
    province: {
      code: p.code,
      name: p.name,
      state,
      since: ctx.since(p.code, state, ctx.nowMs),
      counts,
      units: units.length,
      lastSampleAt: newestAt === null ? null : new Date(newestAt * 1000).toISOString(),
      ageSeconds: age,
      freshnessSeconds: freshness,
      silent,
      boards: p.boards,
      prometheus: p.prometheus,
      problem,
    },
    units,
  };
}
