// The week report's arithmetic on timelines small enough to count by hand (one sample a minute).
import { describe, expect, it } from 'vitest';
import { computeFigures, gridLength, type Acknowledgement, type ReportInput, type Timeline } from './figures.ts';

const T0 = Date.parse('2025-07-01T00:00:00+07:00');
const min = (m: number) => T0 + m * 60_000;
const iso = (m: number) => new Date(min(m)).toISOString();
/** "GGNN?M-" → codes: G go, N nogo, ? unknown, M maintenance, - no sample. */
const tl = (s: string): Timeline => [...s].map((c) => ({ G: 0, '?': 1, N: 2, M: 3 })[c] ?? null);
const flags = (s: string) => [...s].map((c) => c === 'x');

function input(o: Partial<ReportInput> & { minutes: number }): ReportInput {
  return {
    grid: { fromMs: T0, toMs: min(o.minutes), stepMs: 60_000 },
    units: o.units ?? ['a', 'b'],
    unitCodes: o.unitCodes ?? new Map(),
    itemNogo: o.itemNogo ?? new Map(),
    incidents: o.incidents ?? new Map(),
    acks: o.acks ?? [],
  };
}

describe('week report figures', () => {
  it('share of time GO outside maintenance, minutes per state, no sample counted as UNKNOWN', () => {
    const f = computeFigures(input({ minutes: 10, unitCodes: new Map([['a', tl('GGGGNN?-MM')]]) }));
    const a = f.units.find((u) => u.unit === 'a')!;
    expect(a).toMatchObject({ goMinutes: 4, nogoMinutes: 2, unknownMinutes: 2, maintenanceMinutes: 2, nogoEpisodes: 1, nogoAtEnd: false });
    expect(a.goShare).toBe(0.5);
    // Unit b has no sample at all: UNKNOWN throughout, never GO, and named as without data.
    const b = f.units.find((u) => u.unit === 'b')!;
    expect(b).toMatchObject({ goShare: 0, unknownMinutes: 10, goMinutes: 0 });
    expect(f.unitsWithoutData).toEqual(['b']);
    // Worst first: b (0 %) before a (50 %).
    expect(f.units.map((u) => u.unit)).toEqual(['b', 'a']);
  });

  it('time to recover: from turning NO-GO to the next GO, UNKNOWN between included; an episode not seen whole is not measured', () => {
    const f = computeFigures(input({ minutes: 20, units: ['a'], unitCodes: new Map([['a', tl('NNGGNN??GGGNGGGGNNNN')]]) }));
    const a = f.units[0]!;
    // Episodes: at 0 (already NO-GO: not measured), at 4 (GO at 8: 4 min), at 11 (GO at 12: 1 min), at 16 (still NO-GO).
    expect(a.nogoEpisodes).toBe(4);
    expect(a.recoveries).toEqual([4, 1]);
    expect(a.recoverMeanMinutes).toBe(2.5);
    expect(a.recoverMaxMinutes).toBe(4);
    expect(a.nogoAtEnd).toBe(true);
    expect(a.nogoMinutes).toBe(9);
  });

  it('a maintenance window inside an episode does not end it; all maintenance gives no share', () => {
    const f = computeFigures(
      input({
        minutes: 6,
        units: ['a', 'b'],
        unitCodes: new Map([
          ['a', tl('GNMMGG')],
          ['b', tl('MMMMMM')],
        ]),
      }),
    );
    expect(f.units.find((u) => u.unit === 'a')!.recoveries).toEqual([3]);
    expect(f.units.find((u) => u.unit === 'b')!.goShare).toBeNull();
  });

  it('a last sample cut short by the end of the period counts only its part', () => {
    const i = input({ minutes: 3, units: ['a'], unitCodes: new Map([['a', tl('GGNN')]]) });
    const f = computeFigures({ ...i, grid: { ...i.grid, toMs: min(3.5) } });
    expect(gridLength(f.grid)).toBe(4);
    expect(f.units[0]).toMatchObject({ goMinutes: 2, nogoMinutes: 1.5 });
  });

  it('incidents: runs of the incident series, the units NO-GO on the item during each, their acknowledgements', () => {
    const acks: Acknowledgement[] = [
      { check: 'reach-lgsp', who: 'Lan', team: 'ttdl', note: 'gọi nhà cung cấp', at: iso(4) },
      { unit: 'b', check: 'reach-lgsp', who: 'Minh', team: 'vinh', note: '', at: iso(5) },
      // Another unit's ack of the item, and one after the incident: not the incident's.
      { unit: 'c', check: 'reach-lgsp', who: 'X', team: 'x', note: '', at: iso(5) },
      { check: 'reach-lgsp', who: 'Late', team: 'ttdl', note: '', at: iso(9) },
    ];
    const f = computeFigures(
      input({
        minutes: 12,
        units: ['a', 'b', 'c'],
        unitCodes: new Map([
          ['a', tl('GGNNNNNNGGGG')],
          ['b', tl('GGNNNNNNGGGG')],
          ['c', tl('GGGGGGGGGGGG')],
        ]),
        itemNogo: new Map([
          ['a', new Map([['reach-lgsp', flags('..xxxxxx....')]])],
          ['b', new Map([['reach-lgsp', flags('..xxxxxx....')]])],
          ['c', new Map([['dns', flags('x...........')]])],
        ]),
        incidents: new Map([['reach-lgsp', tl('---N-NNN----').map((v) => (v === null ? null : v))]]),
        acks,
      }),
    );
    // Two runs: minute 3 alone, then 5–8.
    expect(f.incidents.map((x) => [x.startMs, x.endMs, x.minutes, x.beganBefore])).toEqual([
      [min(3), min(4), 1, false],
      [min(5), min(8), 3, false],
    ]);
    expect(f.incidents[1]!.units).toEqual(['a', 'b']);
    expect(f.incidents[1]!.acks.map((a) => a.who)).toEqual(['Minh']);
    expect(f.incidents[1]!.firstAckMinutes).toBe(0);
    expect(f.incidents[0]!.acks).toEqual([]);
    expect(f.units.find((u) => u.unit === 'a')!.incidents).toBe(2);
    expect(f.units.find((u) => u.unit === 'c')!.incidents).toBe(0);
    expect(f.units.find((u) => u.unit === 'b')!.acknowledgements).toBe(1);
    // Items: reach-lgsp 6 + 6 unit-minutes at two units, dns 1 at one.
    expect(f.items).toEqual([
      { check: 'reach-lgsp', unitMinutes: 12, units: ['a', 'b'], episodes: 2 },
      { check: 'dns', unitMinutes: 1, units: ['c'], episodes: 1 },
    ]);
    expect(f.units.find((u) => u.unit === 'c')!.topItems).toEqual([{ check: 'dns', minutes: 1 }]);
  });

  it('an incident raised when the period starts and still raised at its end', () => {
    const f = computeFigures(input({ minutes: 4, units: ['a'], incidents: new Map([['dns', tl('NNNN').map(() => 3)]]) }));
    expect(f.incidents[0]).toMatchObject({ beganBefore: true, endMs: null, minutes: 4, peakUnits: 3, units: [] });
  });
});
