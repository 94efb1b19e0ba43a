// Shared-cause incidents on the board: an item NO-GO at enough units at once (the inventory's
// `incidents` thresholds, decided by ../incidents.ts as the rules decide it) is one incident of
// the province. The board shows one banner per incident (the item, its services and their data
// centers, since when) and every affected unit's item points at the incident instead of a local
// remedy: nothing is to be fixed at the commune.
import { causeTexts, type Bilingual } from '../../inventory/index.ts';
import { isIncident, servicesOfItem, servicesText, type IncidentThresholds, type ServiceOfItem } from '../incidents.ts';
import type { Catalog } from './catalog.ts';
import type { AckView, Evaluation } from './types.ts';

export interface IncidentView {
  /** The item failing everywhere (the incident's id on the board and in Alertmanager: `check`). */
  check: string;
  title: Bilingual;
  services: ServiceOfItem[];
  /** The services with where they run, ready to read. */
  where: Bilingual;
  /** When it became an incident: when the threshold's unit started failing. */
  since: string | null;
  /** The units where the item is NO-GO, by code. */
  units: string[];
  /** How many units have the item. */
  of: number;
  ack?: AckView;
}

/** The incidents of an evaluation, worst first (most units). */
export function findIncidents(ev: Evaluation, catalog: Catalog, t: IncidentThresholds): IncidentView[] {
  const having = new Map<string, number>();
  for (const cu of catalog.units) for (const id of cu.siteItemIds) having.set(id, (having.get(id) ?? 0) + 1);
  const failing = new Map<string, { code: string; since: string | null }[]>();
  for (const u of ev.units)
    for (const i of u.items) {
      if (i.state !== 'nogo' || !having.has(i.check) || i.signoff) continue;
      if (catalog.byCode.get(u.code)?.items.get(i.check)?.kind === 'manual') continue;
      const list = failing.get(i.check) ?? [];
      list.push({ code: u.code, since: i.since });
      failing.set(i.check, list);
    }
  const out: IncidentView[] = [];
  for (const [check, list] of failing) {
    const of = having.get(check) ?? 0;
    if (!isIncident(list.length, of, t)) continue;
    const item = catalog.units.find((cu) => cu.items.has(check))!.items.get(check)!;
    const services = servicesOfItem(catalog.inventory, item.evidence);
    const sinces = list.flatMap((l) => (l.since ? [Date.parse(l.since)] : [])).sort((a, b) => a - b);
    const crossed = sinces[Math.min(t.minUnits, sinces.length) - 1];
    out.push({
      check,
      title: item.title,
      services,
      where: { vi: servicesText(services, 'vi'), en: servicesText(services, 'en') },
      since: crossed === undefined ? null : new Date(crossed).toISOString(),
      units: list.map((l) => l.code).sort(),
      of,
    });
  }
  return out.sort((a, b) => b.units.length - a.units.length || a.check.localeCompare(b.check));
}

/** Every affected unit's item (and its sites' rows) points at the incident, not at a local remedy. */
export function pointAtIncidents(ev: Evaluation, incidents: readonly IncidentView[]): void {
  const byCheck = new Map(incidents.map((i) => [i.check, i]));
  for (const u of ev.units)
    for (const item of u.items) {
      const inc = item.state === 'nogo' ? byCheck.get(item.check) : undefined;
      if (!inc || !inc.units.includes(u.code)) continue;
      const said = causeTexts({ kind: 'shared-incident', title: inc.title.vi, titleEn: inc.title.en, units: inc.units.length, of: inc.of });
      item.incident = inc.check;
      item.reason = withMeasured(said.reason, item.reason);
      if (said.fix) item.fix = said.fix;
      for (const s of u.sites)
        for (const si of s.items)
          if (si.check === inc.check && si.state === 'nogo') {
            si.incident = inc.check;
            si.reason = withMeasured(said.reason, si.reason);
            if (said.fix) si.fix = said.fix;
          }
    }
}

/**
 * The incident first, then what was measured at the unit (a slow answer's time, a refusal): the
 * watch reads that it is central, the technician still sees the unit's own evidence.
 */
function withMeasured(incident: Bilingual, measured: Bilingual | undefined): Bilingual {
  if (!measured) return incident;
  return { vi: `${incident.vi}. Tại đơn vị này: ${measured.vi}`, en: `${incident.en}. At this unit: ${measured.en}` };
}
