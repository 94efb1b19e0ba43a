import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NsoParseError,
  findProvince,
  normaliseProvinceCode,
  noteFlags,
  parseNsoCsv,
  type NsoOldUnit,
  type NsoTable,
  type NsoUnit,
} from './nso.ts';
import { slugify, uniqueSlugs } from './slug.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CSV_PATH = path.resolve(repoRoot, '../shared/data/nso-dvhc-2025-07.csv');

let text: string;
let table: NsoTable;
let units: NsoUnit[];
let rows: NsoOldUnit[];

beforeAll(() => {
  text = readFileSync(CSV_PATH, 'utf8');
  table = parseNsoCsv(text, CSV_PATH);
  units = table.provinces.flatMap((p) => p.units);
  rows = units.flatMap((u) => u.mergedFrom);
});

const unit = (code: string): NsoUnit => {
  const found = units.find((u) => u.code === code);
  if (!found) throw new Error(`unit ${code} not found`);
  return found;
};

/** Physical line n (1-based) of the raw file. */
const rawLine = (n: number): string => text.split('\n')[n - 1] ?? '';

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('the published table', () => {
  it('has 34 provinces and 3,321 new units built from 10,571 rows', () => {
    expect(table.provinces).toHaveLength(34);
    expect(units).toHaveLength(3321);
    expect(rows).toHaveLength(10571);
    expect(new Set(units.map((u) => u.code)).size).toBe(3321);
  });

  it('counts the units of Hà Nội, Nghệ An, TP Hồ Chí Minh and Thanh Hóa', () => {
    const count = (code: string): number => findProvince(table, code).units.length;
    expect(findProvince(table, '01').name).toBe('Thành phố Hà Nội');
    expect(count('01')).toBe(126);
    expect(count('40')).toBe(130);
    expect(count('79')).toBe(168);
    expect(count('38')).toBe(166);
  });

  it('keeps provinces and units in file order', () => {
    expect(table.provinces[0]?.code).toBe('01');
    expect(table.provinces.at(-1)?.code).toBe('96');
    for (const p of table.provinces) {
      const lines = p.units.map((u) => u.line);
      expect(lines).toEqual([...lines].sort((a, b) => a - b));
    }
  });

  it('builds Phường Ba Đình (00004) from Trúc Bạch, Quán Thánh and others', () => {
    const baDinh = unit('00004');
    expect(baDinh).toMatchObject({
      name: 'Phường Ba Đình',
      kind: 'phuong',
      line: 4,
    });
    expect(baDinh.province).toEqual({ code: '01', name: 'Thành phố Hà Nội' });
    expect(baDinh.mergedFrom).toHaveLength(10);
    expect(baDinh.mergedFrom).toContainEqual(
      expect.objectContaining({
        code: '00004',
        name: 'Phường Trúc Bạch',
        note: 'Nhập toàn bộ',
      }),
    );
    expect(baDinh.mergedFrom).toContainEqual(expect.objectContaining({ code: '00013', name: 'Phường Quán Thánh' }));
    expect(baDinh.mergedFrom[0]).toMatchObject({
      district: { code: '001', name: 'Quận Ba Đình' },
      oldProvince: { code: '01', name: 'Thành phố Hà Nội' },
      line: 4,
    });
  });

  it('keeps leading zeros in codes', () => {
    expect(units.every((u) => /^\d{5}$/.test(u.code))).toBe(true);
    expect(rows.every((r) => r.code === null || /^\d{5}$/.test(r.code))).toBe(true);
  });

  it('has 441 old units (by code) split across several new units', () => {
    const newUnitsByOldCode = new Map<string | null, Set<string>>();
    for (const u of units) {
      for (const r of u.mergedFrom) {
        newUnitsByOldCode.set(r.code, (newUnitsByOldCode.get(r.code) ?? new Set()).add(u.code));
      }
    }
    const split = [...newUnitsByOldCode].filter(([, s]) => s.size > 1);
    expect(split.filter(([code]) => code !== null)).toHaveLength(441);
    // The README's 442 counts the rows without an old code as one more "old unit".
    expect(split).toHaveLength(442);
    expect(newUnitsByOldCode.get('00016')).toEqual(new Set(['00004', '00008']));
  });

  it('assigns the units under the section line "Tỉnh Bắc Ninh (24)" to Phú Thọ (25)', () => {
    const sectionLine = text.split('\n').indexOf('Tỉnh Bắc Ninh (24),,,,,,,,') + 1;
    expect(sectionLine).toBeGreaterThan(0);
    const first = units.find((u) => u.line === sectionLine + 1);
    expect(first?.province).toEqual({ code: '25', name: 'Tỉnh Phú Thọ' });
    const phuTho = findProvince(table, '25');
    expect(phuTho.units).toHaveLength(148);
    expect(phuTho.units.every((u) => u.province.code === '25')).toBe(true);
    expect(findProvince(table, '24').units).toHaveLength(99);
  });

  it('makes the special-zone units dac_khu and keeps their code-less rows', () => {
    const zoneRows = units.flatMap((u) => u.mergedFrom.filter((r) => r.flags.specialZone).map(() => u));
    expect(zoneRows).toHaveLength(6);
    expect(zoneRows.every((u) => u.kind === 'dac_khu')).toBe(true);
    // 13 đặc khu in all: the other 7 are merged from named communes the usual way.
    expect(units.filter((u) => u.kind === 'dac_khu')).toHaveLength(13);

    const conDao = unit('26732');
    expect(conDao).toMatchObject({ name: 'Đặc khu Côn Đảo', line: 9495 });
    expect(conDao.mergedFrom).toEqual([
      expect.objectContaining({
        code: null,
        name: null,
        district: { code: '755', name: 'Huyện Côn Đảo' },
        oldProvince: { code: '77', name: 'Tỉnh Bà Rịa - Vũng Tàu' },
      }),
    ]);
    expect(rows.filter((r) => r.code === null && r.name === null)).toHaveLength(5);
    expect(unit('31105').mergedFrom[0]).toMatchObject({
      code: '31105',
      name: 'Xã Thổ Châu',
    });
  });

  it('keeps the Kim Sơn coastal strip, which has a name but no code', () => {
    const strip = rows.find((r) => r.name?.startsWith('Khu vực bãi bồi'));
    expect(strip).toMatchObject({
      code: null,
      flags: { whole: true, part: false },
    });
  });

  it('reads multi-line cells and reports the physical line of each record', () => {
    expect(text.split('\n')).toHaveLength(11486); // 11,485 lines and a final newline
    expect(rawLine(9495)).toContain('"Đặc khu Côn Đảo');
    expect(units.filter((u) => u.name !== u.name.replace(/\s+/g, ' ').trim())).toEqual([]);
    expect(rows.at(-1)?.line).toBe(11485);
  });

  it('normalises names to NFC', () => {
    const tuSon = unit('09367');
    expect(rawLine(tuSon.line)).not.toBe(rawLine(tuSon.line).normalize('NFC'));
    expect(tuSon.name).toBe('Phường Từ Sơn'.normalize('NFC'));
    for (const u of units) expect(u.name).toBe(u.name.normalize('NFC'));
    for (const r of rows) expect(r.name ?? '').toBe((r.name ?? '').normalize('NFC'));
  });

  it('takes the kind from the name, misspelt "Xa Ea Kly" included', () => {
    expect(countBy(units, (u) => u.kind)).toEqual(
      new Map([
        ['phuong', 687],
        ['xa', 2621],
        ['dac_khu', 13],
      ]),
    );
    expect(unit('24496')).toMatchObject({ name: 'Xa Ea Kly', kind: 'xa' });
  });

  it('keeps the first spelling when rows of one unit disagree', () => {
    // Row 1 spells "Thụy", the three later rows "Thuỵ" (tone mark placed differently).
    expect(new Set(unit('05941').mergedFrom.map((r) => r.line)).size).toBe(4);
    expect(unit('05941').name).toBe('Xã Điềm Thụy');
  });
});

describe('notes', () => {
  const published: Record<string, number> = {
    'Nhập toàn bộ': 9464,
    'Nhập một phần': 823,
    'Giữ nguyên': 127,
    'Nhập một phần diện tích': 82,
    'Nhập một phần diện tích, toàn bộ dân số': 58,
    'Đổi loại hình': 2,
    'Nhập một phần dân số': 2,
    'Đổi tên': 2,
    'Nhâp một phần diện tích': 1,
    'Nhập toàn bộ diện tích': 1,
    'Phần còn lại sau khi tách một phần vào xã Canh Vinh': 1,
    'Đổi tên từ một phần Phường 15': 1,
    'Đổi tên, đổi loại hình từ một phần thị trấn Lai Uyên': 1,
  };

  it('are kept as published, white space folded (counts as in the README)', () => {
    const counts = countBy(rows, (r) => (r.note.startsWith('Sắp xếp toàn bộ') ? 'special' : r.note));
    expect(Object.fromEntries(counts)).toEqual({ ...published, special: 6 });
  });

  it('give consistent flag counts', () => {
    const flagCount = (f: keyof NsoOldUnit['flags']): number => rows.filter((r) => r.flags[f]).length;
    // Part-like: 823 + 82 + 58 + 2 + 1 + 1 + 1 + 1.
    expect(flagCount('part')).toBe(969);
    // Whole: 9,464 + 1 "toàn bộ diện tích" + 127 unchanged + 2 renamed + 2 type changed + 6 zones.
    expect(flagCount('whole')).toBe(9602);
    expect(flagCount('unchanged')).toBe(127);
    expect(flagCount('renamed')).toBe(4);
    expect(flagCount('typeChanged')).toBe(3);
    expect(flagCount('specialZone')).toBe(6);
    expect(rows.every((r) => r.flags.whole !== r.flags.part)).toBe(true);
  });

  it('are read from the text, typos included', () => {
    expect(noteFlags('Nhâp một phần diện tích')).toMatchObject({
      part: true,
      whole: false,
    });
    expect(noteFlags('Nhập một phần diện tích, toàn bộ dân số')).toMatchObject({
      part: true,
      whole: false,
    });
    expect(noteFlags('Giữ nguyên')).toMatchObject({
      unchanged: true,
      whole: true,
    });
    expect(noteFlags('Đổi tên, đổi loại hình từ một phần thị trấn Lai Uyên')).toEqual({
      whole: false,
      part: true,
      unchanged: false,
      renamed: true,
      typeChanged: true,
      specialZone: false,
    });
    expect(noteFlags('Sắp xếp toàn bộ huyện Lý Sơn thành đặc khu Lý Sơn')).toMatchObject({
      specialZone: true,
      whole: true,
    });
    expect(noteFlags('Phần còn lại sau khi tách một phần vào xã Canh Vinh').part).toBe(true);
  });
});

describe('slugs of the whole country', () => {
  it('are unique and DNS/Prometheus/Terraform safe', () => {
    const slugs = uniqueSlugs(units.map((u) => ({ key: u.code, name: u.name, code: u.code })));
    const values = [...slugs.values()];
    expect(values).toHaveLength(3321);
    expect(new Set(values).size).toBe(3321);
    for (const s of values) {
      expect(s).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(s.length).toBeLessThanOrEqual(63);
    }
    // Tân Thanh, Tân Thành and Tân Thạnh share one slug: 13 units (7 spelt "Tân Thành").
    expect(units.filter((u) => u.name === 'Xã Tân Thành')).toHaveLength(7);
    const tanThanh = units.filter((u) => slugify(u.name) === 'xa-tan-thanh');
    expect(tanThanh).toHaveLength(13);
    for (const u of tanThanh) expect(slugs.get(u.code)).toBe(`xa-tan-thanh-${u.code}`);
    expect(slugs.get('00004')).toBe('phuong-ba-dinh');
  });

  it('collide for 293 names once diacritics go (246 names recur exactly)', () => {
    const recurring = (key: (u: NsoUnit) => string): number => [...countBy(units, key).values()].filter((n) => n > 1).length;
    expect(recurring((u) => u.name)).toBe(246);
    expect(recurring((u) => slugify(u.name))).toBe(293);
  });

  it('turns "Phường Đông Vĩnh" into phuong-dong-vinh', () => {
    expect(slugify('Phường Đông Vĩnh')).toBe('phuong-dong-vinh');
  });
});

describe('findProvince and normaliseProvinceCode', () => {
  it('accepts codes with or without the leading zero', () => {
    expect(findProvince(table, '1')).toBe(findProvince(table, '01'));
    expect(normaliseProvinceCode('1')).toBe('01');
    expect(normaliseProvinceCode('001')).toBe('01');
    expect(normaliseProvinceCode(' 79 ')).toBe('79');
  });

  it('rejects codes that are not numbers', () => {
    for (const bad of ['', 'x', '-1', '1.0']) expect(() => normaliseProvinceCode(bad)).toThrow(/not a number/);
  });

  it('lists the existing codes and names when the code is unknown', () => {
    expect(() => findProvince(table, '99')).toThrow(/"99".*01 Thành phố Hà Nội, 04 Tỉnh Cao Bằng.*96 Tỉnh Cà Mau/);
    expect(() => findProvince(table, 'abc')).toThrow(/25 Tỉnh Phú Thọ/);
  });
});

// ---------------------------------------------------------------------------------------
// Small synthetic files

const GROUP_HEADER = 'Đơn vị hành chính từ ngày 01/7/2025,,,Đơn vị hành chính trước ngày 01/7/2025,,,,,';
const COLUMN_HEADER = '"Tỉnh, thành phố",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,';
const NGHE_AN = 'Tỉnh Nghệ An (40)';
const row = (newName: string, newCode: string, oldName: string, oldCode: string, note = 'Nhập toàn bộ'): string =>
  [NGHE_AN, newName, newCode, oldName, oldCode, note, 'Thành phố Vinh (412)', 'Tỉnh Nghệ An (40)', ''].join(',');
const csv = (...lines: string[]): string => [GROUP_HEADER, COLUMN_HEADER, ...lines].join('\n') + '\n';

/** The NsoParseError thrown by parsing `input`. */
function parseError(input: string): NsoParseError {
  try {
    parseNsoCsv(input, 'x.csv');
  } catch (e) {
    if (e instanceof NsoParseError) return e;
    throw e;
  }
  throw new Error('expected an NsoParseError');
}

describe('parseNsoCsv on small files', () => {
  it('parses a minimal file, skipping the section line', () => {
    const t = parseNsoCsv(csv('NGHỆ AN  ,,,,,,,,', row('Phường Vinh', '16678', 'Phường Lê Mao', '16681')), 'x.csv');
    expect(t.provinces).toEqual([
      {
        code: '40',
        name: 'Tỉnh Nghệ An',
        units: [expect.objectContaining({ code: '16678', kind: 'phuong', line: 4 })],
      },
    ]);
  });

  it('accepts a BOM and CRLF line ends, also inside quoted cells', () => {
    const lines = [
      GROUP_HEADER,
      COLUMN_HEADER,
      `${NGHE_AN},"Phường Vinh\r\n",16678,"Phường ""Lê"" Mao",16681,Nhập toàn bộ,Thành phố Vinh (412),Tỉnh Nghệ An (40),`,
      row('Phường Vinh', '16678', 'Phường Hưng Bình', '16684'),
    ];
    const t = parseNsoCsv(`\uFEFF${lines.join('\r\n')}\r\n`, 'x.csv');
    const u = t.provinces[0]?.units[0];
    expect(u).toMatchObject({ name: 'Phường Vinh', line: 3 });
    expect(u?.mergedFrom.map((r) => [r.name, r.line])).toEqual([
      ['Phường "Lê" Mao', 3],
      ['Phường Hưng Bình', 5],
    ]);
  });

  it('groups rows of one unit that are not contiguous', () => {
    const t = parseNsoCsv(
      csv(
        row('Phường Vinh', '16678', 'Phường Lê Mao', '16681'),
        row('Xã Hưng Nguyên', '17920', 'Xã Hưng Tây', '17923'),
        row('Phường Vinh', '16678', 'Phường Hưng Bình', '16684', 'Nhập một phần'),
      ),
      'x.csv',
    );
    const got = t.provinces[0]?.units.map((u) => [u.code, u.mergedFrom.map((r) => r.line)]);
    expect(got).toEqual([
      ['16678', [3, 5]],
      ['17920', [4]],
    ]);
  });

  it('reports an unterminated quote at EOF on the physical line where it opened', () => {
    const input =
      csv(`${NGHE_AN},"Phường Vinh\n",16678,Phường Lê Mao,16681,Nhập toàn bộ,Thành phố Vinh (412),Tỉnh Nghệ An (40),`) +
      `${NGHE_AN},"Phường Trường Vinh\n`;
    const err = parseError(input);
    expect(err.line).toBe(5);
    expect(err.message).toMatch(/^x\.csv:5: .*never closed/);
  });

  it('names the physical line of a record with too few cells', () => {
    const input = csv(
      `${NGHE_AN},"Phường Vinh\n\n",16678,Phường Lê Mao,16681,Nhập toàn bộ,Thành phố Vinh (412),Tỉnh Nghệ An (40),`,
      `${NGHE_AN},Phường Vinh,16678,Phường Hưng Bình`,
    );
    const err = parseError(input);
    expect(err).toMatchObject({ file: 'x.csv', line: 6 }); // the 4th record, on the 6th line
    expect(err.message).toBe('x.csv:6: expected 9 cells as in the header, found 4');
  });

  it('rejects a new-unit code that is not digits', () => {
    const err = parseError(
      csv(row('Phường Vinh', '16678', 'Phường Lê Mao', '16681'), row('Phường Vinh', '1667B', 'Phường Hưng Bình', '16684')),
    );
    expect(err.message).toMatch(/^x\.csv:4: new-unit code "1667B"/);
  });

  it('rejects a province cell without its code', () => {
    const input = csv(row('Phường Vinh', '16678', 'Phường Lê Mao', '16681').replace(' (40),Phường', ',Phường'));
    expect(parseError(input).message).toMatch(/^x\.csv:3: province cell "Tỉnh Nghệ An" lacks a code/);
  });

  it('rejects an empty file and a file without the column header', () => {
    expect(parseError('').message).toBe('x.csv:1: file is empty');
    expect(parseError('\uFEFF\r\n,,,\n').message).toBe('x.csv:1: file is empty');
    const noHeader = [GROUP_HEADER, row('Phường Vinh', '16678', 'Phường Lê Mao', '16681')].join('\n');
    expect(parseError(noHeader).message).toMatch(/^x\.csv:2: expected the header record/);
    expect(parseError(`${GROUP_HEADER}\n`).message).toMatch(/^x\.csv:1: header record .* not found/);
  });

  it('finds the header by content, not by position', () => {
    const t = parseNsoCsv([COLUMN_HEADER, row('Phường Vinh', '16678', 'Phường Lê Mao', '16681')].join('\n'), 'x.csv');
    expect(t.provinces[0]?.units[0]?.line).toBe(2);
  });

  it('rejects text after a closing quote and a unit listed under two provinces', () => {
    expect(parseError(csv(`${NGHE_AN},"Phường Vinh"x,16678,a,1,b,c,d,`)).message).toMatch(/^x\.csv:3: unexpected "x"/);
    const moved = row('Phường Vinh', '16678', 'Phường Hưng Bình', '16684').replace(NGHE_AN, 'Tỉnh Hà Tĩnh (42)');
    expect(parseError(csv(row('Phường Vinh', '16678', 'Phường Lê Mao', '16681'), moved)).message).toMatch(
      /^x\.csv:4: new unit 16678 is under province 42 here but under 40 on line 3/,
    );
  });
});
