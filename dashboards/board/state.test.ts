import { describe, expect, it } from 'vitest';
import { clockOffsetOk, judgeItem, unitState, worstOf } from './state.ts';

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
  it('never GO with nothing to judge', () => {
    expect(unitState([], false)).toBe('unknown');
    expect(unitState([b('nogo', false)], false)).toBe('unknown');
  });
});

describe('clockOffsetOk', () => {
  it('allows for half the round trip', () => {
    // Sent at 0, received at 2000: the agent's "now" of 3500 is 2.5 s ahead of the midpoint, 1.5 s beyond the uncertainty.
    expect(clockOffsetOk(0, 2000, 3500, 2).ok).toBe(true);
    expect(clockOffsetOk(0, 2000, 4100, 2).ok).toBe(false);
    expect(clockOffsetOk(0, 10, -5000, 2)).toMatchObject({ ok: false });
    expect(clockOffsetOk(1000, 1010, 1005, 2)).toEqual({ ok: true, offsetSeconds: 0 });
  });
});
