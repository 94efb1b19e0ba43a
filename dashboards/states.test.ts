import { describe, expect, it } from 'vitest';
import { buildCatalog } from './board/catalog.ts';
import { evaluateUnit, type EvalContext, type SiteInputs } from './board/evaluate.ts';
import { SinceTracker } from './board/history.ts';
import { allWindows, MaintenanceIndex } from './board/maintenance.ts';
import type { SignoffEntry } from './board/store.ts';
import { situationSample, STATE_CASES } from './state-cases.ts';
import { judgeItem, unitState, worstOf } from './states.ts';
import { caseInventory, caseItemId } from './testing-cases.ts';

const rule = { freshnessSeconds: 45, forSeconds: 60 };

describe('judgeItem: the four states of an item', () => {
  it('is UNKNOWN without a sample, or with a stale one', () => {
    expect(judgeItem({ ok: null, ageSeconds: 1 }, rule)).toBe('unknown');
    expect(judgeItem({ ok: true, ageSeconds: null }, rule)).toBe('unknown');
    expect(judgeItem({ ok: true, ageSeconds: 46 }, rule)).toBe('unknown');
    expect(judgeItem({ ok: false, ageSeconds: 46 }, rule)).toBe('unknown');
  });
  it('is NO-GO when fresh and failing', () => {
    expect(judgeItem({ ok: false, ageSeconds: 0 }, rule)).toBe('nogo');
    expect(judgeItem({ ok: false, ageSeconds: 45 }, rule)).toBe('nogo');
  });
  it('is GO only when fresh and passing over its whole `for`', () => {
    expect(judgeItem({ ok: true, ageSeconds: 3, passingForSeconds: 60 }, rule)).toBe('go');
    expect(judgeItem({ ok: true, ageSeconds: 3, passingForSeconds: 600, lastFailedSecondsAgo: 61 }, rule)).toBe('go');
    expect(judgeItem({ ok: true, ageSeconds: 3, passingForSeconds: 0 }, { freshnessSeconds: 45, forSeconds: 0 })).toBe('go');
  });
  it('is NO-GO when passing again but failed within its `for` (recovering)', () => {
    expect(judgeItem({ ok: true, ageSeconds: 3, passingForSeconds: 30, lastFailedSecondsAgo: 30 }, rule)).toBe('nogo');
  });
  it('is UNKNOWN when passing for less than its `for` with no failure seen (e.g. just started)', () => {
    expect(judgeItem({ ok: true, ageSeconds: 3, passingForSeconds: 59 }, rule)).toBe('unknown');
    expect(judgeItem({ ok: true, ageSeconds: 3 }, rule)).toBe('unknown');
    expect(judgeItem({ ok: true, ageSeconds: 3, passingForSeconds: null }, rule)).toBe('unknown');
  });
  it('is MAINTENANCE inside a window, whatever the data', () => {
    expect(judgeItem({ ok: false, ageSeconds: 0 }, rule, true)).toBe('maintenance');
    expect(judgeItem({ ok: null, ageSeconds: null }, rule, true)).toBe('maintenance');
  });
});

describe('worstOf: an item of a unit over its sites', () => {
  it('orders NO-GO > UNKNOWN > GO, ignores sites in maintenance unless all are', () => {
    expect(worstOf(['go', 'unknown', 'nogo'])).toBe('nogo');
    expect(worstOf(['go', 'unknown'])).toBe('unknown');
    expect(worstOf(['go', 'go'])).toBe('go');
    expect(worstOf(['go', 'maintenance'])).toBe('go');
    expect(worstOf(['maintenance', 'maintenance'])).toBe('maintenance');
    expect(worstOf([])).toBe('unknown');
  });
});

describe('unitState: one rule for the unit', () => {
  const b = (state: 'go' | 'nogo' | 'unknown' | 'maintenance', blocking = true) => ({ state, blocking });
  it('MAINTENANCE in a window, even with failing items', () => {
    expect(unitState([b('nogo')], true)).toBe('maintenance');
  });
  it('NO-GO if any blocking item is NO-GO, before UNKNOWN', () => {
    expect(unitState([b('go'), b('unknown'), b('nogo')], false)).toBe('nogo');
  });
  it('UNKNOWN if any blocking item is UNKNOWN', () => {
    expect(unitState([b('go'), b('unknown')], false)).toBe('unknown');
  });
  it('GO when every blocking item is GO; advisory items do not block', () => {
    expect(unitState([b('go'), b('nogo', false), b('unknown', false)], false)).toBe('go');
  });
  it('UNKNOWN with nothing to judge; GO when only advisory items fail (the all-advisory unit)', () => {
    expect(unitState([], false)).toBe('unknown');
    expect(unitState([b('nogo', false)], false)).toBe('go');
    expect(unitState([b('unknown', false)], false)).toBe('go');
  });
});

describe('the case table, through the board', () => {
  // Every case of state-cases.ts is a unit of this inventory; the board's own evaluation
  // (evaluateUnit, manual items from sign-off entries, windows from the inventory) must give the
  // table's answer for every item and the unit. dashboards/rules/cases.test.ts holds the
  // recording rules to the same table under promtool.
  const now = Date.parse('2025-07-01T08:00:00Z');
  const { inv, units } = caseInventory(STATE_CASES, new Date(now));
  const catalog = buildCatalog(inv);
  const interval = catalog.intervalSeconds;

  for (const { unit, case: c } of units) {
    it(c.name, () => {
      const cu = catalog.byCode.get(unit.code)!;
      const situationOf = (check: string, site: number) => {
        const n = c.items.findIndex((_, i) => caseItemId(c, i) === check);
        return c.items[n]!.at[site]!;
      };
      const clock = (check: string) => ({
        intervalSeconds: interval,
        freshnessSeconds: catalog.freshnessSeconds,
        forSeconds: cu.items.get(check)!.forSeconds,
        at: 180,
      });
      const inputs: SiteInputs = {
        sample: (cs, item) => situationSample(situationOf(item.id, cu.sites.indexOf(cs)), clock(item.id)),
        links: () => [],
      };
      const signoff = (_unit: string, check: string): SignoffEntry | undefined => {
        const s = situationOf(check, 0);
        if (s === 'unsigned') return undefined;
        return {
          id: 'e',
          type: 'signoff',
          unit: unit.code,
          check,
          signed: s === 'signed',
          who: 'Thử',
          team: 't',
          note: '',
          at: new Date(now - 60_000).toISOString(),
          origin: 'test',
        };
      };
      const ctx: EvalContext = {
        nowMs: now,
        catalog,
        maintenance: new MaintenanceIndex(allWindows(inv, []), now),
        signoff,
        tracker: new SinceTracker(),
      };
      const view = evaluateUnit(cu, inputs, ctx);
      const got = Object.fromEntries(view.items.map((i) => [i.check, i.state]));
      const want = Object.fromEntries(c.items.map((ci, n) => [caseItemId(c, n), ci.expect]));
      expect({ items: got, unit: view.state }).toEqual({ items: want, unit: c.expect });
    });
  }
});
