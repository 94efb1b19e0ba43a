// Maintenance windows: from the inventory, and set on the board (entries of the sign-off log).
// A unit is MAINTENANCE while any of its windows is open (a site's window too, as
// `inMaintenance` in the model says); a site's items are MAINTENANCE in its own windows.
import type { Inventory } from '../../inventory/index.ts';
import type { MaintenanceEntry } from './store.ts';

export interface Window {
  unit: string;
  site?: string;
  from: string;
  to: string;
  reason: string;
  source: 'inventory' | 'board';
  who?: string;
  team?: string;
  id?: string;
}

export function allWindows(inv: Pick<Inventory, 'maintenance'>, entries: readonly MaintenanceEntry[]): Window[] {
  return [
    ...inv.maintenance.map((m): Window => ({
      unit: m.unit,
      ...(m.site ? { site: m.site } : {}),
      from: m.from,
      to: m.to,
      reason: m.reason,
      source: 'inventory',
    })),
    ...entries.map((e): Window => ({
      unit: e.unit,
      ...(e.site ? { site: e.site } : {}),
      from: e.from,
      to: e.to,
      reason: e.reason,
      source: 'board',
      who: e.who,
      team: e.team,
      id: e.id,
    })),
  ];
}

export function isOpen(w: Pick<Window, 'from' | 'to'>, nowMs: number): boolean {
  return Date.parse(w.from) <= nowMs && nowMs < Date.parse(w.to);
}

/** Open windows by unit code, for one evaluation. */
export class MaintenanceIndex {
  private readonly byUnit = new Map<string, Window[]>();

  constructor(windows: readonly Window[], nowMs: number) {
    for (const w of windows) {
      if (!isOpen(w, nowMs)) continue;
      const list = this.byUnit.get(w.unit) ?? [];
      list.push(w);
      this.byUnit.set(w.unit, list);
    }
  }

  unitWindows(unit: string): Window[] {
    return this.byUnit.get(unit) ?? [];
  }

  unitActive(unit: string): boolean {
    return this.byUnit.has(unit);
  }

  siteActive(unit: string, site: string): boolean {
    return (this.byUnit.get(unit) ?? []).some((w) => !w.site || w.site === site);
  }
}
