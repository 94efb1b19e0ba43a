import { describe, expect, it } from 'vitest';
import { SinceTracker } from './history.ts';

describe('SinceTracker', () => {
  it('keeps when a slot entered its state, taking an earlier hint', () => {
    const t = new SinceTracker();
    expect(t.at(0, 'nogo', 5000, 2000).since).toBe(2000);
    expect(t.at(0, 'nogo', 9000).since).toBe(2000);
    expect(t.at(0, 'go', 9000, 1000).since).toBe(9000); // a hint before the last change is ignored
  });

  it('records unit changes, and after a restore keeps "since" of a unit still in the same state', () => {
    const t = new SinceTracker();
    const seen: string[] = [];
    t.onChange = (c) => seen.push(`${c.unit}:${c.from}->${c.to}`);
    t.unit(0, '16681', 'unknown', 1000);
    t.unit(0, '16681', 'go', 2000);
    t.unit(0, '16681', 'go', 3000);
    expect(seen).toEqual(['16681:null->unknown', '16681:unknown->go']);
    const restarted = new SinceTracker();
    restarted.restore(t.changesBetween(0, 10_000));
    const seen2: string[] = [];
    restarted.onChange = (c) => seen2.push(`${c.unit}:${c.from}->${c.to}`);
    expect(restarted.unit(0, '16681', 'go', 50_000)).toBe(new Date(2000).toISOString());
    restarted.unit(1, '16690', 'nogo', 50_000);
    restarted.unit(0, '16681', 'nogo', 60_000);
    expect(seen2).toEqual(['16690:null->nogo', '16681:go->nogo']);
    expect(restarted.changesBetween(0, 100_000)).toHaveLength(4);
  });

  it('a restart adds no noise rows: UNKNOWN for want of history while warming up is no change; a change says why', () => {
    const t = new SinceTracker();
    t.unit(0, '16681', 'go', 1000, () => []);
    const restarted = new SinceTracker();
    restarted.restore(t.changesBetween(0, 10_000));
    restarted.warmUntilMs = 100_000;
    const seen: string[] = [];
    restarted.onChange = (c) => seen.push(`${c.unit}:${c.from}->${c.to} ${JSON.stringify(c.why)}`);
    restarted.unit(0, '16681', 'unknown', 50_000, () => [{ check: 'agent-up', state: 'unknown' }]);
    restarted.unit(0, '16681', 'go', 60_000, () => []);
    expect(seen).toEqual([]);
    expect(restarted.unit(0, '16681', 'go', 61_000)).toBe(new Date(1000).toISOString());
    // A real change, even while warming up, is kept with its reason.
    restarted.unit(0, '16681', 'nogo', 70_000, () => [{ check: 'dns', state: 'nogo' }]);
    expect(seen).toEqual(['16681:go->nogo [{"check":"dns","state":"nogo"}]']);
    // Past the warm-up, UNKNOWN is a change like any other.
    restarted.unit(0, '16681', 'unknown', 200_000, () => [{ check: 'agent-up', state: 'unknown' }]);
    expect(seen).toHaveLength(2);
  });
});
