// What the board expects, derived once from the inventory: per unit, its sites with the items
// of `siteChecks`, its manual items, its old districts. The same functions the agent and the
// rules use, so the three agree on what is expected where.
import {
  durationSeconds,
  siteChecks,
  unitChecklist,
  unitManualChecks,
  type ChecklistItem,
  type Inventory,
  type Site,
  type Unit,
} from '../../inventory/index.ts';

export interface CatalogItem {
  id: string;
  title: { vi: string; en: string };
  owner: { vi: string; en: string };
  kind: ChecklistItem['kind'];
  blocking: boolean;
  forSeconds: number;
  evidence: ChecklistItem['evidence'];
  howToFix?: { vi: string; en: string };
}

export interface CatalogSite {
  site: Site;
  /** Item ids of `siteChecks` (edge and central), in checklist order. */
  checks: string[];
  /** The tracker's slot of each of `checks` (numbered once: the evaluation runs over every one). */
  slots: number[];
}

export interface CatalogUnit {
  unit: Unit;
  /** Old districts the unit was merged from (names), for the filter. */
  districts: string[];
  /** Every item of the unit (site items and manual ones), by id. */
  items: Map<string, CatalogItem>;
  /** Ids of the unit's items that some site checks, in checklist order. */
  siteItemIds: string[];
  manualIds: string[];
  sites: CatalogSite[];
  /** The tracker's slot of each item of the unit, and of the unit itself. */
  itemSlots: Map<string, number>;
  slot: number;
}

export interface Catalog {
  inventory: Inventory;
  units: CatalogUnit[];
  byCode: Map<string, CatalogUnit>;
  /** Seconds after which a sample is stale: three probe intervals. */
  freshnessSeconds: number;
  intervalSeconds: number;
  /** How many tracker slots the catalog numbered. */
  slotCount: number;
}

function toCatalogItem(i: ChecklistItem): CatalogItem {
  return {
    id: i.id,
    title: i.title,
    owner: i.owner,
    kind: i.kind,
    blocking: i.blocking,
    forSeconds: durationSeconds(i.for),
    evidence: i.evidence,
    ...(i.howToFix ? { howToFix: i.howToFix } : {}),
  };
}

export function buildCatalog(inv: Inventory): Catalog {
  const intervalSeconds = durationSeconds(inv.agent.interval);
  let slot = 0;
  const units = inv.units.map((unit): CatalogUnit => {
    const items = new Map(unitChecklist(inv, unit).map((i) => [i.id, toCatalogItem(i)]));
    const sites = unit.sites.map((site) => {
      const checks = siteChecks(inv, unit, site).map((i) => i.id);
      return { site, checks, slots: checks.map(() => slot++) };
    });
    const used = new Set(sites.flatMap((s) => s.checks));
    const siteItemIds = [...items.keys()].filter((id) => used.has(id));
    const manualIds = unitManualChecks(inv, unit).map((i) => i.id);
    for (const id of items.keys()) if (!used.has(id) && !manualIds.includes(id)) items.delete(id);
    const districts = [...new Set(unit.mergedFrom.map((m) => m.district?.name).filter((n): n is string => !!n))];
    const itemSlots = new Map([...items.keys()].map((id) => [id, slot++]));
    return { unit, districts, items, siteItemIds, manualIds, sites, itemSlots, slot: slot++ };
  });
  return {
    inventory: inv,
    units,
    byCode: new Map(units.map((u) => [u.unit.code, u])),
    freshnessSeconds: 3 * intervalSeconds,
    intervalSeconds,
    slotCount: slot,
  };
}
