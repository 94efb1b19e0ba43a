// The four states and the one rule that decides them (docs/architecture.md, "Four states"):
//   an item is MAINTENANCE inside a window; UNKNOWN when no sample is fresher than three probe
//   intervals; NO-GO when fresh and failing, or passing again but failed within its `for`; GO
//   when fresh and passing over its whole `for`; UNKNOWN when passing for less than that.
//   A unit (or a site) is MAINTENANCE in a window; else NO-GO if any blocking item is NO-GO; else
//   UNKNOWN if any blocking item is UNKNOWN; else GO (advisory items never keep it from GO, so a
//   unit whose items are all advisory is GO). With no item at all there is nothing to judge: UNKNOWN.
// The board evaluates through these functions; the recording rules write the same rule in PromQL
// with the codes below, and the case table (state-cases.ts) is run through both.
import { STATES, type State } from '../inventory/index.ts';

export { STATES, type State };

/**
 * The numeric codes of the rules' `code` series: among go/unknown/nogo the worse is the higher,
 * so `max` picks the worst; maintenance is above them all and overrides.
 */
export const STATE_CODE: Readonly<Record<State, number>> = Object.freeze({ go: 0, unknown: 1, nogo: 2, maintenance: 3 });

/** The order lists, legends and reports show states in: what needs attention first. */
export const STATE_ORDER: readonly State[] = Object.freeze(['nogo', 'unknown', 'maintenance', 'go']);

export function stateRank(s: State): number {
  return STATE_ORDER.indexOf(s);
}

export const isState = (s: unknown): s is State => typeof s === 'string' && (STATES as readonly string[]).includes(s);

/** One observation of an item at one site (or of a manual item of a unit). */
export interface Sample {
  /** true passing, false failing, null: no judgement (no sample). */
  ok: boolean | null;
  /** Seconds since the sample was taken, on the board's clock; null when there is none. */
  ageSeconds: number | null;
  /**
   * Seconds since the item last failed, when it did within what the source remembers; GO needs
   * it to have passed for its whole `for` (as `min_over_time(...[for]) == 1` would).
   */
  lastFailedSecondsAgo?: number | null;
  /**
   * How long the item has been passing without a break, as far as the source knows (null: not
   * known). GO needs evidence over the whole `for` window: passing for less is UNKNOWN.
   */
  passingForSeconds?: number | null;
}

export interface ItemRule {
  /** Samples older than this are stale: three probe intervals. */
  freshnessSeconds: number;
  /** The item's `for` in seconds. */
  forSeconds: number;
}

/** The state of an item at one place. */
export function judgeItem(sample: Sample, rule: ItemRule, inMaintenance = false): State {
  if (inMaintenance) return 'maintenance';
  if (sample.ok === null || sample.ageSeconds === null || !Number.isFinite(sample.ageSeconds)) return 'unknown';
  if (sample.ageSeconds > rule.freshnessSeconds) return 'unknown';
  if (!sample.ok) return 'nogo';
  const failedAgo = sample.lastFailedSecondsAgo;
  if (failedAgo !== undefined && failedAgo !== null && failedAgo < rule.forSeconds) return 'nogo';
  if (rule.forSeconds > 0) {
    const held = sample.passingForSeconds;
    if (held === undefined || held === null || held < rule.forSeconds) return 'unknown';
  }
  return 'go';
}

// Severity for "worst of": maintenance counts least, so a site in a window does not hide the others.
const SEVERITY: Readonly<Record<State, number>> = { nogo: 3, unknown: 2, go: 1, maintenance: 0 };

/**
 * An item of a unit from its sites: the worst (NO-GO > UNKNOWN > GO). A site in maintenance does
 * not count unless every site is; no site at all is UNKNOWN, never GO.
 */
export function worstOf(states: readonly State[]): State {
  if (states.length === 0) return 'unknown';
  let worst: State = 'maintenance';
  for (const s of states) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

export interface ItemState {
  state: State;
  blocking: boolean;
}

/** A unit (or one of its sites) from its items, by the rule above. */
export function rollUp(items: readonly ItemState[], inMaintenance: boolean): State {
  if (inMaintenance) return 'maintenance';
  if (items.length === 0) return 'unknown';
  let unknown = false;
  for (const i of items) {
    if (!i.blocking) continue;
    if (i.state === 'nogo') return 'nogo';
    if (i.state === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : 'go';
}

/** The unit's state. */
export const unitState = rollUp;
/** A site's state, by the same rule over the site's items. */
export const siteState = rollUp;

/**
 * A state another evaluator concluded (the recording rules' `code`, read back from the national
 * store), as known now: the rule's freshness applied to the conclusion. With no sample, or none
 * fresher than the window, it is UNKNOWN whatever it said (a province that stops sending is never
 * left GO).
 */
export function judgeConcluded(state: State | null, ageSeconds: number | null, freshnessSeconds: number): State {
  if (state === null || ageSeconds === null || !Number.isFinite(ageSeconds) || ageSeconds > freshnessSeconds) return 'unknown';
  return state;
}

/**
 * A province from its units, as an item from its sites: the worst (NO-GO > UNKNOWN > GO), a unit in
 * maintenance not counting unless every unit is; no unit at all is UNKNOWN, never GO.
 */
export const provinceState = worstOf;
