// Per checklist item, the units that share the same settings (`for`, blocking, thresholds).
// The rules stay generic over units: one rule per item and per class, where a class selects its
// units by a `unit` matcher. In a national inventory nearly every unit is in the default class,
// so the number of rules grows with the number of distinct overrides, not with the units.
import { allChecklistItems, provinceChecklist, unitChecklist, type ChecklistItem, type Inventory } from '../../inventory/index.ts';

export interface ItemClass {
  /** The item with this class's settings. */
  item: ChecklistItem;
  /** PromQL label matcher on `unit` (empty: every unit). */
  unitMatcher: string;
}

/** What the rules depend on: thresholds of edge items are the agent's business, not the rules'. */
function settingsKey(i: ChecklistItem): string {
  const central = i.kind === 'central';
  return JSON.stringify({ for: i.for, blocking: i.blocking, evidence: central ? i.evidence : i.evidence.kind });
}

/** Unit codes are digits, so an alternation of them is a safe regular expression. */
export function unitRegex(codes: readonly string[]): string {
  return [...codes].sort().join('|');
}

/** Every item used in the inventory, split into classes of units with equal settings. */
export function itemClasses(inv: Inventory): ItemClass[] {
  const province = new Map(provinceChecklist(inv).map((i) => [i.id, i]));
  const out: ItemClass[] = [];
  for (const item of allChecklistItems(inv)) {
    const byKey = new Map<string, { item: ChecklistItem; units: string[] }>();
    for (const u of inv.units) {
      const own = unitChecklist(inv, u).find((i) => i.id === item.id);
      if (!own) continue;
      const k = settingsKey(own);
      const entry = byKey.get(k) ?? { item: own, units: [] };
      entry.units.push(u.code);
      byKey.set(k, entry);
    }
    const base = province.get(item.id);
    if (base) {
      // The province's settings are the default class: every unit not listed elsewhere.
      const baseKey = settingsKey(base);
      const others = [...byKey.entries()].filter(([k]) => k !== baseKey);
      const excluded = others.flatMap(([, e]) => e.units);
      out.push({ item: base, unitMatcher: excluded.length ? `unit!~"${unitRegex(excluded)}"` : '' });
      for (const [, e] of others) out.push({ item: e.item, unitMatcher: `unit=~"${unitRegex(e.units)}"` });
    } else {
      // An item only some units added: only those units.
      for (const e of byKey.values()) out.push({ item: e.item, unitMatcher: `unit=~"${unitRegex(e.units)}"` });
    }
  }
  return out;
}

/** `{check="id", unit=~"…"}` for one class. */
export function classSelector(c: ItemClass): string {
  return `{${[`check="${c.item.id}"`, c.unitMatcher].filter(Boolean).join(', ')}}`;
}
