// A generated province of any size on loopback, for the watch-room tests and the wall's
// screenshots: the demo's services and data centers, N communes of one site each (one link, on
// 127.<net>.x.y), grouped in old districts of ten, and response teams of `perTeam` units each
// (webhooks to a loopback receiver, one path per team) besides the province's data center team.
import type { Inventory, Team, Unit } from '../../inventory/index.ts';

export interface GeneratedProvinceOptions {
  units: number;
  /** The second octet of the loopback addresses (127.<net>.x.y): unique per test. */
  net: number;
  /** Units per commune response team. */
  perTeam?: number;
  /** Where the teams' webhooks point: `${webhook}/<team id>`. */
  webhook?: string;
}

const DISTRICTS = [
  'Huyện Nghi Lộc',
  'Huyện Diễn Châu',
  'Huyện Quỳnh Lưu',
  'Huyện Con Cuông',
  'Thành phố Vinh',
  'Huyện Nam Đàn',
  'Huyện Đô Lương',
];
const NAMES = ['Nghi', 'Diễn', 'Quỳnh', 'Châu', 'Thanh', 'Hưng', 'Nam', 'Đông', 'Tây', 'Bắc', 'Trung', 'Minh', 'Phúc', 'An', 'Hòa'];
const SUFFIXES = ['Lộc', 'Thịnh', 'Sơn', 'Phong', 'Xuân', 'Hải', 'Thành', 'Long', 'Mỹ', 'Tân'];

/** Vietnamese commune names, distinct for up to 1,500 units. */
export function communeName(i: number): string {
  const n = NAMES[i % NAMES.length]!;
  const s = SUFFIXES[Math.floor(i / NAMES.length) % SUFFIXES.length]!;
  const round = Math.floor(i / (NAMES.length * SUFFIXES.length));
  return `Xã ${n} ${s}${round ? ` ${round + 1}` : ''}`;
}

export function generatedProvince(base: Inventory, o: GeneratedProvinceOptions): Inventory {
  const perTeam = o.perTeam ?? 40;
  const units: Unit[] = Array.from({ length: o.units }, (_, i) => {
    const code = String(50001 + i);
    const district = DISTRICTS[Math.floor(i / 10) % DISTRICTS.length]!;
    const address = `127.${o.net}.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`;
    return {
      code,
      name: communeName(i),
      kind: 'xa',
      hotSpot: false,
      mergedFrom: [
        { code, name: `Xã cũ ${code}`, district: { code: String(400 + Math.floor(i / 10)), name: district }, share: 'whole', note: '' },
      ],
      sites: [
        {
          id: `xa-${code}`,
          name: `Trụ sở UBND ${communeName(i)}`,
          role: 'headquarters',
          agentPort: 9842,
          links: { primary: { kind: 'wan', address, gateway: address, reachable: true } },
        },
      ],
    };
  });
  const teams: Team[] = [
    {
      ...base.teams[0]!,
      id: 'ttdl',
      name: 'Trung tâm dữ liệu tỉnh',
      units: ['*'],
      email: [],
      telegram: [],
      webhook: o.webhook ? [`${o.webhook}/ttdl`] : [],
    },
  ];
  for (let t = 0; t * perTeam < o.units; t++) {
    const id = `to-${t + 1}`;
    teams.push({
      ...base.teams[0]!,
      id,
      name: `Tổ phản ứng nhanh cụm ${t + 1}`,
      units: units.slice(t * perTeam, (t + 1) * perTeam).map((u) => u.code),
      email: [],
      telegram: [],
      webhook: o.webhook ? [`${o.webhook}/${id}`] : [],
      escalateTo: 'ttdl',
    });
  }
  return { ...base, units, teams, maintenance: [] };
}
