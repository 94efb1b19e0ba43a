// The national evaluation on answers as the store gives them: fresh conclusions kept, stale or
// missing ones UNKNOWN (never GO), a province the worst of its units, items judged with their
// unit's age, units remembered when the store forgets them, names from the boards' _info series.
import { describe, expect, it } from 'vitest';
import { nationalFreshnessSeconds, type NationalInventory } from '../../inventory/index.ts';
import { STATE_CODE } from '../states.ts';
import type { VectorSample } from '../board/prom-client-http.ts';
import { evaluateNational, type SeenUnits } from './evaluate.ts';
import { NATIONAL_QUERIES } from './queries.ts';
import type { NationalRead, NationalResults } from './source.ts';

const NOW = Date.parse('2025-07-01T08:00:00+07:00');
const nat: NationalInventory = {
  version: 1,
  demo: true,
  name: 'test',
  timezone: 'Asia/Ho_Chi_Minh',
  dataCenters: [],
  store: { retention: '1d' },
  images: {},
  provinces: [
    { code: '40', name: 'Tỉnh Nghệ An', interval: '15s', prometheus: ['http://127.0.0.1:9090'], boards: [] },
    { code: '42', name: 'Tỉnh Hà Tĩnh', interval: '30s', prometheus: ['http://127.0.0.1:9091'], boards: [] },
  ],
};
const window40 = nationalFreshnessSeconds(nat.provinces[0]!);

interface UnitFact {
  province: string;
  unit: string;
  name?: string;
  code?: number;
  /** Seconds before NOW of the unit's last conclusion. */
  age?: number;
  items?: [string, number, boolean?][];
}

function read(units: UnitFact[], extra: Partial<NationalResults> = {}): NationalRead {
  const v = (metric: Record<string, string>, value: number): VectorSample => ({ metric, value });
  const results: NationalResults = {
    unitCode: units.filter((u) => u.code !== undefined).map((u) => v({ province: u.province, unit: u.unit }, u.code!)),
    unitAt: units.filter((u) => u.age !== undefined).map((u) => v({ province: u.province, unit: u.unit }, NOW / 1000 - u.age!)),
    itemCode: units.flatMap((u) => (u.items ?? []).map(([check, c]) => v({ province: u.province, unit: u.unit, check }, c))),
    advisory: units.flatMap((u) =>
      (u.items ?? []).filter(([, , blocking]) => blocking === false).map(([check]) => v({ province: u.province, unit: u.unit, check }, 1)),
    ),
    unitNames: units.filter((u) => u.name).map((u) => v({ province: u.province, unit: u.unit, name: u.name! }, 1)),
    checkTitles: [v({ check: 'dns', title: 'Phân giải tên miền', title_en: 'DNS resolves' }, 1)],
    ...extra,
  };
  return { results, error: null, atMs: NOW };
}

const ctx = (seen: SeenUnits = new Map()) => ({ nowMs: NOW, seen, since: () => null });
const province = (e: ReturnType<typeof evaluateNational>, code: string) => e.provinces.find((p) => p.code === code)!;
const unit = (e: ReturnType<typeof evaluateNational>, p: string, u: string) => e.units.find((x) => x.province === p && x.code === u)!;

describe('the national evaluation', () => {
  it('asks the store a fixed set of queries, whatever the number of units', () => {
    expect(Object.keys(NATIONAL_QUERIES)).toHaveLength(6);
  });

  it('keeps a fresh conclusion, names the unit and its items, and marks advisory items', () => {
    const e = evaluateNational(
      nat,
      read([
        {
          province: '40',
          unit: '16681',
          name: 'Phường Thành Vinh',
          code: STATE_CODE.nogo,
          age: 5,
          items: [
            ['dns', STATE_CODE.nogo],
            ['latency', STATE_CODE.nogo, false],
          ],
        },
        { province: '40', unit: '16690', name: 'Phường Trường Vinh', code: STATE_CODE.go, age: 5 },
      ]),
      ctx(),
    );
    const u = unit(e, '40', '16681');
    expect(u).toMatchObject({ name: 'Phường Thành Vinh', state: 'nogo', ageSeconds: 5 });
    expect(u.items).toEqual([
      { check: 'dns', title: 'Phân giải tên miền', titleEn: 'DNS resolves', state: 'nogo', blocking: true },
      { check: 'latency', title: 'latency', titleEn: 'latency', state: 'nogo', blocking: false },
    ]);
    expect(province(e, '40')).toMatchObject({
      state: 'nogo',
      units: 2,
      silent: false,
      counts: { go: 1, nogo: 1, unknown: 0, maintenance: 0 },
    });
  });

  it('a conclusion older than the province window is UNKNOWN, GO or not, and so is every item of its unit', () => {
    const e = evaluateNational(
      nat,
      read([
        { province: '40', unit: '16681', name: 'A', code: STATE_CODE.go, age: window40 + 0.5, items: [['dns', STATE_CODE.go]] },
        { province: '40', unit: '16690', name: 'B', code: STATE_CODE.nogo, age: window40 + 30 },
      ]),
      ctx(),
    );
    expect(unit(e, '40', '16681').state).toBe('unknown');
    expect(unit(e, '40', '16681').items[0]!.state).toBe('unknown');
    expect(unit(e, '40', '16690').state).toBe('unknown');
    expect(province(e, '40')).toMatchObject({ state: 'unknown', silent: true });
    expect(province(e, '40').problem).toContain('giây');
    // Just inside the window it still counts.
    const fresh = evaluateNational(
      nat,
      read([{ province: '40', unit: '16681', name: 'A', code: STATE_CODE.go, age: window40 - 0.5 }]),
      ctx(),
    );
    expect(unit(fresh, '40', '16681').state).toBe('go');
  });

  it('a unit the store names but has no conclusion for is UNKNOWN; a province with no data at all is UNKNOWN, never GO', () => {
    const e = evaluateNational(nat, read([{ province: '40', unit: '16681', name: 'A' }]), ctx());
    expect(unit(e, '40', '16681').state).toBe('unknown');
    expect(province(e, '42')).toMatchObject({ state: 'unknown', units: 0, silent: true, lastSampleAt: null });
  });

  it('a province is the worst of its units; maintenance only when every unit is in a window', () => {
    const e = evaluateNational(
      nat,
      read([
        { province: '40', unit: '1', name: 'A', code: STATE_CODE.maintenance, age: 1 },
        { province: '40', unit: '2', name: 'B', code: STATE_CODE.go, age: 1 },
        { province: '42', unit: '3', name: 'C', code: STATE_CODE.maintenance, age: 1 },
      ]),
      ctx(),
    );
    expect(province(e, '40').state).toBe('go');
    expect(province(e, '42').state).toBe('maintenance');
  });

  it('remembers the units it has seen when the store no longer answers for them, and lists them UNKNOWN', () => {
    const seen: SeenUnits = new Map();
    evaluateNational(nat, read([{ province: '42', unit: '18000', name: 'Xã Một', code: STATE_CODE.go, age: 1 }]), ctx(seen));
    const later = evaluateNational(nat, read([]), ctx(seen));
    expect(unit(later, '42', '18000')).toMatchObject({ name: 'Xã Một', state: 'unknown', ageSeconds: null });
    expect(province(later, '42')).toMatchObject({ state: 'unknown', units: 1 });
  });

  it('an unreadable store makes every province UNKNOWN and says why; data of an unlisted province is reported, not shown', () => {
    const down = evaluateNational(nat, { results: null, error: 'ECONNREFUSED', atMs: NOW }, ctx());
    expect(down.provinces.every((p) => p.state === 'unknown')).toBe(true);
    expect(down.problems[0]).toContain('ECONNREFUSED');
    const stranger = evaluateNational(nat, read([{ province: '99', unit: '1', name: 'X', code: 0, age: 1 }]), ctx());
    expect(stranger.problems[0]).toContain('99');
    expect(stranger.units.some((u) => u.province === '99')).toBe(false);
  });
});
