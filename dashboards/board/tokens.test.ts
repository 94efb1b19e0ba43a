import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { TokenBook, TokenCheckBusy } from './tokens.ts';

describe('TokenBook', () => {
  it('accepts clear tokens and bcrypt hashes, and names the team', async () => {
    const hash = bcrypt.hashSync('ttdl-secret-token-1234', 4);
    const book = TokenBook.parse(`ttdl: "${hash}"\nvinh: vinh-secret-token-1234\n`);
    expect(book.teams()).toEqual(['ttdl', 'vinh']);
    expect(await book.verify('ttdl-secret-token-1234', 'ttdl')).toBe('ttdl');
    expect(await book.verify('ttdl-secret-token-1234')).toBe('ttdl');
    expect(await book.verify('vinh-secret-token-1234')).toBe('vinh');
    expect(await book.verify('vinh-secret-token-1234', 'ttdl')).toBeUndefined();
    expect(await book.verify('wrong-token-000000000')).toBeUndefined();
    expect(await book.verify('')).toBeUndefined();
    expect(await book.verify('ttdl-secret-token-1234', 'nobody')).toBeUndefined();
  });

  it('refuses short tokens, bad team ids and non-maps, naming the file', () => {
    expect(() => TokenBook.parse('ttdl: short', 'tokens.yaml')).toThrow(/tokens.yaml: the token of team "ttdl" is shorter than 16/);
    expect(() => TokenBook.parse('Bad Team: long-enough-token-123', 'tokens.yaml')).toThrow(/is not a team id/);
    expect(() => TokenBook.parse('- a\n- b\n', 'tokens.yaml')).toThrow(/expected a map/);
    expect(() => TokenBook.parse('ttdl: 12345678901234567890', 'tokens.yaml')).toThrow(/must be a string/);
  });

  it('an empty book accepts nothing', async () => {
    expect(await TokenBook.empty().verify('anything-at-all-1234')).toBeUndefined();
  });

  it('a flood of wrong tokens from one client: one bcrypt check at a time and one waiting, the others TokenCheckBusy at once', async () => {
    const book = TokenBook.parse(`ttdl: "${bcrypt.hashSync('ttdl-secret-token-1234', 10)}"\n`);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => book.verify(`wrong-token-${i}-000000`, 'ttdl', '10.0.0.9')),
    );
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === undefined)).toHaveLength(2);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof TokenCheckBusy)).toHaveLength(8);
    expect(await book.verify('ttdl-secret-token-1234', 'ttdl')).toBe('ttdl');
  });
});
