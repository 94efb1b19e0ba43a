// `sansang inventory diff OLD NEW`: what an amended official table (re-imported) changed in the
// province: units added, dropped, renamed, whose old units changed; and whether every unit kept
// its allocations (subnets, portal hostname and addresses), which deployed state, DNS and the
// certificates depend on.
import type { Inventory, OldUnit, Unit } from './schema.ts';

export interface InventoryDiff {
  added: Pick<Unit, 'code' | 'name'>[];
  dropped: Pick<Unit, 'code' | 'name'>[];
  renamed: { code: string; from: string; to: string }[];
  mergedFrom: { code: string; name: string; gained: string[]; lost: string[] }[];
  /** Units in both whose allocations changed: each change as `what: old → new`. */
  moved: { code: string; name: string; changes: string[] }[];
  /** Units in both that got a portal they did not have. */
  newPortals: string[];
  /** Units in both. */
  kept: number;
}

const oldLabel = (o: OldUnit) => `${o.code ?? '—'} ${o.name ?? '(no name)'}${o.share === 'part' ? ' (part)' : ''}`;

export function diffInventories(before: Inventory, after: Inventory): InventoryDiff {
  const old = new Map(before.units.map((u) => [u.code, u]));
  const now = new Map(after.units.map((u) => [u.code, u]));
  const d: InventoryDiff = { added: [], dropped: [], renamed: [], mergedFrom: [], moved: [], newPortals: [], kept: 0 };
  for (const u of after.units) if (!old.has(u.code)) d.added.push({ code: u.code, name: u.name });
  for (const u of before.units) if (!now.has(u.code)) d.dropped.push({ code: u.code, name: u.name });
  for (const a of after.units) {
    const b = old.get(a.code);
    if (!b) continue;
    d.kept++;
    if (a.name !== b.name) d.renamed.push({ code: a.code, from: b.name, to: a.name });
    const was = new Set(b.mergedFrom.map(oldLabel));
    const is = new Set(a.mergedFrom.map(oldLabel));
    const gained = [...is].filter((x) => !was.has(x));
    const lost = [...was].filter((x) => !is.has(x));
    if (gained.length || lost.length) d.mergedFrom.push({ code: a.code, name: a.name, gained, lost });
    const changes = allocationChanges(b, a);
    if (changes.length) d.moved.push({ code: a.code, name: a.name, changes });
    if (a.portal && !b.portal) d.newPortals.push(a.code);
  }
  return d;
}

function allocationChanges(b: Unit, a: Unit): string[] {
  const out: string[] = [];
  const cmp = (what: string, x: string | undefined, y: string | undefined) => {
    if (x !== undefined && x !== y) out.push(`${what} ${x} → ${y ?? 'none'}`);
  };
  cmp('subnet', b.subnet, a.subnet);
  cmp('backup subnet', b.backupSubnet, a.backupSubnet);
  if (b.portal) {
    cmp('portal', b.portal.hostname, a.portal?.hostname);
    for (const [dc, ip] of Object.entries(b.portal.addresses)) cmp(`portal address in ${dc}`, ip, a.portal?.addresses[dc]);
  }
  return out;
}

/** The diff as lines for a person, English as the engineers' other messages. */
export function formatDiff(d: InventoryDiff): string[] {
  const unit = (u: { code: string; name: string }) => `${u.code} ${u.name}`;
  const section = (title: string, items: string[]) => (items.length ? [`${title} (${items.length}):`, ...items.map((i) => `  ${i}`)] : []);
  return [
    ...section('added', d.added.map(unit)),
    ...section('dropped', d.dropped.map(unit)),
    ...section(
      'renamed',
      d.renamed.map((r) => `${r.code} ${r.from} → ${r.to}`),
    ),
    ...section(
      'merged from other old units',
      d.mergedFrom.map((m) => `${unit(m)}: ${[...m.gained.map((g) => `+ ${g}`), ...m.lost.map((l) => `- ${l}`)].join('; ')}`),
    ),
    ...section('got a portal', d.newPortals),
    ...(d.moved.length
      ? section(
          'MOVED: kept units whose allocations changed (deployed state, DNS and certificates follow the old ones)',
          d.moved.map((m) => `${unit(m)}: ${m.changes.join('; ')}`),
        )
      : [`${d.kept} kept units kept their subnets, portal hostnames and portal addresses`]),
  ];
}
