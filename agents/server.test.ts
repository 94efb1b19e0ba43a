// Basic auth never lets bcrypt take the agent over: headers seen before are answered from
// memory, and new ones are checked one at a time within a share of the agent's time.
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { basicAuthCheck } from './server.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
// Cost 10, as Prometheus' documentation suggests: long enough that concurrent requests meet a check in flight.
const auth = { username: 'prometheus', passwordHash: bcrypt.hashSync('s3cret', 10) };

describe('basic auth', () => {
  it('checks one new header at a time: the rest get busy, unchecked', async () => {
    const check = basicAuthCheck(auth);
    const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => check(basic('prometheus', `wrong${i}`))));
    expect(verdicts.filter((v) => v === 'denied')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'busy')).toHaveLength(19);
  });

  it('answers headers already checked from memory, even while another check runs', async () => {
    const check = basicAuthCheck(auth);
    expect(await check(basic('prometheus', 's3cret'))).toBe('ok');
    expect(await check(basic('prometheus', 'wrong'))).toBe('denied');
    const running = check(basic('prometheus', 'other'));
    expect(await check(basic('prometheus', 's3cret'))).toBe('ok');
    expect(await check(basic('prometheus', 'wrong'))).toBe('denied');
    expect(await check(basic('prometheus', 'third'))).toBe('busy');
    expect(await running).toBe('denied');
  });

  it('refuses without a check what cannot match: no header, another scheme, another user', async () => {
    const check = basicAuthCheck(auth, { capMs: 0 }); // no credit: any bcrypt check would say busy
    expect(await check(undefined)).toBe('denied');
    expect(await check('Bearer abc')).toBe('denied');
    expect(await check(basic('admin', 's3cret'))).toBe('denied');
    expect(await check(basic('prometheus', 's3cret'))).toBe('busy');
  });

  it('stops checking new headers once bcrypt has used its share of the time', async () => {
    const check = basicAuthCheck(auth, { share: 0.01, capMs: 1 });
    expect(await check(basic('prometheus', 'wrong1'))).toBe('denied');
    // The check cost more than the credit and 1 % of the clock refills it slowly: nothing runs, still busy.
    expect(await check(basic('prometheus', 's3cret'))).toBe('busy');
  });
});
