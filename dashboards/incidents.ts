// Shared-cause incidents, decided once: an item (a site item, never a manual one) failing at
// many units at once is one incident of the province, not as many local faults. The rules write
// the decision in PromQL (`incidentExpr`, dashboards/rules/recording.ts) and the board decides
// with `isIncident` (dashboards/board/incidents.ts), from the same inventory thresholds.
import type { Inventory } from '../inventory/index.ts';

export interface IncidentThresholds {
  /** At least this many units NO-GO on the item. */
  minUnits: number;
  /** And at least this share of the units that have the item. */
  minShare: number;
}

/** Is an item NO-GO at `nogoUnits` of the `units` that have it a shared-cause incident? */
export function isIncident(nogoUnits: number, units: number, t: IncidentThresholds): boolean {
  return units > 0 && nogoUnits >= t.minUnits && nogoUnits / units >= t.minShare;
}

/** The same decision in PromQL, over per-item series of NO-GO units and of units having the item. */
export function incidentExpr(nogoUnits: string, units: string, t: IncidentThresholds): string {
  return `(${nogoUnits} >= ${t.minUnits}) and on (check) ((${nogoUnits} / on (check) ${units}) >= ${t.minShare})`;
}

export interface ServiceOfItem {
  id: string;
  name: string;
  national: boolean;
  /** The data centers it runs in, by name. */
  dataCenters: string[];
}

/** The services an item depends on (its evidence's category), with the data centers that host them. */
export function servicesOfItem(inv: Inventory, evidence: { kind: string; category?: string }): ServiceOfItem[] {
  if (evidence.kind !== 'service') return [];
  const dcName = new Map(inv.dataCenters.map((d) => [d.id, d.name]));
  return inv.services
    .filter((s) => s.category === evidence.category)
    .map((s) => ({
      id: s.id,
      name: s.name,
      national: s.scope === 'national',
      dataCenters: (s.hostedIn ?? []).map((d) => dcName.get(d) ?? d),
    }));
}

/** "LGSP tỉnh (Trung tâm dữ liệu tỉnh)"; national platforms and unplaced services said as such. */
export function servicesText(services: readonly ServiceOfItem[], lang: 'vi' | 'en'): string {
  return services
    .map((s) => {
      const where = s.national
        ? lang === 'vi'
          ? 'nền tảng quốc gia'
          : 'national platform'
        : s.dataCenters.join(', ') || (lang === 'vi' ? 'cấp tỉnh' : 'provincial');
      return `${s.name} (${where})`;
    })
    .join('; ');
}
