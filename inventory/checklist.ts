// The cutover checklist, defined once. The agent judges the `edge` items, the rules and the
// board judge the `central` ones, people sign off the `manual` ones; dashboards/ renders all of
// them. An inventory may add, drop or re-threshold items for the province or for one unit.
import {
  ChecklistItem,
  type ChecklistItemInput,
  type ChecklistOverride,
  type Evidence,
  type Inventory,
  type ItemTuning,
  type Unit,
} from './schema.ts';

const responseTeam = { vi: 'Tổ phản ứng nhanh cấp xã', en: 'Commune response team' };
const dcTeam = { vi: 'Trung tâm dữ liệu tỉnh', en: 'Provincial data center' };
const networkTeam = { vi: 'Nhà mạng / VNPT-Viettel', en: 'Network operator' };
const officeTeam = { vi: 'Văn phòng HĐND-UBND xã', en: 'Commune People’s Committee office' };

const defaults: ChecklistItemInput[] = [
  {
    id: 'agent-up',
    // Up when it answers over some link: a link over which it does not answer while it answers
    // over another is that link's failure (the board and the rules say so), not the agent's.
    title: { vi: 'Tác tử giám sát hoạt động', en: 'Site agent up' },
    owner: dcTeam,
    kind: 'central',
    evidence: { kind: 'agent-up' },
    for: '1m',
  },
  {
    id: 'wan-primary',
    title: { vi: 'Đường truyền chính (mạng TSLCD) thông', en: 'Primary WAN link up' },
    owner: networkTeam,
    kind: 'edge',
    evidence: { kind: 'link', link: 'primary' },
    for: '1m',
  },
  {
    id: 'wan-backup',
    title: { vi: 'Đường truyền dự phòng sẵn sàng', en: 'Backup link ready' },
    owner: networkTeam,
    kind: 'edge',
    evidence: { kind: 'link', link: 'backup' },
    for: '1m',
  },
  {
    id: 'uplink-primary',
    // A site behind a dual-WAN router: which uplink its traffic leaves by (the watch wants to know
    // "Xã X is running on its backup"); advisory, the backup is there to be used.
    title: { vi: 'Đang chạy trên đường truyền chính (không phải dự phòng)', en: 'Running on the primary uplink (not the backup)' },
    owner: networkTeam,
    kind: 'edge',
    blocking: false,
    evidence: { kind: 'uplink' },
    for: '1m',
  },
  ...(
    [
      ['public-service-portal', 'Cổng Dịch vụ công quốc gia', 'National Public Service Portal'],
      ['lgsp', 'Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)', 'Data-sharing platform (LGSP)'],
      ['ndxp', 'Nền tảng tích hợp, chia sẻ dữ liệu quốc gia (NDXP)', 'National data-exchange platform (NDXP)'],
      ['document-management', 'Hệ thống quản lý văn bản và điều hành', 'Document management'],
      ['document-exchange', 'Trục liên thông văn bản quốc gia', 'National document-exchange axis'],
      ['staff-management', 'Hệ thống quản lý cán bộ, công chức, viên chức', 'Staff-management system'],
      ['email', 'Thư điện tử công vụ', 'Official e-mail'],
      ['video-conference', 'Hội nghị truyền hình trực tuyến', 'Video conferencing'],
      ['reporting', 'Hệ thống thông tin báo cáo quốc gia', 'National reporting system'],
    ] as const
  ).map(([category, vi, en]): ChecklistItemInput => ({
    id: `reach-${category}`,
    title: { vi: `Kết nối tới ${vi}`, en: `${en} reachable` },
    owner: responseTeam,
    kind: 'edge',
    evidence: { kind: 'service', category },
  })),
  {
    id: 'dns',
    title: { vi: 'Phân giải tên miền (DNS)', en: 'DNS resolution' },
    owner: responseTeam,
    kind: 'edge',
    evidence: { kind: 'service', category: 'dns' },
  },
  {
    id: 'packet-loss',
    title: { vi: 'Tỷ lệ mất gói trong giới hạn', en: 'Packet loss within bounds' },
    owner: networkTeam,
    kind: 'edge',
    evidence: { kind: 'loss', maxRatio: 0.05 },
    failureThreshold: 3,
    for: '5m',
  },
  {
    id: 'latency',
    title: { vi: 'Độ trễ trong giới hạn', en: 'Latency within bounds' },
    owner: networkTeam,
    kind: 'edge',
    blocking: false,
    evidence: { kind: 'latency', maxSeconds: 0.15 },
    failureThreshold: 3,
    for: '5m',
  },
  {
    id: 'clock',
    title: { vi: 'Đồng hồ máy trạm chính xác (ký số)', en: 'Clock in sync (digital signatures)' },
    owner: responseTeam,
    kind: 'central',
    evidence: { kind: 'clock', maxOffsetSeconds: 2 },
    for: '2m',
  },
  {
    id: 'disk-space',
    title: { vi: 'Dung lượng đĩa còn đủ', en: 'Enough free disk space' },
    owner: responseTeam,
    kind: 'edge',
    blocking: false,
    evidence: { kind: 'disk', minFreeRatio: 0.1 },
  },
  {
    id: 'tls-valid',
    title: { vi: 'Chứng thư số (TLS) còn hạn ít nhất 14 ngày', en: 'TLS certificates valid for two weeks' },
    owner: dcTeam,
    kind: 'edge',
    evidence: { kind: 'tls', minDays: 14 },
  },
  {
    id: 'email-forwarding',
    title: { vi: 'Thư gửi địa chỉ cũ được chuyển tới hộp thư mới', en: 'Mail to old addresses reaches the new mailboxes' },
    owner: dcTeam,
    kind: 'edge',
    evidence: { kind: 'service', category: 'email-forwarding' },
  },
  {
    id: 'important-urls',
    title: { vi: 'Đường dẫn, API quan trọng được giữ hoặc chuyển hướng đúng', en: 'Important URLs and APIs kept or redirected' },
    owner: dcTeam,
    kind: 'edge',
    evidence: { kind: 'service', category: 'important-urls' },
  },
  {
    id: 'ipv6-ready',
    title: { vi: 'Sẵn sàng IPv6 (bản ghi AAAA, truy cập qua IPv6)', en: 'IPv6 ready (AAAA records, reach over IPv6)' },
    owner: dcTeam,
    kind: 'edge',
    // The transition is a plan, not a day-one condition: it warns, it does not hold a unit back.
    blocking: false,
    evidence: { kind: 'ipv6' },
  },
  {
    id: 'legacy-redirect',
    title: { vi: 'Tên miền cổng cũ chuyển hướng đúng', en: 'Legacy portal hostnames redirect' },
    owner: dcTeam,
    kind: 'edge',
    evidence: { kind: 'service', category: 'legacy-portal' },
  },
  ...(
    [
      ['signature-devices', 'Đã cấp thiết bị chữ ký số', 'Digital-signature devices issued'],
      ['staff-trained', 'Cán bộ đã được tập huấn', 'Staff trained'],
      [
        'records-handed-over',
        'Hồ sơ TTHC của huyện đã số hóa và bàn giao',
        'District records of completed procedures digitised and handed over',
      ],
      ['failover-drill', 'Đã diễn tập chuyển đổi dự phòng', 'Failover drill done'],
    ] as const
  ).map(([id, vi, en]): ChecklistItemInput => ({
    id,
    title: { vi, en },
    owner: officeTeam,
    kind: 'manual',
    evidence: { kind: 'manual' },
    for: '0s',
  })),
];

/** The default checklist, validated by the same schema as an inventory's own items. */
export const defaultChecklist: readonly ChecklistItem[] = Object.freeze(defaults.map((d) => ChecklistItem.parse(d)));

const tuningKeys: Record<Evidence['kind'], readonly (keyof ItemTuning)[]> = {
  'agent-up': [],
  clock: ['maxOffsetSeconds'],
  'dc-reach': [],
  link: [],
  service: ['maxHttpSeconds', 'maxFirstByteSeconds', 'maxConnectSeconds', 'maxDnsSeconds'],
  loss: ['maxRatio'],
  latency: ['maxSeconds'],
  disk: ['minFreeRatio'],
  tls: ['minDays'],
  ipv6: [],
  uplink: [],
  manual: [],
};

/** Threshold keys an item of this evidence kind accepts, besides blocking/for/thresholds. */
export function tuningKeysFor(kind: Evidence['kind']): readonly string[] {
  return tuningKeys[kind];
}

function applyOverride(items: ChecklistItem[], o: ChecklistOverride | undefined): ChecklistItem[] {
  if (!o) return items;
  const dropped = new Set(o.drop);
  const byId = new Map(items.filter((i) => !dropped.has(i.id)).map((i) => [i.id, i]));
  for (const add of o.add) byId.set(add.id, add);
  for (const [id, t] of Object.entries(o.thresholds)) {
    const item = byId.get(id);
    if (!item) continue; // reported by the cross-checks
    const { blocking, for: forDuration, failureThreshold, successThreshold, ...params } = t;
    const evidence = { ...item.evidence } as Record<string, unknown>;
    for (const [k, v] of Object.entries(params))
      if (v !== undefined && tuningKeys[item.evidence.kind].includes(k as keyof ItemTuning)) evidence[k] = v;
    byId.set(id, {
      ...item,
      blocking: blocking ?? item.blocking,
      for: forDuration ?? item.for,
      failureThreshold: failureThreshold ?? item.failureThreshold,
      successThreshold: successThreshold ?? item.successThreshold,
      evidence: evidence as Evidence,
    });
  }
  return [...byId.values()];
}

/** The province's checklist: the defaults with the inventory's province-wide changes. */
export function provinceChecklist(inv: Pick<Inventory, 'checklist'>): ChecklistItem[] {
  return applyOverride([...defaultChecklist], inv.checklist);
}

/** The checklist of one unit: province-wide changes, then the unit's own. */
export function unitChecklist(inv: Pick<Inventory, 'checklist'>, unit: Pick<Unit, 'checklist'>): ChecklistItem[] {
  return applyOverride(provinceChecklist(inv), unit.checklist);
}

/** Every item id used anywhere in the inventory, for rules and dashboards that list them all. */
export function allChecklistItems(inv: Pick<Inventory, 'checklist' | 'units'>): ChecklistItem[] {
  const byId = new Map(provinceChecklist(inv).map((i) => [i.id, i]));
  for (const u of inv.units) for (const i of unitChecklist(inv, u)) if (!byId.has(i.id)) byId.set(i.id, i);
  return [...byId.values()];
}

/** Parses a `for` duration such as `1h30m` or `200ms` into seconds. */
export function durationSeconds(d: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 1000;
}
