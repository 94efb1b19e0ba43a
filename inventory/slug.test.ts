import { describe, expect, it } from 'vitest';
import { MAX_SLUG_LENGTH, slugify, uniqueSlugs } from './slug.ts';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

describe('slugify', () => {
  it('maps Đ/đ to d, which NFD does not decompose', () => {
    expect('Đ'.normalize('NFD')).toBe('Đ');
    expect(slugify('Phường Đông Vĩnh')).toBe('phuong-dong-vinh');
    expect(slugify('ĐẶC KHU CÔN ĐẢO')).toBe('dac-khu-con-dao');
  });

  it('gives the same slug for NFC and NFD input', () => {
    const name = 'Xã Nghĩa Hưng';
    expect(slugify(name.normalize('NFD'))).toBe(slugify(name.normalize('NFC')));
    expect(slugify(name.normalize('NFD'))).toBe('xa-nghia-hung');
  });

  it('drops every Vietnamese tone and vowel mark', () => {
    expect(slugify('ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ỳýỷỹỵ')).toBe('aaaaa-aaaaa-eeeee-ooooo-ooooo-uuuuu-yyyyy');
  });

  it('folds punctuation and white space into single hyphens, none at the ends', () => {
    expect(slugify('  Tỉnh Bà Rịa - Vũng Tàu  ')).toBe('tinh-ba-ria-vung-tau');
    expect(slugify('Phường 15\n')).toBe('phuong-15');
    expect(slugify('--Xã  (Mới)--')).toBe('xa-moi');
  });

  it('joins apostrophes inside names instead of splitting on them', () => {
    expect(slugify("Xã Ea H'leo")).toBe('xa-ea-hleo');
    expect(slugify('Xã Cư M’gar')).toBe('xa-cu-mgar');
  });

  it('returns an empty string for a name without letters or digits', () => {
    expect(slugify('')).toBe('');
    expect(slugify(' — … ')).toBe('');
  });

  it('keeps at most 63 characters and never ends on a hyphen', () => {
    const long = slugify('Khu vực bãi bồi ven biển do huyện Kim Sơn quản lý '.repeat(3));
    expect(long.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(long).toMatch(SLUG);
    // A cut landing right after a word must not leave a trailing hyphen.
    expect(slugify(`${'a'.repeat(62)} b`)).toBe('a'.repeat(62));
  });
});

describe('uniqueSlugs', () => {
  const tanThanh = [
    { key: 'k1', name: 'Xã Tân Thành', code: '12345' },
    { key: 'k2', name: 'Xã Tân Thành', code: '00321' },
    { key: 'k3', name: 'Phường Đông Vĩnh', code: '16678' },
  ];

  it('keeps plain slugs and appends the code to every member of a clash', () => {
    expect(Object.fromEntries(uniqueSlugs(tanThanh))).toEqual({
      k1: 'xa-tan-thanh-12345',
      k2: 'xa-tan-thanh-00321',
      k3: 'phuong-dong-vinh',
    });
  });

  it('does not depend on input order', () => {
    const forward = uniqueSlugs(tanThanh);
    const backward = uniqueSlugs([...tanThanh].reverse());
    expect(Object.fromEntries(backward)).toEqual(Object.fromEntries(forward));
  });

  it('treats NFD and NFC spellings of one name as a clash', () => {
    const map = uniqueSlugs([
      { key: 'a', name: 'Phường Từ Sơn'.normalize('NFD'), code: '09367' },
      { key: 'b', name: 'Phường Từ Sơn', code: '09999' },
    ]);
    expect([...map.values()]).toEqual(['phuong-tu-son-09367', 'phuong-tu-son-09999']);
  });

  it('falls back to the code when the name has no letters', () => {
    expect(uniqueSlugs([{ key: 'x', name: '???', code: '00004' }]).get('x')).toBe('00004');
  });

  it('resolves a code suffix that collides with another plain slug', () => {
    const items = [
      { key: 'a', name: 'Xã Tân Thành', code: '1' },
      { key: 'b', name: 'Xã Tân Thành', code: '2' },
      { key: 'c', name: 'Xã Tân Thành 1', code: '3' },
    ];
    const slugs = [...uniqueSlugs(items).values()];
    expect(new Set(slugs).size).toBe(3);
    for (const s of slugs) expect(s).toMatch(SLUG);
    expect(Object.fromEntries(uniqueSlugs([...items].reverse()))).toEqual(Object.fromEntries(uniqueSlugs(items)));
  });

  it('numbers items whose name and code are both equal, in key order', () => {
    const items = [
      { key: 'z', name: 'Xã A', code: '7' },
      { key: 'y', name: 'Xã A', code: '7' },
    ];
    expect(Object.fromEntries(uniqueSlugs(items))).toEqual({
      y: 'xa-a-7-1',
      z: 'xa-a-7-2',
    });
  });

  it('shortens the name, never the code, to stay within 63 characters', () => {
    const name = `Xã ${'Rất Dài '.repeat(12)}`;
    const map = uniqueSlugs([
      { key: 'a', name, code: '12345' },
      { key: 'b', name, code: '67890' },
    ]);
    for (const s of map.values()) {
      expect(s.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
      expect(s).toMatch(SLUG);
    }
    expect(map.get('a')).toMatch(/-12345$/);
    expect(map.get('b')).toMatch(/-67890$/);
  });

  it('rejects duplicate keys', () => {
    expect(() =>
      uniqueSlugs([
        { key: 'a', name: 'Xã A', code: '1' },
        { key: 'a', name: 'Xã B', code: '2' },
      ]),
    ).toThrow(/duplicate key "a"/);
  });
});
