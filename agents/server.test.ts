// The agent's basic auth: what cannot match is refused without running bcrypt; the rest goes
// through a BcryptGate (inventory/bcrypt-gate.test.ts tests the gate itself).
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { BcryptGate } from '../inventory/index.ts';
import { basicAuthCheck } from './server.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const auth = { username: 'prometheus', passwordHash: bcrypt.hashSync('s3cret', 4) };

describe('agent basic auth', () => {
  it('refuses without a check what cannot match: no header, another scheme, another user', async () => {
    const check = basicAuthCheck(auth, new BcryptGate({ capMs: 0 })); // no credit: any bcrypt check would be busy
    expect(await check(undefined)).toBe('denied');
    expect(await check('Bearer abc')).toBe('denied');
    expect(await check(basic('admin', 's3cret'))).toBe('denied');
    expect(await check(basic('prometheus', 's3cret'))).toBe('busy');
  });

  it('checks the password against the hash, one new header at a time: a second from the same client waits its turn, a third is busy', async () => {
    const check = basicAuthCheck(auth);
    const verdicts = await Promise.all([
      check(basic('prometheus', 's3cret'), '10.0.0.1'),
      check(basic('prometheus', 'wrong'), '10.0.0.1'),
      check(basic('prometheus', 'wrong2'), '10.0.0.1'),
    ]);
    expect(verdicts).toEqual(['ok', 'denied', 'busy']);
    expect(await check(basic('prometheus', 'wrong'))).toBe('denied');
    expect(await check(basic('prometheus', 's3cret'))).toBe('ok');
  });
});
