// `inventory diff`: what an amended table changed, and whether kept units kept their allocations.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffInventories, formatDiff } from './diff.ts';
import { loadInventoryText } from './load.ts';

const demo = loadInventoryText(readFileSync(new URL('./examples/demo.yaml', import.meta.url), 'utf8'), 'demo.yaml');

describe('inventory diff', () => {
  it('lists units added, dropped, renamed and merged from other old units; kept units kept their allocations', () => {
    const [thanhVinh, truongVinh, nghiLoc] = demo.units;
    const after = {
      ...demo,
      units: [
        { ...thanhVinh!, name: 'Phường Thành Vinh Mới' },
        {
          ...truongVinh!,
          mergedFrom: [...truongVinh!.mergedFrom.slice(1), { code: '16700', name: 'Xã Hưng Lộc', share: 'part' as const }],
        },
        { ...nghiLoc!, code: '17900', name: 'Xã Nghi Lộc Mới' },
      ],
    };
    const d = diffInventories(demo, after);
    expect(d.added).toEqual([{ code: '17900', name: 'Xã Nghi Lộc Mới' }]);
    expect(d.dropped).toEqual([{ code: '17827', name: 'Xã Nghi Lộc' }]);
    expect(d.renamed).toEqual([{ code: '16681', from: 'Phường Thành Vinh', to: 'Phường Thành Vinh Mới' }]);
    expect(d.mergedFrom).toEqual([
      { code: '16690', name: 'Phường Trường Vinh', gained: ['16700 Xã Hưng Lộc (part)'], lost: ['16673 Phường Hưng Phúc'] },
    ]);
    expect(d.moved).toEqual([]);
    expect(d.kept).toBe(2);
    expect(formatDiff(d)).toEqual([
      'added (1):',
      '  17900 Xã Nghi Lộc Mới',
      'dropped (1):',
      '  17827 Xã Nghi Lộc',
      'renamed (1):',
      '  16681 Phường Thành Vinh → Phường Thành Vinh Mới',
      'merged from other old units (1):',
      '  16690 Phường Trường Vinh: + 16700 Xã Hưng Lộc (part); - 16673 Phường Hưng Phúc',
      '2 kept units kept their subnets, portal hostnames and portal addresses',
    ]);
  });

  it('names every allocation a kept unit lost: subnets, portal hostname, portal addresses', () => {
    const [u] = demo.units;
    const after = {
      ...demo,
      units: [
        { ...u!, subnet: '127.0.9.0/26', portal: { ...u!.portal!, hostname: 'moi.nghean.gov.vn', addresses: { dc1: '10.40.250.99' } } },
        ...demo.units.slice(1),
      ],
    };
    expect(diffInventories(demo, after).moved).toEqual([
      {
        code: '16681',
        name: 'Phường Thành Vinh',
        changes: [
          'subnet 127.0.1.0/26 → 127.0.9.0/26',
          'portal thanhvinh.nghean.gov.vn → moi.nghean.gov.vn',
          'portal address in dc1 10.40.250.64 → 10.40.250.99',
          'portal address in dc2 10.40.251.64 → none',
        ],
      },
    ]);
  });
});
