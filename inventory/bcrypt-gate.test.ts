// A BcryptGate never lets bcrypt take the process over: answers are remembered, new credentials
// are checked one at a time and within a share of the clock, the rest are `busy` at once.
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { BcryptGate } from './bcrypt-gate.ts';

// Cost 10, as Prometheus' documentation suggests: long enough that concurrent requests meet a check in flight.
const HASH = bcrypt.hashSync('s3cret', 10);

describe('BcryptGate', () => {
  it('checks one new secret at a time; one more from the same source waits its turn, the rest are busy, unchecked', async () => {
    const gate = new BcryptGate();
    const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => gate.check(`k${i}`, `wrong${i}`, HASH, '10.0.0.1')));
    expect(verdicts.filter((v) => v === 'denied')).toHaveLength(2);
    expect(verdicts.filter((v) => v === 'busy')).toHaveLength(18);
  });

  it('a flood from one source cannot keep another source out: the other waits its turn and is checked', async () => {
    const gate = new BcryptGate();
    let flooding = true;
    const flood = (async () => {
      for (let i = 0; flooding; i++) await gate.check(`f${i}`, `wrong${i}`, HASH, 'flood');
    })();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    expect(await gate.check('right', 's3cret', HASH, 'operator')).toBe('ok');
    expect(performance.now() - t0).toBeLessThan(4000);
    flooding = false;
    await flood;
  });

  it('answers what it has checked from memory, right or wrong, even while another check runs', async () => {
    const gate = new BcryptGate();
    expect(await gate.check('right', 's3cret', HASH)).toBe('ok');
    expect(await gate.check('wrong', 'nope', HASH)).toBe('denied');
    const running = gate.check('other', 'other', HASH);
    expect(await gate.check('right', 's3cret', HASH)).toBe('ok');
    expect(await gate.check('wrong', 'nope', HASH)).toBe('denied');
    const waits = gate.check('third', 'third', HASH);
    expect(await gate.check('fourth', 'fourth', HASH)).toBe('busy');
    expect(await running).toBe('denied');
    expect(await waits).toBe('denied');
  });

  it('stops checking new secrets once bcrypt has used its share of the clock', async () => {
    const gate = new BcryptGate({ share: 0.01, capMs: 1 });
    expect(await gate.check('w1', 'wrong1', HASH)).toBe('denied');
    // The check cost more than the credit, and 1 % of the clock refills it slowly: still busy, nothing running.
    expect(await gate.check('right', 's3cret', HASH)).toBe('busy');
  });

  it('forgets the oldest answers beyond its memory', async () => {
    const gate = new BcryptGate({ remember: 1 });
    expect(await gate.check('a', 'wrong-a', HASH)).toBe('denied');
    expect(await gate.check('b', 'wrong-b', HASH)).toBe('denied');
    const running = gate.check('c', 'wrong-c', HASH);
    expect(await gate.check('b', 'wrong-b', HASH)).toBe('denied'); // remembered
    expect(await gate.check('a', 'wrong-a', HASH)).toBe('denied'); // forgotten: checked again, after its turn
    await running;
  });
});
