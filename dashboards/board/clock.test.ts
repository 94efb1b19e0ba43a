import { describe, expect, it } from 'vitest';
import { clockOffsetOk } from './clock.ts';

describe('clockOffsetOk', () => {
  it('allows for half the round trip', () => {
    // Sent at 0, received at 2000: the agent's "now" of 3500 is 2.5 s ahead of the midpoint, 1.5 s beyond the uncertainty.
    expect(clockOffsetOk(0, 2000, 3500, 2).ok).toBe(true);
    expect(clockOffsetOk(0, 2000, 4100, 2).ok).toBe(false);
    expect(clockOffsetOk(0, 10, -5000, 2)).toMatchObject({ ok: false });
    expect(clockOffsetOk(1000, 1010, 1005, 2)).toEqual({ ok: true, offsetSeconds: 0 });
  });
});
