// DESIGN.md "Four states, one rule everywhere", as pure functions. Both data sources (the
// embedded poller of the agents' /status and the Prometheus reader) end here, so the board gives
// one answer whichever way it gets its data. Missing data is never GO.

export type State = 'go' | 'nogo' | 'unknown' | 'maintenance';
export const STATES: readonly State[] = ['go', 'nogo', 'unknown', 'maintenance'];

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
   * known). GO needs evidence over the whole `for` window: passing for less is UNKNOWN, as the
   * rules say ("passing, not long enough yet", e.g. right after a restart).
   */
  passingForSeconds?: number | null;
}

export interface ItemRule {
  /** Samples older than this are stale: three probe intervals. */
  freshnessSeconds: number;
  /** The item's `for` in seconds. */
  forSeconds: number;
}

/**
 * An item at one place: MAINTENANCE inside a window; UNKNOWN without a fresh sample; NO-GO when
 * failing, or passing but failed within its `for` (recovering); GO when passing over its whole
 * `for`; UNKNOWN when passing for less than that with no failure seen.
 */
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

const severity: Record<State, number> = { nogo: 3, unknown: 2, go: 1, maintenance: 0 };

/**
 * An item of a unit from its sites: the worst (NO-GO > UNKNOWN > GO). A site in maintenance does
 * not count unless every site is; no site at all is UNKNOWN, never GO.
 */
export function worstOf(states: readonly State[]): State {
  if (states.length === 0) return 'unknown';
  let worst: State = 'maintenance';
  for (const s of states) if (severity[s] > severity[worst]) worst = s;
  return worst;
}

export interface UnitItemState {
  state: State;
  blocking: boolean;
}

/** MAINTENANCE in a window; else NO-GO if any blocking item is NO-GO; else UNKNOWN if any is UNKNOWN; else GO. */
export function unitState(items: readonly UnitItemState[], inMaintenance: boolean): State {
  if (inMaintenance) return 'maintenance';
  let unknown = false;
  let anyBlocking = false;
  for (const i of items) {
    if (!i.blocking) continue;
    anyBlocking = true;
    if (i.state === 'nogo') return 'nogo';
    if (i.state === 'unknown') unknown = true;
  }
  // A unit with nothing to judge has no evidence of readiness.
  if (!anyBlocking) return 'unknown';
  return unknown ? 'unknown' : 'go';
}

/** Order in lists: what needs attention first. */
export function stateRank(s: State): number {
  return { nogo: 0, unknown: 1, maintenance: 2, go: 3 }[s];
}

/** The clock item: offset between the agent's clock and ours, allowing for the request's round trip. */
export function clockOffsetOk(
  boardSentMs: number,
  boardReceivedMs: number,
  agentNowMs: number,
  maxOffsetSeconds: number,
): { ok: boolean; offsetSeconds: number } {
  const rtt = Math.max(0, boardReceivedMs - boardSentMs);
  // The agent wrote `now` somewhere between sending and receiving: its best estimate is the middle.
  const offset = (agentNowMs - (boardSentMs + rtt / 2)) / 1000;
  return { ok: Math.abs(offset) - rtt / 2000 <= maxOffsetSeconds, offsetSeconds: offset };
}
