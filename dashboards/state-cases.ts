// The case table of the four-state rule: what each situation of an item's evidence must give,
// and what a unit must be for each mix of its items. It is data, written out: the board's
// evaluation (dashboards/states.test.ts) and the recording rules under promtool
// (dashboards/rules/cases.test.ts, from the series `caseSeries` makes) are both held to it, so
// they cannot disagree on any case without a test failing.
import type { Sample, State } from './states.ts';

/** How an item's evidence looks at the moment of evaluation. */
export type Situation =
  | 'held' // fresh and passing for longer than its `for`
  | 'new' // fresh and passing for less than its `for`, no failure seen (just started)
  | 'recovering' // fresh and passing, but failed within its `for`
  | 'failing' // fresh and failing
  | 'stale' // passed, then silent for longer than three probe intervals
  | 'never' // expected, never reported
  | 'signed' // manual: signed off
  | 'unsigned' // manual: never signed off
  | 'withdrawn'; // manual: signed off, then withdrawn

/** The item's state for each situation, outside a maintenance window (inside, it is MAINTENANCE). */
export const ITEM_STATE: Readonly<Record<Situation, State>> = {
  held: 'go',
  new: 'unknown',
  recovering: 'nogo',
  failing: 'nogo',
  stale: 'unknown',
  never: 'unknown',
  signed: 'go',
  unsigned: 'nogo',
  withdrawn: 'nogo',
};

/** Where an item's evidence comes from: the agent's verdict, a central series, a person. */
export type Role = 'edge' | 'central' | 'manual';

export const SITUATIONS: Readonly<Record<Role, readonly Situation[]>> = {
  edge: ['held', 'new', 'recovering', 'failing', 'stale', 'never'],
  central: ['held', 'new', 'recovering', 'failing', 'stale', 'never'],
  manual: ['signed', 'unsigned', 'withdrawn'],
};

export interface CaseItem {
  role: Role;
  blocking: boolean;
  /** One situation per site (manual items: one, for the unit). */
  at: Situation[];
  /** The item's state at the unit. */
  expect: State;
}

export interface StateCase {
  name: string;
  /** Sites of the unit (1 or 2). */
  sites: 1 | 2;
  maintenance: boolean;
  items: CaseItem[];
  /** The unit's state. */
  expect: State;
}

// The unit's state when one item is in the given state and every other item is GO: written out,
// not computed, so the table is an independent statement of the rule.
const ONE_ITEM: Readonly<Record<'blocking' | 'advisory', Readonly<Record<'go' | 'unknown' | 'nogo', State>>>> = {
  blocking: { go: 'go', unknown: 'unknown', nogo: 'nogo' },
  advisory: { go: 'go', unknown: 'go', nogo: 'go' },
};

const held = (role: Role, blocking: boolean, sites = 1): CaseItem => ({
  role,
  blocking,
  at: Array<Situation>(role === 'manual' ? 1 : sites).fill(role === 'manual' ? 'signed' : 'held'),
  expect: 'go',
});

/**
 * Every role × blocking/advisory × situation (fresh/stale/never, inside/outside the `for`,
 * signed/unsigned/withdrawn) × inside/outside a maintenance window, each with a blocking edge
 * item beside it that holds; then the mixes the single-item cases cannot show.
 */
function singleItemCases(): StateCase[] {
  const out: StateCase[] = [];
  for (const role of ['edge', 'central', 'manual'] as const)
    for (const blocking of [true, false])
      for (const situation of SITUATIONS[role])
        for (const maintenance of [false, true]) {
          const state = ITEM_STATE[situation];
          out.push({
            name: `${role} ${blocking ? 'blocking' : 'advisory'} item ${situation}${maintenance ? ', in a maintenance window' : ''}`,
            sites: 1,
            maintenance,
            items: [
              { role, blocking, at: [situation], expect: maintenance ? 'maintenance' : state },
              { ...held('edge', true), expect: maintenance ? 'maintenance' : 'go' },
            ],
            expect: maintenance ? 'maintenance' : ONE_ITEM[blocking ? 'blocking' : 'advisory'][state as 'go' | 'unknown' | 'nogo'],
          });
        }
  return out;
}

const MIXES: readonly StateCase[] = [
  {
    name: 'NO-GO before UNKNOWN: one blocking item failing, another never reported',
    sites: 1,
    maintenance: false,
    items: [
      { role: 'edge', blocking: true, at: ['failing'], expect: 'nogo' },
      { role: 'central', blocking: true, at: ['never'], expect: 'unknown' },
    ],
    expect: 'nogo',
  },
  {
    name: 'a blocking item UNKNOWN and an advisory one NO-GO: UNKNOWN',
    sites: 1,
    maintenance: false,
    items: [
      { role: 'edge', blocking: true, at: ['stale'], expect: 'unknown' },
      { role: 'edge', blocking: false, at: ['failing'], expect: 'nogo' },
    ],
    expect: 'unknown',
  },
  {
    name: 'all items advisory, one failing and one never reported: GO (nothing blocking keeps it from GO)',
    sites: 1,
    maintenance: false,
    items: [
      { role: 'edge', blocking: false, at: ['failing'], expect: 'nogo' },
      { role: 'central', blocking: false, at: ['never'], expect: 'unknown' },
      { role: 'manual', blocking: false, at: ['unsigned'], expect: 'nogo' },
    ],
    expect: 'go',
  },
  {
    name: 'all items advisory and passing: GO',
    sites: 1,
    maintenance: false,
    items: [held('edge', false), held('manual', false)],
    expect: 'go',
  },
  {
    name: 'two sites: failing at one, passing at the other: the item is NO-GO',
    sites: 2,
    maintenance: false,
    items: [{ role: 'edge', blocking: true, at: ['held', 'failing'], expect: 'nogo' }, held('manual', true)],
    expect: 'nogo',
  },
  {
    name: 'two sites: never reported at one, passing at the other: UNKNOWN',
    sites: 2,
    maintenance: false,
    items: [{ role: 'edge', blocking: true, at: ['never', 'held'], expect: 'unknown' }, held('central', true, 2)],
    expect: 'unknown',
  },
  {
    name: 'two sites: stale at one, failing at the other: NO-GO',
    sites: 2,
    maintenance: false,
    items: [{ role: 'central', blocking: true, at: ['stale', 'failing'], expect: 'nogo' }, held('edge', true, 2)],
    expect: 'nogo',
  },
  {
    name: 'two sites in a maintenance window, everything failing: MAINTENANCE',
    sites: 2,
    maintenance: true,
    items: [
      { role: 'edge', blocking: true, at: ['failing', 'failing'], expect: 'maintenance' },
      { role: 'manual', blocking: true, at: ['unsigned'], expect: 'maintenance' },
    ],
    expect: 'maintenance',
  },
];

/** The whole table. */
export const STATE_CASES: readonly StateCase[] = Object.freeze([...singleItemCases(), ...MIXES]);

/**
 * The cases the promtool tests generated for an inventory carry (each costs promtool a few tenths
 * of a second): every case outside a window, and the windowed mix. The whole table runs in the
 * project's own tests, on an inventory made of it.
 */
export const GENERATED_CASES: readonly StateCase[] = Object.freeze(STATE_CASES.filter((c) => !c.maintenance || c.sites > 1));

// ---------------------------------------------------------------- situations made concrete

/** The timing of one evaluation: probe interval, freshness window, the item's `for`, the moment. */
export interface CaseClock {
  intervalSeconds: number;
  freshnessSeconds: number;
  forSeconds: number;
  /** The moment of evaluation, seconds from the start of the data. */
  at: number;
}

/** Situations that need an item whose `for` spans two probe intervals or more. */
export const NEEDS_LONG_FOR: ReadonlySet<Situation> = new Set(['new', 'recovering']);

/** When a `new` or `recovering` item started passing: inside its `for`, a whole interval after its window opens. */
export function passingSince(c: CaseClock): number {
  const back = Math.max(0, c.forSeconds - 2 * c.intervalSeconds);
  return c.at - Math.floor(back / c.intervalSeconds) * c.intervalSeconds;
}

/** The evidence as a series of 1 (passing), 0 (failing) or no sample, at time `t` (seconds). */
export function situationValue(s: Situation, c: CaseClock, t: number): number | undefined {
  switch (s) {
    case 'held':
    case 'signed':
      return 1;
    case 'failing':
    case 'unsigned':
      return 0;
    case 'new':
      return t >= passingSince(c) ? 1 : undefined;
    case 'recovering':
      return t >= passingSince(c) ? 1 : 0;
    case 'stale':
      return t <= c.at - c.freshnessSeconds - c.intervalSeconds ? 1 : undefined;
    case 'never':
      return undefined;
    case 'withdrawn':
      return t < c.at / 2 ? 1 : 0;
  }
}

/** The same evidence as the board's sample at the moment of evaluation. */
export function situationSample(s: Situation, c: CaseClock): Sample {
  const fresh = { ageSeconds: 1 };
  switch (s) {
    case 'held':
    case 'signed':
      return { ok: true, ...fresh, passingForSeconds: c.at };
    case 'failing':
    case 'unsigned':
    case 'withdrawn':
      return { ok: false, ...fresh };
    case 'new':
      return { ok: true, ...fresh, passingForSeconds: c.at - passingSince(c) };
    case 'recovering':
      return {
        ok: true,
        ...fresh,
        passingForSeconds: c.at - passingSince(c),
        lastFailedSecondsAgo: c.at - passingSince(c) + c.intervalSeconds,
      };
    case 'stale':
      return { ok: true, ageSeconds: c.freshnessSeconds + c.intervalSeconds, passingForSeconds: c.at };
    case 'never':
      return { ok: null, ageSeconds: null };
  }
}
