// "Since when": the board remembers when each unit, item and site item entered its present
// state, and keeps the units' changes for the shift report. Agents that know better (an edge
// item's `since`) give a hint. Keys are slots numbered by the catalog: at national scale an
// evaluation touches some 200,000 of them, and an array beats a map of strings.
import type { State } from '../states.ts';

export interface Change {
  at: string;
  unit: string;
  from: State | null;
  to: State;
  /** Why: the unit's blocking items that are not GO at that moment (none: every one GO, or a window). */
  why?: { check: string; state: State }[];
}

interface Entry {
  state: State;
  since: number;
  /** `since` as ISO text, made once per change. */
  iso: string;
}

export class SinceTracker {
  private readonly slots: (Entry | undefined)[] = [];
  private readonly changes: Change[] = [];
  /** Each unit's last state before a restart, from the saved changes. */
  private readonly before = new Map<string, { state: State; since: number }>();
  /** Called with every change of a unit's state (the board saves them for the shift report). */
  onChange: ((c: Change) => void) | null = null;
  /**
   * Until then (the board's start plus its longest `for` and freshness) a unit known before the
   * restart that is UNKNOWN only for want of history is not a change: no noise rows in the shift
   * report each time the board restarts.
   */
  warmUntilMs = 0;

  constructor(private readonly maxChanges = 100_000) {}

  /** Takes back the changes saved before a restart: the report keeps them, and a unit still in the same state keeps its "since". */
  restore(changes: readonly Change[]): void {
    for (const c of changes) {
      this.changes.push(c);
      this.before.set(c.unit, { state: c.to, since: Date.parse(c.at) });
    }
    if (this.changes.length > this.maxChanges) this.changes.splice(0, this.changes.length - this.maxChanges);
  }

  /** Records `state` for `slot` at `nowMs`; returns when the slot entered that state. */
  at(slot: number, state: State, nowMs: number, hintMs?: number | null): Readonly<Entry> {
    const cur = this.slots[slot];
    if (cur && cur.state === state) return cur;
    const since =
      hintMs !== undefined && hintMs !== null && Number.isFinite(hintMs) && hintMs <= nowMs && (!cur || hintMs >= cur.since)
        ? hintMs
        : nowMs;
    const e = { state, since, iso: new Date(since).toISOString() };
    this.slots[slot] = e;
    return e;
  }

  /** Like `at`, for a unit: a change is kept for the shift report. */
  unit(slot: number, unit: string, state: State, nowMs: number, why?: () => Change['why']): string {
    const cur = this.slots[slot];
    if (cur && cur.state === state) return cur.iso;
    const prior = cur ? undefined : this.before.get(unit);
    if (prior && prior.state === state && prior.since <= nowMs) {
      const e = { state, since: prior.since, iso: new Date(prior.since).toISOString() };
      this.slots[slot] = e;
      return e.iso;
    }
    // Warming up after a restart: UNKNOWN for want of history is no change of the unit.
    if (prior && !cur && state === 'unknown' && nowMs < this.warmUntilMs) return new Date(nowMs).toISOString();
    const change: Change = {
      at: new Date(nowMs).toISOString(),
      unit,
      from: cur?.state ?? prior?.state ?? null,
      to: state,
      ...(why ? { why: why() } : {}),
    };
    this.changes.push(change);
    if (this.changes.length > this.maxChanges) this.changes.splice(0, this.changes.length - this.maxChanges);
    this.onChange?.(change);
    return this.at(slot, state, nowMs).iso;
  }

  changesBetween(fromMs: number, toMs: number): Change[] {
    return this.changes.filter((c) => {
      const t = Date.parse(c.at);
      return t >= fromMs && t <= toMs;
    });
  }
}

/** A unit's blocking items that are not GO: why it is in its state (the shift report's detail). */
export function whyOf(items: readonly { check: string; state: State; blocking: boolean }[]): Change['why'] {
  return items.filter((i) => i.blocking && (i.state === 'nogo' || i.state === 'unknown')).map((i) => ({ check: i.check, state: i.state }));
}
